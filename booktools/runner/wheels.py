"""The pure-Python wheels that Pyodide installs: the SQLAlchemy series being built, and its one
pure-Python dependency, typing-extensions.

:func:`pure_python_wheels` gives the ``py3-none-any`` wheels of exactly the versions installed
here, downloaded once from the package index into ``build/pyodide-wheels/`` (never
committed), so that the browser, the Node check and the tests all run the SQLAlchemy that the
book was verified with.

:func:`bytecode_wheels` gives what Pyodide actually installs, in the reader's browser (the
site serves them, :mod:`booktools.sphinxext.run_buttons`) and in the Node check
(:mod:`.check`) alike: those wheels plus the bytecode, compiled by Pyodide's own Python, of the
modules a first run imports (``pyodide-bytecode.mjs``; importing SQLAlchemy from its source
is most of a first run's time). They are made with Node once per wheel, Pyodide version and
script, and kept in ``build/pyodide-wheels/bytecode-pyodide-<version>-<script digest>/``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

from booktools.pages import ROOT

WHEELS = ROOT / "build" / "pyodide-wheels"
PACKAGES = ("SQLAlchemy", "typing_extensions")
PYODIDE = ROOT / "node_modules" / "pyodide"
BYTECODE_SCRIPT = Path(__file__).with_name("pyodide-bytecode.mjs")
BYTECODE_TIMEOUT = 600  # seconds: one Node run compiles every wheel (about 30 s when busy)


class WheelsUnavailable(RuntimeError):
    """A wheel could not be downloaded or compiled; the message says which, and what to do."""


def pure_python_wheels() -> list[Path]:
    """The wheels of the installed SQLAlchemy and typing-extensions, downloading any missing."""
    wheels = []
    for name in PACKAGES:
        pinned = f"{name}=={version(name)}"
        folder = WHEELS / pinned
        found = sorted(folder.glob("*-py3-none-any.whl"))
        if not found:
            command = [
                sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                "--only-binary=:all:", "--platform", "any", "--python-version", "3.14",
                "--dest", str(folder), pinned,
            ]
            try:
                result = subprocess.run(
                    command, capture_output=True, text=True, check=False, timeout=300
                )
            except subprocess.TimeoutExpired:
                raise WheelsUnavailable(f"downloading {pinned} took over 300 s") from None
            found = sorted(folder.glob("*-py3-none-any.whl"))
            if result.returncode or not found:
                raise WheelsUnavailable(
                    f"could not download the pure-Python wheel of {pinned} for Pyodide "
                    f"(pip said: {result.stderr.strip() or 'no such wheel'}); the package "
                    "index must be reachable once, after which build/pyodide-wheels/ holds it"
                )
        wheels.append(found[-1])
    return wheels


def bytecode_folder() -> Path:
    """Where the compiled wheels are kept: named by Pyodide's version and the script's digest,
    so that a new Pyodide or a changed script compiles afresh."""
    package = PYODIDE / "package.json"
    if not package.is_file():
        raise WheelsUnavailable(
            f"Pyodide is not installed ({package.relative_to(ROOT)} is missing): run `npm ci`"
        )
    pyodide = json.loads(package.read_text(encoding="utf-8"))["version"]
    script = hashlib.sha256(BYTECODE_SCRIPT.read_bytes()).hexdigest()[:12]
    return WHEELS / f"bytecode-pyodide-{pyodide}-{script}"


def bytecode_wheels(wheels: list[Path] | None = None) -> list[Path]:
    """The wheels (default: :func:`pure_python_wheels`) with the bytecode of Pyodide's Python
    added, compiling those not yet kept (see the module's docstring)."""
    wheels = pure_python_wheels() if wheels is None else wheels
    folder = bytecode_folder()
    compiled = [folder / wheel.name for wheel in wheels]
    if all(path.is_file() for path in compiled):
        return compiled
    node = shutil.which("node")
    if node is None:
        raise WheelsUnavailable(
            "no `node`: Pyodide runs under Node.js to compile SQLAlchemy for itself; "
            "install Node.js 18.16 or newer, then run `npm ci`"
        )
    folder.mkdir(parents=True, exist_ok=True)
    # written under temporary names (this process's own: a build and a check may compile at
    # once), renamed once complete: an interrupted run leaves no truncated wheel that later
    # runs would take for a finished one
    partial = [path.with_name(f"{path.name}.{os.getpid()}.part") for path in compiled]
    pairs = [str(p) for wheel, out in zip(wheels, partial, strict=True) for p in (wheel, out)]
    try:
        result = subprocess.run(
            [node, str(BYTECODE_SCRIPT), *pairs],
            capture_output=True, text=True, check=False, timeout=BYTECODE_TIMEOUT,
        )
        failure = result.stderr[-1500:] if result.returncode else ""
    except subprocess.TimeoutExpired:
        failure = f"it did not finish in {BYTECODE_TIMEOUT} s"
    if failure:
        for path in partial:
            path.unlink(missing_ok=True)
        raise WheelsUnavailable(f"compiling the wheels for Pyodide failed: {failure}")
    for path, done in zip(partial, compiled, strict=True):
        path.replace(done)
    return compiled
