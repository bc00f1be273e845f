"""Run the page's examples in the reader's browser: the build's side (issue 25).

For every page with code that runs in a browser, this extension

* writes the page's program (:func:`booktools.runner.program.page_program`, for the
  installed SQLAlchemy series on SQLite) to ``_static/run/<docname>.json``;
* puts a bar of three buttons, Run, Edit and Reset, under each shown block that runs, with
  ``data-run-block`` naming the block's index in the program, and one line saying why under
  each shown ``python``/``pycon`` block that does not, and under each code cell of a
  notebook page;
* tells the page's layout (``run_program`` in the template context) to include the few
  hundred bytes of inline script that load ``_static/book-run.js`` on the first click on one
  of those buttons; before that click nothing else is fetched;
* marks the page's first runnable block for the "or run it here" link of the downloads line
  (:mod:`.downloads`).

Once per build it copies into ``_static/pyodide/`` what the worker loads after the first Run:
Pyodide's runtime files (from ``node_modules/pyodide``, installed by ``npm ci``), the
pure-Python wheels of SQLAlchemy and typing-extensions with the bytecode of the modules a
first run imports (:func:`booktools.runner.wheels.bytecode_wheels`, which the Node check
loads too), the runner bundle (:func:`booktools.runner.bundle.runner_bundle`),
``pyodide-session.mjs``, and ``session.json`` naming the wheels and the bundle. None of it is
committed; the site serves it from its own folder, so running a block asks no other host for
anything.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import posixpath
import shutil
from pathlib import Path

import sqlalchemy
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

from booktools.pages import ROOT, read_page
from booktools.runner.wheels import PYODIDE

logger = logging.getLogger(__name__)

#: What the worker loads from Pyodide's distribution (pyodide.mjs loads the other four).
PYODIDE_FILES = (
    "pyodide.mjs",
    "pyodide.asm.mjs",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-lock.json",
)
SESSION_MODULE = ROOT / "booktools" / "runner" / "pyodide-session.mjs"
BUNDLE_NAME = "booktools-runner.zip"
RUN_DIR = "_static/run"
PYODIDE_DIR = "_static/pyodide"
#: The series a reader's browser runs: the one the site is built (and verified) with.
SERIES = ".".join(sqlalchemy.__version__.split(".")[:2])
CODE = ("python", "pycon")

BAR = (
    '<div class="run-bar"{anchor} data-run-block="{index}">'
    '<button type="button" data-run="run">Run</button>'
    '<button type="button" data-run="edit">Edit</button>'
    '<button type="button" data-run="reset">Reset</button></div>'
)
REASON = '<p class="run-reason">Not runnable in the browser: {reason}</p>'
#: Under each code cell of a notebook page (myst-nb), which the page model does not run.
NOTEBOOK = "a measurement notebook, run when the book was built; download it to run it yourself"
#: Shown under a block written for another backend or series (a tab, or ``% only:``).
OTHER_RUN = "written for {what}; the browser runs SQLite with SQLAlchemy {series}"
LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def check_pyodide(app: Sphinx) -> None:
    """Fail the build at once, saying what to do, when Pyodide is not installed."""
    if app.builder.format != "html":
        return
    missing = [name for name in PYODIDE_FILES if not (PYODIDE / name).is_file()]
    if missing:
        raise ExtensionError(
            f"Pyodide is not installed ({PYODIDE.relative_to(ROOT)} lacks {', '.join(missing)}); "
            "the book copies it into the site so that readers can run its examples. "
            "Run `npm ci` in the repository (nox's docs session does it first)."
        )


def _shown_blocks(doctree: nodes.document) -> list[nodes.Element]:
    """The shown ``python``/``pycon`` blocks, in page order.

    A ``pycon`` block with SQL is the ``pycon-session`` container of :mod:`.sql_panels`
    (the chunks inside it are not blocks of the page). Code included from a file
    (``literalinclude``) is not a block of the page either.
    """

    def is_block(node: nodes.Node) -> bool:
        if isinstance(node, nodes.container) and "pycon-session" in node["classes"]:
            return True
        return (
            isinstance(node, nodes.literal_block)
            and node.get("language") in CODE
            and "source" not in node.attributes
            and not (isinstance(node.parent, nodes.container) and "pycon-session" in node.parent["classes"])
        )

    return list(doctree.findall(is_block))


def _program(docname: str, path: Path) -> dict | None:
    from booktools.runner.program import page_program

    page = read_page(path)
    if not any(b.visible and b.language in CODE for b in page.blocks):
        return None
    return page_program(page, SERIES)


def add_controls(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Mark the page's blocks (see the module's docstring) and write its program."""
    if app.builder.format != "html":
        return
    path = Path(app.env.doc2path(docname))
    if path.suffix != ".md":
        return
    if any(b.directive == "code-cell" for b in read_page(path).blocks):
        for cell in list(doctree.findall(nodes.container)):
            if "cell" in cell["classes"] and any("cell_input" in c.get("classes", []) for c in cell.children):
                reason = nodes.raw("", REASON.format(reason=NOTEBOOK), format="html")
                cell.parent.insert(cell.parent.index(cell) + 1, reason)
    program = _program(docname, path)
    program_blocks = {b["line"]: b for b in program["blocks"] if b["shown"]} if program else {}
    # The page's shown code blocks and the rendered ones, matched in page order: inside
    # directives (tabs) the doctree's line numbers are not the page's.
    fences = [b for b in read_page(path).blocks if b.visible and b.language in CODE]
    shown = _shown_blocks(doctree)
    if len(shown) != len(fences) or any(
        node.line is not None and abs(node.line - fence.line) > 2
        for fence, node in zip(fences, shown, strict=False)
    ):
        logger.warning(
            "run buttons: the page's %d python/pycon blocks do not match the %d rendered ones",
            len(fences), len(shown), location=docname,
        )
        return
    first = None
    for fence, node in zip(fences, shown, strict=True):
        block = program_blocks.get(fence.line)
        if block is not None and block["runnable"]:
            # the first one is the target of "or run it here" (.downloads)
            anchor = f' id="run-{block["index"]}"' if first is None else ""
            html_text = BAR.format(anchor=anchor, index=block["index"])
            first = block["index"] if first is None else first
        elif block is not None:
            html_text = REASON.format(reason=html.escape(block["reason"]))
        elif fence.runnable:
            # A block the browser's run skips: a tab (or ``% only:``) for another run.
            what = " and ".join(
                LABELS.get(tag, tag.replace("sqlalchemy-", "SQLAlchemy ")) for tag in sorted(fence.tags)
            )
            html_text = REASON.format(reason=OTHER_RUN.format(what=what, series=SERIES))
        else:
            continue  # e.g. a notebook page's executed code cells
        node.parent.insert(node.parent.index(node) + 1, nodes.raw("", html_text, format="html"))
    if first is None:
        return
    doctree["book_run_first"] = f"run-{first}"  # for the downloads line (.downloads)
    out = Path(app.outdir) / RUN_DIR / f"{docname}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(program, separators=(",", ":"))
    out.write_text(text, encoding="utf-8")
    # The program's URL carries its digest, and the scripts' URLs the runtime's (see
    # runtime_version): a browser that cached an older build's files never pairs this
    # page's buttons with another build's program or runner.
    doctree["book_run_version"] = hashlib.sha256(text.encode()).hexdigest()[:12]


def page_context(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """``run_program``: the URL of the page's program, for the layout's inline loader."""
    if doctree is not None and doctree.get("book_run_first"):
        here = posixpath.dirname(pagename)
        program = posixpath.relpath(f"{RUN_DIR}/{pagename}.json", here or ".")
        context["run_program"] = f"{program}?v={doctree['book_run_version']}"
        context["run_version"] = runtime_version()


@functools.cache
def runtime_version() -> str:
    """A digest of what a Run loads besides the page's program: the scripts, the runner's
    modules, the runner bundle (which holds modules of booktools.verify and .pages too) and
    the SQLAlchemy series (query strings on their URLs; Pyodide's own files are pinned by
    their version)."""
    from booktools.runner import bundle

    digest = hashlib.sha256(SERIES.encode())
    static = Path(__file__).resolve().parents[2] / "docs" / "_static"
    runner = Path(bundle.__file__).parent
    for path in [*sorted(static.glob("book-run*")), *sorted(runner.glob("*.py")), *sorted(runner.glob("*.mjs"))]:
        digest.update(path.read_bytes())
    digest.update(bundle.runner_bundle())
    return digest.hexdigest()[:12]


def copy_runtime(app: Sphinx, exception: Exception | None) -> None:
    """Copy Pyodide, the wheels, the runner bundle and the session module into the site."""
    if exception is not None or app.builder.format != "html":
        return
    from booktools.runner.bundle import runner_bundle
    from booktools.runner.wheels import WheelsUnavailable, bytecode_wheels

    target = Path(app.outdir) / PYODIDE_DIR
    target.mkdir(parents=True, exist_ok=True)
    try:
        wheels = bytecode_wheels()
    except WheelsUnavailable as error:
        raise ExtensionError(str(error)) from None
    for source in [*(PYODIDE / name for name in PYODIDE_FILES), *wheels, SESSION_MODULE]:
        _copy(source, target / source.name)
    (target / BUNDLE_NAME).write_bytes(runner_bundle())
    manifest = {"wheels": [w.name for w in wheels], "bundle": BUNDLE_NAME, "series": SERIES}
    (target / "session.json").write_text(json.dumps(manifest), encoding="utf-8")


def _copy(source: Path, target: Path) -> None:
    """Copy unless an incremental build copied the same file already (15 MB in all)."""
    if target.exists():
        there, here = target.stat(), source.stat()
        if (there.st_size, there.st_mtime_ns) == (here.st_size, here.st_mtime_ns):
            return
    shutil.copy2(source, target)


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", check_pyodide)
    # before .downloads (priority 500), which reads book_run_first
    app.connect("doctree-resolved", add_controls, priority=400)
    app.connect("html-page-context", page_context)
    app.connect("build-finished", copy_runtime)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
