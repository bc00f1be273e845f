"""The syntax of a ``pycon`` block: the one place that reads (and writes) it.

A ``pycon`` block is a sequence of steps. Each step is one or more input lines (``>>> ``
then ``... `` continuations) followed by its expected output. Inside the expected output,
the SQL that SQLAlchemy logs is fenced by two marker lines::

    >>> with engine.begin() as conn:
    ...     conn.execute(text("INSERT INTO pet (name) VALUES ('Rex')"))
    {sql}
    BEGIN (implicit)
    INSERT INTO pet (name) VALUES ('Rex')
    [...] ()
    COMMIT
    {/sql}

The expected output is a sequence of :class:`Segment`: printed output ("out", warnings
included, written ``UserWarning: message``), SQL ("sql") and an exception ("error", a
traceback whose stack is written ``...``). The test harness compares them with what really
happened; the Sphinx build shows each SQL segment as a collapsible panel
(:func:`display_chunks`). Both read the lines through :func:`classify`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

SQL_OPEN = "{sql}"
SQL_CLOSE = "{/sql}"
BLANKLINE = "<BLANKLINE>"
TRACEBACK_HEADER = "Traceback (most recent call last):"

PS1 = ">>> "
PS2 = "... "

# SQLAlchemy prefixes each parameter line with how the statement was compiled and a
# duration ("[generated in 0.00012s]", "[cached since 3.2e-05s ago]"). The duration is the
# only part of the echo that changes from run to run, so the whole annotation becomes
# "[...]"; everything after it (the parameters, "1/1 (unordered)") is compared exactly.
_TIMING = re.compile(
    r"^\[(?:generated in|cached since|no key|caching disabled(?: \([^)]*\))?"
    r"|dialect \S+ does not support caching) [-+.\deE]+s(?: ago)?(?:\s*(?=\]))?"
)


def normalize_sql_line(line: str) -> str:
    """The form in which an echoed SQL line is written on a page and compared."""
    return _TIMING.sub("[...", line, count=1).expandtabs(4).rstrip()


def is_input(line: str) -> bool:
    return line.startswith(PS1) or line == PS1.rstrip()


def is_continuation(line: str) -> bool:
    return line.startswith(PS2) or line == PS2.rstrip()


@dataclass(frozen=True)
class Segment:
    """A run of output lines of one kind: "out" (printed text, values and warnings),
    "sql" (what the engine logged) or "error" (the traceback's header and exception)."""

    kind: str
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class Step:
    """One ``>>>`` input of a ``pycon`` block and the output it must produce.

    Lines are counted from the ``first_line`` given to :func:`parse_steps` (the page model
    gives the block's first page line); ``start`` and ``end`` are the step's offsets in the
    page (its input and expected-output lines), which the page model fills in.
    """

    source: str
    #: the first input line and the first expected-output line
    line: int
    expected_line: int
    #: how many lines the expected output takes on the page (0: none)
    expected_count: int
    expected: tuple[Segment, ...]
    start: int = 0
    end: int = 0

    @property
    def raises(self) -> bool:
        """The page expects this step to raise."""
        return any(segment.kind == "error" for segment in self.expected)

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(segment.kind for segment in self.expected)


class PyconSyntaxError(ValueError):
    """A block that is not valid ``pycon``; ``index`` is the 0-based block line."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index = index


#: The kinds of line :func:`classify` tells apart.
INPUT, CONTINUATION, BLANK, OUTPUT, OPEN, SQL, CLOSE = (
    "input", "continuation", "blank", "output", "open", "sql", "close",
)


def classify(lines: list[str]) -> Iterator[tuple[str, str]]:
    """Each line of a block with its kind: the one reading of the syntax."""
    in_sql = False
    expecting = False  # after an input line, before the blank line that ends its output
    for line in lines:
        stripped = line.strip()
        if stripped == SQL_OPEN:
            in_sql = True
            yield OPEN, line
        elif stripped == SQL_CLOSE:
            in_sql = False
            yield CLOSE, line
        elif in_sql:
            yield SQL, line
        elif is_input(line):
            expecting = True
            yield INPUT, line
        elif expecting and is_continuation(line):
            yield CONTINUATION, line
        elif not stripped:
            expecting = False
            yield BLANK, line
        else:
            yield OUTPUT, line


def parse_steps(text: str, first_line: int = 1) -> list[Step]:
    """Split the text of a ``pycon`` block, whose first line is ``first_line``, into steps;
    :class:`PyconSyntaxError` if it is not valid."""
    typed = list(classify(text.splitlines()))
    steps: list[Step] = []
    i = 0
    while i < len(typed):
        kind, line = typed[i]
        if kind == BLANK:
            i += 1
            continue
        if kind != INPUT:
            raise PyconSyntaxError(
                i,
                f"block line {i + 1}: {line!r} is neither a '>>> ' prompt nor the output of "
                "one (output ends at the first blank line; write <BLANKLINE> for an empty one)",
            )
        start = i
        source = [line[4:]]
        i += 1
        while i < len(typed) and typed[i][0] == CONTINUATION:
            source.append(typed[i][1][4:])
            i += 1
        expected_start = i
        while i < len(typed) and typed[i][0] not in (BLANK, INPUT):
            i += 1
        expected = _segments(typed[expected_start:i], expected_start)
        steps.append(
            Step(
                "\n".join(source) + "\n", first_line + start, first_line + expected_start,
                i - expected_start, expected,
            )
        )
    return steps


def _segments(typed: list[tuple[str, str]], first: int) -> tuple[Segment, ...]:
    """Group expected output lines into SQL, plain output and error segments.

    A traceback keeps its header and its final exception lines; the stack between them is
    never compared (it is conventionally written as ``...``).
    """
    segments: list[tuple[str, list[str]]] = []
    open_at = None
    lines = iter(enumerate(typed, first))
    for index, (kind, line) in lines:
        if kind == OPEN:
            if open_at is not None:
                raise PyconSyntaxError(index, f"{SQL_OPEN} inside an open {SQL_OPEN} section")
            open_at = index
            segments.append(("sql", []))
        elif kind == CLOSE:
            if open_at is None:
                raise PyconSyntaxError(index, f"{SQL_CLOSE} without a matching {SQL_OPEN}")
            open_at = None
        elif kind == SQL:
            segments[-1][1].append(normalize_sql_line(line))
        elif line == TRACEBACK_HEADER:
            error = [line]
            for _, (_, rest) in lines:
                # the stack is indented or elided; the exception starts at column 0
                if error[1:] or re.match(r"\w", rest):
                    error.append("" if rest == BLANKLINE else rest.rstrip())
            segments.append(("error", error))
        else:
            if not segments or segments[-1][0] != "out":
                segments.append(("out", []))
            # trailing spaces are invisible on the page and editors strip them
            segments[-1][1].append("" if line == BLANKLINE else line.rstrip())
    if open_at is not None:
        raise PyconSyntaxError(open_at, f"{SQL_OPEN} section is not closed with {SQL_CLOSE}")
    return tuple(Segment(kind, tuple(lines)) for kind, lines in segments)


def render(segments: tuple[Segment, ...] | list[Segment]) -> list[str]:
    """The inverse of the expected-output parsing: the lines to write on a page."""
    lines: list[str] = []
    for segment in segments:
        if segment.kind == "sql":
            lines += [SQL_OPEN, *segment.lines, SQL_CLOSE]
        elif segment.kind == "error":
            lines += [segment.lines[0], "...", *segment.lines[1:]]
        else:
            lines += [line or BLANKLINE for line in segment.lines]
    return lines


def display_chunks(text: str) -> list[tuple[str, str]]:
    """A block's text as ("pycon", text) and ("sql", text) chunks, for display."""
    chunks: list[tuple[str, list[str]]] = []
    for kind, line in classify(text.splitlines()):
        if kind in (OPEN, CLOSE):
            chunks.append(("sql" if kind == OPEN else "pycon", []))
            continue
        if not chunks:
            chunks.append(("pycon", []))
        chunks[-1][1].append(line if kind == SQL else ("" if line == BLANKLINE else line))
    return [(k, "\n".join(lines)) for k, lines in chunks if any(x.strip() for x in lines)]
