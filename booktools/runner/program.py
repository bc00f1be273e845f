"""A page as the program that the browser (and ``nox -s pyodide``) runs: its blocks, in page
order, each with the steps to run, what the page expects, and whether it runs on Pyodide.

:func:`page_program` holds exactly the blocks that a SQLite test run of the series runs,
shown or hidden. A block runs in the browser unless, read from the page source alone:

* the page marks it with ``% browser: no, <reason>`` (Pyodide's SQLite or Python gives
  another output; rare, and the reason is shown to readers);
* the book's tests skip it (``% skip:``);
* it uses asyncio (``async``/``await``, ``asyncio``, ``create_async_engine``...): SQLAlchemy's
  asyncio needs greenlet, which Pyodide does not have;
* it starts threads or processes (``threading``, ``multiprocessing``, ``subprocess``,
  ``concurrent.futures``);
* it creates an engine on a PostgreSQL URL (which imports psycopg), or reads the test
  run's server URL (``BOOK_DATABASE_URL``);
* it imports a module that the browser's Python lacks: anything but the standard library,
  SQLAlchemy and typing-extensions (the book's ``examples/`` programs, web frameworks,
  Alembic, pytest, database drivers);
* it reads a global name that only such a block defined (a page is one session: what
  depends on a block that does not run cannot run either).

What a block does to the database cannot be read from its text: where a block that does
not run changes rows that a later block shows, the later block needs a ``% browser: no``
mark (the Node check, ``nox -s pyodide``, finds it).

``python -m booktools.runner.program --out DIR [--series 2.1] [pages...]`` writes every
page's program as ``DIR/<page>.json`` (``orm/session.md`` -> ``orm/session.json``).
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
from pathlib import Path

from booktools.pages import DOCS, Block, Page, book_pages, parse_page

#: The modules of the browser's Python besides the standard library.
INSTALLED = frozenset({"sqlalchemy", "typing_extensions"})
#: Standard modules that Pyodide does not ship, or cannot use.
MISSING_STDLIB = frozenset({"tkinter", "turtle", "turtledemo", "curses", "idlelib", "venv",
                            "ensurepip", "readline", "ssl", "lzma", "_tkinter"})
#: Modules that start threads or processes.
CONCURRENCY = frozenset({"threading", "multiprocessing", "subprocess", "concurrent", "_thread"})
ASYNC_NAMES = frozenset({
    "asyncio", "create_async_engine", "AsyncSession", "async_sessionmaker", "AsyncEngine",
    "AsyncAttrs", "async_scoped_session", "aiosqlite",
})
#: an engine on a PostgreSQL URL: creating it imports the driver (psycopg)
_POSTGRESQL_ENGINE = re.compile(
    r"create_(?:async_)?engine\(\s*[\"']postgresql(?:\+\w+)?://|BOOK_DATABASE_URL"
)

ASYNCIO = "uses asyncio, which SQLAlchemy cannot run in the browser (it needs greenlet)"
THREADS = "starts threads or processes, which the browser's Python cannot"
SERVER = "needs PostgreSQL's driver (psycopg), which the browser's Python does not have"
EXAMPLES = "runs the book's example programs (examples/), which the browser does not load"


def _stdlib() -> frozenset[str]:
    return frozenset(sys.stdlib_module_names) - MISSING_STDLIB


class _Names(ast.NodeVisitor):
    """The global names a piece of code binds and the names it reads (function and class
    bodies read globals when they are called, so their reads count; their locals don't)."""

    def __init__(self) -> None:
        self.bound: set[str] = set()
        self.read: set[str] = set()
        self.depth = 0  # inside a function or class body

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            self.read.add(node.id)
        elif self.depth == 0:
            self.bound.add(node.id)

    def _scope(self, node) -> None:
        if self.depth == 0 and hasattr(node, "name"):
            self.bound.add(node.name)
        for decorator in getattr(node, "decorator_list", ()):
            self.visit(decorator)
        self.depth += 1
        for child in ast.iter_child_nodes(node):
            if child not in getattr(node, "decorator_list", ()):
                self.visit(child)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = visit_Lambda = _scope

    def visit_Import(self, node: ast.Import | ast.ImportFrom) -> None:
        if self.depth == 0:
            for alias in node.names:
                self.bound.add(alias.asname or alias.name.split(".")[0])

    visit_ImportFrom = visit_Import


def _statements(block: Block) -> list[tuple[str, int]]:
    """The block's code, as (source, first page line) units: its steps, or its body."""
    if block.language == "pycon":
        return [(step.source, step.line) for step in block.steps]
    return [(block.source, block.source_line)]


def _structural_reason(source: str) -> str:
    """Why this code cannot run on Pyodide, from its text alone; "" if it can."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        tree = None
    modules: set[str] = set()
    names: set[str] = set()
    is_async = False
    if tree is not None:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
                if node.module.split(".")[0] == "sqlalchemy":
                    names |= {alias.name for alias in node.names}
            elif isinstance(node, ast.Name):
                names.add(node.id)
            elif isinstance(node, ast.Attribute):
                names.add(node.attr)
            elif isinstance(node, (ast.Await, ast.AsyncFunctionDef, ast.AsyncWith, ast.AsyncFor)):
                is_async = True
    elif re.search(r"\bawait\b|\basync\s+(def|with|for)\b|\basyncio\b", source):
        is_async = True
    if is_async or names & ASYNC_NAMES or "asyncio" in modules or "aiosqlite" in source:
        return ASYNCIO
    if modules & CONCURRENCY:
        return THREADS
    if _POSTGRESQL_ENGINE.search(source):
        return SERVER
    if "examples" in modules:
        return EXAMPLES
    missing = sorted(modules - _stdlib() - INSTALLED)
    if missing:
        return f"imports {missing[0]}, which the browser's Python does not have"
    return ""


def _skipped_blocks(page: Page) -> dict[int, str]:
    """The blocks (by line) that a ``% skip:`` marker keeps the tests from running."""
    skipped: dict[int, str] = {}
    code = list(page.code)
    for skip in sorted(page.skips, key=lambda s: s.start):
        action, reason = skip.arguments
        reason = (reason or "").strip().strip("\"'")
        after = [b for b in code if b.start > skip.end]
        if action == "next" and after:
            skipped[after[0].line] = reason
        elif action == "start":
            ends = [s for s in page.skips if s.start > skip.end and s.arguments[0] == "end"]
            limit = ends[0].start if ends else len(page.text)
            for block in after:
                if block.start < limit:
                    skipped[block.line] = reason
    return skipped


def page_name(page: Page) -> str:
    """The page's path under docs/, with forward slashes (``orm/session.md``); a page
    elsewhere (a test's) is named by its file name."""
    path = Path(page.path)
    try:
        return path.resolve().relative_to(DOCS).as_posix()
    except ValueError:
        return path.name


def page_program(page: Page, series: str) -> dict:
    """The program of ``page`` for the SQLAlchemy ``series`` ("2.0" or "2.1") on SQLite."""
    tag = f"sqlalchemy-{series}"
    blocks = [b for b in page.code if b.runs_on("sqlite", tag)]
    skipped = _skipped_blocks(page)
    tainted: dict[str, int] = {}  # a global name -> the line of the block that cannot run
    program_blocks = []
    for index, block in enumerate(blocks):
        reason = block.browser
        if not reason and block.line in skipped:
            reason = "the book's tests skip it" + (f": {skipped[block.line]}" if skipped[block.line] else "")
        units = _statements(block)
        if not reason:
            reason = next((r for r in map(_structural_reason, (s for s, _ in units)) if r), "")
        # a page is one session: code that reads what a block that cannot run defined
        bound_here: set[str] = set()
        for source, _ in units:
            try:
                statements = ast.parse(source).body
            except SyntaxError:
                continue
            for statement in statements:
                names = _Names()
                names.visit(statement)
                # a name the statement binds itself (``with ... as conn:``) is its own
                needed = (names.read - bound_here - names.bound) & tainted.keys()
                if needed and not reason:
                    first = min(needed, key=lambda name: (tainted[name], name))
                    reason = (
                        f"needs {first}, which an earlier block that cannot run in the "
                        "browser defines"
                    )
                bound_here |= names.bound
        for name in bound_here:
            if reason:
                tainted.setdefault(name, block.line)
            else:
                tainted.pop(name, None)
        program_blocks.append({
            "index": index,
            "line": block.line,
            "language": block.language,
            "shown": block.visible,
            "runnable": not reason,
            "reason": reason,
            "steps": _steps(block),
        })
    return {"page": page_name(page), "series": series, "blocks": program_blocks}


def _steps(block: Block) -> list[dict]:
    if block.language == "python":
        return [{"source": block.source, "line": block.source_line, "mode": "exec",
                 "expected": None, "expected_line": None}]
    return [
        {"source": step.source, "line": step.line, "mode": "single",
         "expected": [[s.kind, list(s.lines)] for s in step.expected],
         "expected_line": step.expected_line}
        for step in block.steps
    ]


def write_programs(out: Path, series: str, pages: list[Path] | None = None) -> list[Path]:
    """Write the program of every page with code into ``out``; the files written."""
    written = []
    for path in pages or book_pages():
        page = parse_page(path)
        if not page.code:
            continue
        program = page_program(page, series)
        target = out / Path(program["page"]).with_suffix(".json")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(program, indent=1) + "\n", encoding="utf-8")
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="the folder to write into")
    parser.add_argument("--series", help="the SQLAlchemy series (default: the installed one)")
    parser.add_argument("pages", nargs="*", type=Path, help="pages (default: every page)")
    options = parser.parse_args(argv)
    series = options.series or installed_series()
    written = write_programs(options.out, series, options.pages or None)
    print(f"{len(written)} programs for SQLAlchemy {series} in {options.out}")


def installed_series() -> str:
    from importlib.metadata import version

    return ".".join(version("SQLAlchemy").split(".")[:2])


if __name__ == "__main__":
    main()
