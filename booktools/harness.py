"""Runs the book's snippets: the Sybil parsers and evaluators used by ``conftest.py``.

Every ``python`` and ``pycon`` block in the book (visible, or invisible in a ``%`` comment)
is executed in order in one namespace per page. What a ``pycon`` example writes to stdout,
what it raises, the warnings it triggers and the SQL that SQLAlchemy logs are recorded in
one ordered transcript and compared with the expected output written on the page
(see :mod:`booktools.transcript` for that syntax). A ``python`` block must print nothing:
whatever is printed belongs in a ``pycon`` block, where readers can see it.

The database comes from the environment: unset, pages run on the in-memory SQLite
database that they create themselves; with ``BOOK_DATABASE_URL`` set (the
``tests_postgres`` nox session does that), each page's ``create_engine("sqlite://")`` is
pointed at a freshly emptied schema of that server instead, results are compared as usual,
and SQL panels are compared only in blocks written for that backend.
"""

from __future__ import annotations

import bisect
import difflib
import doctest
import itertools
import logging
import os
import re
import sys
import traceback
import warnings
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from sybil import Document, Example, Region, Sybil
from sybil.parsers.markdown.lexers import RawFencedCodeBlockLexer
from sybil.parsers.myst import CodeBlockParser, SkipParser

from .transcript import (
    TRACEBACK_HEADER,
    PyconExample,
    PyconSyntaxError,
    Segment,
    normalize_sql_line,
    parse_pycon,
    render_want,
    split_want,
)

DATABASE_URL_VARIABLE = "BOOK_DATABASE_URL"
IN_MEMORY_SQLITE_URLS = {"sqlite://", "sqlite+pysqlite://", "sqlite:///:memory:"}
IN_MEMORY_AIOSQLITE_URLS = {"sqlite+aiosqlite://", "sqlite+aiosqlite:///:memory:"}


@dataclass(frozen=True)
class Run:
    """What this test run targets: the backend and the SQLAlchemy series."""

    backend: str
    series: str
    url: str | None

    @classmethod
    def from_environment(cls) -> Run:
        url = os.environ.get(DATABASE_URL_VARIABLE) or None
        backend = sqlalchemy.make_url(url).get_backend_name() if url else "sqlite"
        series = "sqlalchemy-" + ".".join(sqlalchemy.__version__.split(".")[:2])
        return cls(backend, series, url)

    @property
    def tags(self) -> set[str]:
        return {self.backend, self.series}


RUN = Run.from_environment()


# --- Capturing what an example does -------------------------------------------------------


class Transcript:
    """An ordered record of what one example wrote, tagged by where it came from."""

    def __init__(self) -> None:
        self.segments: list[Segment] = []
        self._unfinished_line = ""  # printed text not yet ended by a newline

    def add(self, kind: str, text: str) -> None:
        # Lines are kept in the form a page writes them, so that comparing, reporting and
        # --update-examples all see the same text: trailing spaces stripped, SQL normalised
        # (and without DDL's blank lines, which would end an example on the page).
        if kind == "out":
            *lines, self._unfinished_line = (self._unfinished_line + text).split("\n")
            lines = [line.rstrip() for line in lines]
        else:
            self._flush()
            lines = [sql for sql in map(normalize_sql_line, text.split("\n")) if sql]
        if not lines:
            return
        if not self.segments or self.segments[-1].kind != kind:
            self.segments.append(Segment(kind))
        self.segments[-1].lines.extend(lines)

    def add_error(self, error: BaseException) -> None:
        self._flush()
        message = "".join(traceback.format_exception_only(type(error), error)).rstrip("\n")
        lines = [line.rstrip() for line in message.split("\n")]
        self.segments.append(Segment("error", [TRACEBACK_HEADER, *lines]))

    def _flush(self) -> None:
        if self._unfinished_line:
            pending, self._unfinished_line = self._unfinished_line, ""
            self.add("out", pending + "\n")

    def finish(self) -> list[Segment]:
        self._flush()
        return self.segments


class _TranscriptStream:
    """Stands in for sys.stdout while an example runs."""

    def __init__(self, transcript: Transcript) -> None:
        self.transcript = transcript

    def write(self, text: str) -> int:
        self.transcript.add("out", text)
        return len(text)

    def flush(self) -> None:
        pass


_active: list[Transcript] = []


class _SQLHandler(logging.Handler):
    """Sends SQLAlchemy's engine log (what ``echo=True`` shows) into the transcript."""

    def emit(self, record: logging.LogRecord) -> None:
        message = self.format(record)
        if _active:
            _active[-1].add("sql", message)
        else:
            sys.__stdout__.write(message + "\n")


def install_sql_handler() -> None:
    """Route the engine log to the transcript, with no timestamp or logger name.

    A handler on the ``sqlalchemy.engine.Engine`` logger also stops ``echo=True`` from
    adding its own timestamped stdout handler, which it does only when none exists.
    """
    logger = logging.getLogger("sqlalchemy.engine.Engine")
    if not any(isinstance(h, _SQLHandler) for h in logger.handlers):
        handler = _SQLHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)


@contextmanager
def recording() -> Iterator[Transcript]:
    transcript = Transcript()

    def show_warning(message, category, filename, lineno, file=None, line=None):
        transcript.add("out", f"{category.__name__}: {message}\n")

    _active.append(transcript)
    stdout = sys.stdout
    sys.stdout = _TranscriptStream(transcript)  # type: ignore[assignment]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            warnings.showwarning = show_warning
            yield transcript
    finally:
        sys.stdout = stdout
        _active.pop()


# --- Which blocks run where --------------------------------------------------------------

_ONLY = re.compile(r"^[ \t]*%[ \t]*only:[ \t]*(?P<tags>.+?)[ \t]*$")
#: The tags a ``% only:`` marker may name: a backend or a SQLAlchemy series.
RUN_TAG = re.compile(r"sqlite|postgresql|sqlalchemy-2\.\d+")


def written_for(tags: set[str] | frozenset[str], backend: str, series: str) -> bool:
    """Whether a block marked with ``tags`` runs on ``backend`` with ``series``: each kind
    of tag it names (backends, series) must include this run's."""
    backends = {t for t in tags if not t.startswith("sqlalchemy-")}
    series_tags = tags - backends
    return (not backends or backend in backends) and (not series_tags or series in series_tags)


def only_tags(example: Example) -> set[str]:
    """Tags from ``% only: ...`` comment lines immediately above the block."""
    text = example.document.text
    block_start = text.rfind("\n", 0, example.region.lexemes.get("block_start", example.start))
    tags: set[str] = set()
    for line in reversed(text[: max(block_start, 0)].split("\n")[-5:]):
        match = _ONLY.match(line)
        if not match:
            break
        tags |= set(re.split(r"[\s,]+", match["tags"]))
    return tags


def skip_unless_for_this_run(example: Example) -> bool:
    """Skip a block marked for another backend or series; return whether it is marked for
    a backend."""
    tags = only_tags(example)
    unknown = {t for t in tags if not RUN_TAG.fullmatch(t)}
    if unknown:
        raise ValueError(f"unknown tag(s) in '% only:' marker: {', '.join(sorted(unknown))}")
    if not written_for(tags, RUN.backend, RUN.series):
        reason = (
            f"written for {' and '.join(sorted(tags))}; this run uses {RUN.backend} "
            f"with {RUN.series}"
        )
        raise pytest.skip.Exception(reason, _use_item_location=True)
    return any(not t.startswith("sqlalchemy-") for t in tags)


def compile_at(source: str, example: Example, line: int, mode: str) -> Any:
    """Compile so that tracebacks name the page and its real line numbers."""
    return compile("\n" * (line - 1) + source, example.path, mode, dont_inherit=True)


# --- Evaluators --------------------------------------------------------------------------


def evaluate_python(example: Example) -> str | None:
    skip_unless_for_this_run(example)
    source = example.parsed
    with recording() as transcript:
        # running the page's own code is what this harness is for
        exec(compile_at(source, example, source_line(example), "exec"), example.namespace)  # noqa: S102
    printed = transcript.finish()
    if printed:
        shown = "\n".join(render_want(printed))
        return (
            "a ```python block must not print anything; show output in a ```pycon block "
            f"(with >>> prompts) so that it is verified. It printed:\n{shown}"
        )
    return None


def source_line(example: Example) -> int:
    """The 1-based line of the page on which the block's first source line stands."""
    offset = example.region.lexemes.get("source_offset", example.start)
    return example.document.text.count("\n", 0, offset) + 1


def evaluate_pycon(example: Example) -> str | None:
    marked_for_backend = skip_unless_for_this_run(example)
    pycon: PyconExample = example.parsed
    first_line = example.region.lexemes["first_line"]
    with recording() as transcript:
        try:
            code = compile_at(pycon.source, example, first_line + pycon.source_line, "single")
            exec(code, example.namespace)  # noqa: S102 - the page's own example
        except Exception as error:  # noqa: BLE001 - the page may expect any exception
            transcript.add_error(error)
    actual = transcript.finish()
    expected = split_want(pycon.want)
    compare_sql = RUN.backend == "sqlite" or marked_for_backend
    if _matches(expected, actual, compare_sql):
        return None
    want_line = first_line + pycon.want_line
    if compare_sql:  # elsewhere the page's SQL panels are SQLite's, which this run cannot write
        UPDATES.record(example, want_line, len(pycon.want), actual)
    return _difference(example, want_line, expected, actual, compare_sql)


def _without_sql(segments: list[Segment]) -> list[Segment]:
    merged: list[Segment] = []
    for segment in segments:
        if segment.kind == "sql":
            continue
        if merged and merged[-1].kind == segment.kind == "out":
            merged[-1].lines += segment.lines
        else:
            merged.append(Segment(segment.kind, list(segment.lines)))
    return merged


_CHECKER = doctest.OutputChecker()


def _matches(expected: list[Segment], actual: list[Segment], compare_sql: bool) -> bool:
    if not compare_sql:
        expected, actual = _without_sql(expected), _without_sql(actual)
    if [s.kind for s in expected] != [s.kind for s in actual]:
        return False
    for want, got in zip(expected, actual):
        if want.kind == "sql":
            if want.lines != got.lines:
                return False
        else:
            want_text = "\n".join(want.lines) + "\n"
            got_text = "\n".join(got.lines) + "\n"
            if not _CHECKER.check_output(want_text, got_text, doctest.ELLIPSIS):
                return False
    return True


def _difference(
    example: Example,
    want_line: int,
    expected: list[Segment],
    actual: list[Segment],
    compare_sql: bool,
) -> str:
    if not compare_sql:
        expected, actual = _without_sql(expected), _without_sql(actual)
    want = render_want(expected)
    got = render_want(actual)
    page = os.path.relpath(example.path)
    diff = difflib.unified_diff(
        want, got, f"expected ({page}:{want_line})", "actual", lineterm="", n=len(want) + len(got)
    )
    first = next((i for i, (w, g) in enumerate(zip(want, got)) if w != g), min(len(want), len(got)))
    note = "" if compare_sql else " (SQL not compared on this backend)"
    return (
        f"{page}:{want_line + first}: output differs{note}\n"
        + "\n".join(diff)
        + "\n(with --update-examples the page is rewritten with the actual output)"
    )


# --- Rewriting expected output (pytest --update-examples) ---------------------------------


class ExampleUpdates:
    """Collects the actual output of failing examples so a page can be rewritten."""

    def __init__(self) -> None:
        self.enabled = False
        self.pending: dict[str, list[tuple[int, int, list[Segment]]]] = {}

    def record(self, example: Example, line: int, count: int, actual: list[Segment]) -> None:
        if self.enabled:
            self.pending.setdefault(example.path, []).append((line, count, actual))

    def apply(self) -> list[str]:
        """Rewrite the recorded examples; return the pages changed."""
        changed = []
        for path, updates in self.pending.items():
            lines = Path(path).read_text(encoding="utf-8").split("\n")
            for line, count, actual in sorted(updates, key=lambda u: u[0], reverse=True):
                index = line - 1
                prefix = _prefix_of(lines[index - 1])
                new = [prefix + text for text in render_want(actual)]
                lines[index : index + count] = new
            Path(path).write_text("\n".join(lines), encoding="utf-8")
            changed.append(path)
        self.pending.clear()
        return changed


def _prefix_of(input_line: str) -> str:
    """The indentation or ``%`` comment prefix in front of a ``>>>``/``...`` line."""
    match = re.match(r"^(.*?)(>>>|\.\.\.)( |$)", input_line)
    return match.group(1) if match else ""


UPDATES = ExampleUpdates()


# --- Parsers -----------------------------------------------------------------------------


def _once_per_page(function):
    """``function(document)``, computed once per page and kept as long as the page is.

    Sybil runs each parser's lexers over the whole page; the ``pycon`` and ``python``
    parsers look for the same blocks, and each parser is wrapped by the same literal-block
    check, so sharing their lexing makes collecting a page several times cheaper.
    """
    results: weakref.WeakKeyDictionary[Document, Any] = weakref.WeakKeyDictionary()

    def once(document: Document):
        if document not in results:
            results[document] = function(document)
        return results[document]

    return once


_MYST_CODE_BLOCK_LEXERS = CodeBlockParser(language="any").lexers


@_once_per_page
def _code_blocks(document: Document) -> list[Region]:
    """Every code block of the page, as Sybil's MyST lexers find them (the pycon and python
    parsers keep their own language's)."""
    return list(_MYST_CODE_BLOCK_LEXERS(document))


class PyconParser(CodeBlockParser):
    """Yields one region per ``>>>`` example of every ``pycon`` block."""

    def __init__(self) -> None:
        super().__init__(language="pycon", evaluator=evaluate_pycon)
        self.lexers = _code_blocks

    def __call__(self, document):
        for block in super().__call__(document):
            source = block.parsed
            source_start = block.start + source.offset
            first_line = document.text.count("\n", 0, source_start) + 1
            try:
                examples = parse_pycon(str(source))
            except PyconSyntaxError as error:
                raise ValueError(f"{document.path}:{first_line}: {error}") from None
            line_starts = _line_offsets(str(source))
            for pycon in examples:
                start = source_start + line_starts[pycon.source_line]
                end = source_start + line_starts[pycon.want_line + len(pycon.want)]
                lexemes = {"first_line": first_line, "block_start": block.start}
                yield Region(start, min(end, block.end), pycon, evaluate_pycon, lexemes)


class PythonParser(CodeBlockParser):
    def __init__(self) -> None:
        super().__init__(language="python", evaluator=evaluate_python)
        self.lexers = _code_blocks

    def __call__(self, document):
        for block in super().__call__(document):
            if block.parsed.lstrip().startswith(">>>"):
                line = document.text.count("\n", 0, block.start) + 1
                raise ValueError(
                    f"{document.path}:{line}: a ```python block holds '>>>' prompts; "
                    "write it as ```pycon so that its output is checked"
                )
            block.lexemes["source_offset"] = block.start + block.parsed.offset
            block.lexemes["block_start"] = block.start
            yield block


_INFO = re.compile(r"(?P<info>[^\n]*)$\n", re.MULTILINE)
_RUNNABLE_INFO = re.compile(r"^\s*(\{[\w-]+\}\s*)?(python|pycon)?\s*$")


@_once_per_page
def _literal_blocks(document: Document) -> tuple[list[int], list[int]]:
    """Where the page's non-runnable fences (``text`` and the like) start, in order, and the
    furthest any of them up to each one reaches (fences may nest)."""
    blocks = sorted(
        (block.start, block.end)
        for block in RawFencedCodeBlockLexer(_INFO)(document)
        if not _RUNNABLE_INFO.match(block.lexemes["info"])
    )
    reach = list(itertools.accumulate((end for _, end in blocks), max))
    return [start for start, _ in blocks], reach


def outside_literal_blocks(parser):
    """Wrap a parser so that it ignores what stands inside ``text`` (or other) fences.

    Pages show markup examples inside ````` ````text ````` blocks; the fences and comments
    within them are text to read, not code to run.
    """

    def parse(document: Document):
        starts, reach = _literal_blocks(document)
        for region in parser(document):
            before = bisect.bisect_left(starts, region.start)  # the blocks that start before it
            if not (before and reach[before - 1] > region.start):
                yield region

    return parse


def _line_offsets(text: str) -> list[int]:
    offsets = [0]
    for line in text.split("\n"):
        offsets.append(offsets[-1] + len(line) + 1)
    return offsets


# --- Per-page set-up ---------------------------------------------------------------------

_real_create_engine = sqlalchemy.create_engine


def _create_engine_on_test_server(url, *args, **kwargs):
    """``create_engine`` as pages see it when the run targets a server."""
    if str(url) in IN_MEMORY_SQLITE_URLS:
        url = RUN.url
    return _real_create_engine(url, *args, **kwargs)


try:
    from sqlalchemy.ext import asyncio as sqlalchemy_asyncio
except ImportError:  # pragma: no cover - greenlet missing
    sqlalchemy_asyncio = None
_real_create_async_engine = sqlalchemy_asyncio.create_async_engine if sqlalchemy_asyncio else None


def _create_async_engine_on_test_server(url, *args, **kwargs):
    """``create_async_engine`` as pages see it when the run targets a server."""
    if str(url) in IN_MEMORY_AIOSQLITE_URLS:
        url = RUN.url  # psycopg 3 serves asyncio with the same URL
    return _real_create_async_engine(url, *args, **kwargs)


def _patch_create_engine(engine_factory, async_engine_factory) -> None:
    sqlalchemy.create_engine = engine_factory
    sqlalchemy.engine.create_engine = engine_factory
    if sqlalchemy_asyncio is not None:
        sqlalchemy_asyncio.create_async_engine = async_engine_factory


def _empty_test_database() -> None:
    engine = _real_create_engine(RUN.url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


def set_up_page(namespace: dict[str, Any]) -> None:
    namespace["__name__"] = "__main__"
    install_sql_handler()
    if RUN.url:
        _empty_test_database()
        _patch_create_engine(_create_engine_on_test_server, _create_async_engine_on_test_server)


def end_session(namespace: dict[str, Any]) -> None:
    """What ending a reader's Python session does: its engines close, its SQL logging stops."""
    for value in list(namespace.values()):
        # an AsyncEngine's pool is its sync_engine's; disposing that needs no event loop
        engine = getattr(value, "sync_engine", value)
        if isinstance(engine, sqlalchemy.Engine):
            engine.dispose()
    namespace.clear()
    # pages may turn SQL logging on through the logging module; don't let it leak
    for name in ("sqlalchemy", "sqlalchemy.engine", "sqlalchemy.engine.Engine"):
        logging.getLogger(name).setLevel(logging.NOTSET)


def tear_down_page(namespace: dict[str, Any]) -> None:
    end_session(namespace)
    _patch_create_engine(_real_create_engine, _real_create_async_engine)
    if RUN.url:  # leave the server as the page found it, for the tests that come next
        _empty_test_database()


def book_sybil(**options: Any) -> Sybil:
    """The Sybil configuration for the book's pages (and for the harness's own tests)."""
    return Sybil(
        parsers=[outside_literal_blocks(p) for p in (PyconParser(), PythonParser(), SkipParser())],
        patterns=["*.md"],
        setup=set_up_page,
        teardown=tear_down_page,
        **options,
    )
