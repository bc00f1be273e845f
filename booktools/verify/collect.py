"""The book's pages as Sybil examples: one region per ``python`` block and ``pycon`` step.

:class:`PageParser` is a Sybil parser: it reads the page model of a document
(:func:`booktools.pages.parse_page`) and yields a :class:`sybil.Region` for every runnable
block, each ``pycon`` step on its own, and every ``% skip:`` marker, at the offsets the
model gives. Each region's ``parsed`` value says what it is (:class:`PythonBlock` or
:class:`PyconStep`), and its evaluator runs it:

* a ``python`` block runs as a whole and must print nothing (output belongs in a ``pycon``
  block, where readers can see it);
* a ``pycon`` step runs as the prompt runs it; what it printed, warned, logged as SQL and
  raised is compared with what the page shows (:mod:`.compare`). On a PostgreSQL run the
  SQL panels are compared only in blocks tagged for a backend;
* a ``{schema-diagram}`` directive's argument is evaluated at its point of the page, and
  must give a ``MetaData`` that holds tables: the very object the build draws
  (:mod:`.diagrams` runs the page up to the directive for the build).

Every page runs top to bottom in one namespace; a block tagged for another backend or
series is skipped with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy
from sybil import Document, Example, Region, Sybil
from sybil.evaluators.skip import Skipper
from sybil.example import SybilFailure

from booktools.pages import BACKENDS, Block, Fence, Step, parse_page
from booktools.pages.pycon import Segment, render

from .backend import current_run, set_up_page, tear_down_page
from .capture import recording
from .compare import difference, matches


@dataclass(frozen=True)
class PythonBlock:
    path: str
    block: Block


@dataclass(frozen=True)
class PyconStep:
    path: str
    block: Block
    step: Step


@dataclass(frozen=True)
class SchemaDiagram:
    path: str
    fence: Fence


class DiagramError(Exception):
    """A ``{schema-diagram}`` whose argument does not give a MetaData with tables."""


class OutputDiffers(SybilFailure):
    """A step's output is not what its page shows; carries what it was, for the updates."""

    def __init__(self, example: Example, report: str, actual: tuple[Segment, ...], updatable: bool):
        super().__init__(example, report)
        self.step: PyconStep = example.parsed
        self.actual = actual
        self.updatable = updatable


def skip_unless_for_this_run(block: Block) -> None:
    run = current_run()
    if not block.runs_on(run.backend, run.series):
        reason = (
            f"written for {' and '.join(sorted(block.tags))}; this run uses {run.backend} "
            f"with {run.series}"
        )
        raise pytest.skip.Exception(reason, _use_item_location=True)


def _compile(source: str, path: str, line: int, mode: str) -> Any:
    """Compile so that tracebacks name the page and its real line numbers."""
    return compile("\n" * (line - 1) + source, path, mode, dont_inherit=True)


def evaluate_python(example: Example) -> str | None:
    code: PythonBlock = example.parsed
    skip_unless_for_this_run(code.block)
    with recording() as transcript:
        # running the page's own code is what this harness is for
        exec(_compile(code.block.source, code.path, code.block.source_line, "exec"), example.namespace)  # noqa: S102
    printed = transcript.finish()
    if printed:
        shown = "\n".join(render(printed))
        return (
            "a ```python block must not print anything; show output in a ```pycon block "
            f"(with >>> prompts) so that it is verified. It printed:\n{shown}"
        )
    return None


def evaluate_pycon(example: Example) -> None:
    code: PyconStep = example.parsed
    skip_unless_for_this_run(code.block)
    step = code.step
    with recording() as transcript:
        try:
            compiled = _compile(step.source, code.path, step.line, "single")
            exec(compiled, example.namespace)  # noqa: S102 - the page's own example
        except Exception as error:  # noqa: BLE001 - the page may expect any exception
            transcript.add_error(error)
    actual = transcript.finish()
    # elsewhere than on SQLite, the page's SQL panels are SQLite's unless the block is
    # written for a backend: this run can neither check nor write them
    compare_sql = current_run().backend == "sqlite" or bool(code.block.tags & BACKENDS)
    if not matches(step.expected, actual, compare_sql):
        report = difference(code.path, step.expected_line, step.expected, actual, compare_sql)
        raise OutputDiffers(example, report, actual, updatable=compare_sql)


def diagram_metadata(code: SchemaDiagram, namespace: dict[str, Any]) -> Any:
    """The ``MetaData`` that a ``{schema-diagram}`` names, evaluated in the page's namespace
    at the directive; :class:`DiagramError` naming the page and line if it is not one, or
    holds no table."""
    where = f"{code.path}:{code.fence.line}"
    expression = code.fence.argument
    if not expression:
        raise DiagramError(f"{where}: schema-diagram needs an argument, e.g. Base.metadata")
    try:
        value = eval(_compile(expression, code.path, code.fence.line, "eval"), namespace)
    except Exception as error:
        raise DiagramError(
            f"{where}: schema-diagram {expression!r} failed: {type(error).__name__}: {error}"
        ) from error
    if not isinstance(value, sqlalchemy.MetaData):
        raise DiagramError(
            f"{where}: schema-diagram {expression!r} is a {type(value).__name__}, not a MetaData"
        )
    if not value.tables:
        raise DiagramError(f"{where}: schema-diagram {expression!r} holds no table")
    return value


def evaluate_diagram(example: Example) -> str | None:
    try:
        diagram_metadata(example.parsed, example.namespace)
    except DiagramError as error:
        return str(error)
    return None


class PageParser:
    """A Sybil parser: the regions of a page, from its page model."""

    def __init__(self) -> None:
        self.skipper = Skipper("skip")

    def __call__(self, document: Document):
        page = parse_page(document.path, document.text)
        regions = []
        for block in page.code:
            if block.language == "python":
                code = PythonBlock(document.path, block)
                regions.append(Region(block.start, block.end, code, evaluate_python))
            else:
                for step in block.steps:
                    code = PyconStep(document.path, block, step)
                    regions.append(Region(step.start, step.end, code, evaluate_pycon))
        for fence in page.diagrams:
            code = SchemaDiagram(document.path, fence)
            regions.append(Region(fence.start, fence.end, code, evaluate_diagram))
        for skip in page.skips:
            regions.append(Region(skip.start, skip.end, skip.arguments, self.skipper))
        return sorted(regions, key=lambda region: region.start)


def book_sybil(**options: Any) -> Sybil:
    """The Sybil configuration for the book's pages (and for the harness's own tests)."""
    return Sybil(
        parsers=[PageParser()],
        patterns=["*.md"],
        setup=set_up_page,
        teardown=tear_down_page,
        **options,
    )
