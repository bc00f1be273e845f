"""``python -m booktools.runner.check [pages...]``: the book's examples on Pyodide, in Node.

Writes every page's program (:mod:`.program`, for the installed SQLAlchemy series), the
runner bundle (:mod:`.bundle`) and a manifest naming the wheels into
``build/pyodide-check/<series>/``, then runs ``node booktools/runner/check.mjs`` on it. The
wheels are the ones the site serves, bytecode included (:func:`.wheels.bytecode_wheels`,
compiled once and kept), so that what is checked is what readers' browsers load. When
every page passed, it writes the verification record of backend "pyodide"
(:mod:`booktools.records`), from which the book says it was also verified on Pyodide.
Given pages, it checks only those and writes no record. Exits with Node's status.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

from booktools import records
from booktools.pages import ROOT

from .bundle import runner_bundle
from .program import installed_series, write_programs
from .wheels import PYODIDE, WheelsUnavailable, bytecode_wheels

CHECK = ROOT / "booktools" / "runner" / "check.mjs"


def prepare(out: Path, series: str, pages: list[Path] | None = None) -> Path:
    """The folder that check.mjs reads: programs, bundle and manifest (the wheels named by
    their paths, which check.mjs prints)."""
    wheels = bytecode_wheels()  # first: it may fail, saying what to do
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    programs = write_programs(out, series, pages)
    bundle = out / "runner-bundle.zip"
    bundle.write_bytes(runner_bundle())
    manifest = {
        "series": series,
        "wheels": [str(w) for w in wheels],
        "bundle": str(bundle),
        "programs": [p.relative_to(out).as_posix() for p in programs],
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return out


CHECK_TIMEOUT = 1800  # seconds for the whole book (about 80 s on a loaded 2-core machine)


def require_node() -> str:
    node = shutil.which("node")
    if node is None or not (PYODIDE / "pyodide.mjs").exists():
        sys.exit(
            "no Node.js or no node_modules/pyodide: run `npm ci` (nox -s pyodide does) first"
        )
    return node


def run_check(out: Path) -> int:
    node = require_node()
    try:
        # a bound, so that a block that never ends fails the run instead of hanging CI
        return subprocess.run(
            [node, str(CHECK), str(out)], cwd=ROOT, check=False, timeout=CHECK_TIMEOUT
        ).returncode
    except subprocess.TimeoutExpired:
        sys.exit(f"the Pyodide check did not finish in {CHECK_TIMEOUT} s: a block may never end")


def write_record(out: Path) -> Path:
    result = json.loads((out / "result.json").read_text(encoding="utf-8"))
    counts = {k: result[k] for k in ("passed", "failed", "skipped")}
    return records.write_record(
        "pyodide", result["pyodide"], "sqlalchemy-" + json.loads(
            (out / "manifest.json").read_text(encoding="utf-8"))["series"],
        counts,
        python=result["python"],
        extra={"sqlite": result["sqlite"], "runtime": f"Node {result['node']}"},
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="*", type=Path, help="pages (default: every page)")
    parser.add_argument("--out", type=Path, help="the folder (default: build/pyodide-check/<series>)")
    options = parser.parse_args(argv)
    series = installed_series()
    out = options.out or ROOT / "build" / "pyodide-check" / series
    require_node()
    try:
        prepare(out, series, options.pages or None)
    except WheelsUnavailable as error:
        sys.exit(str(error))
    status = run_check(out)
    if status == 0 and not options.pages:
        path = write_record(out)
        print(f"verification record: {path.relative_to(ROOT)}")
    sys.exit(status)


if __name__ == "__main__":
    main()
