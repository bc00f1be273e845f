"""The syntax of a ``pycon`` block, shared by the test harness and the Sphinx renderer.

A ``pycon`` block is a sequence of examples. Each example is one or more input lines
(``>>> `` then ``... `` continuations) followed by its expected output. Inside the
expected output, the SQL that SQLAlchemy logs is fenced by two marker lines::

    >>> with engine.begin() as conn:
    ...     conn.execute(text("INSERT INTO pet (name) VALUES ('Rex')"))
    {sql}
    BEGIN (implicit)
    INSERT INTO pet (name) VALUES ('Rex')
    [...] ()
    COMMIT
    {/sql}

The renderer shows each fenced part as a collapsible SQL panel; the harness compares it
with what the SQLAlchemy engine logger really emitted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

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


@dataclass
class Segment:
    """A run of expected or actual output lines of one kind: "sql", "out" or "error"."""

    kind: str
    lines: list[str] = field(default_factory=list)


@dataclass
class PyconExample:
    """One ``>>>`` statement of a ``pycon`` block and the output it must produce."""

    source: str
    want: list[str]
    #: 0-based index, within the block, of the first input line and of the first output line
    source_line: int
    want_line: int


class PyconSyntaxError(ValueError):
    pass


def parse_pycon(text: str) -> list[PyconExample]:
    """Split the text of a ``pycon`` block into examples."""
    lines = text.splitlines()
    examples: list[PyconExample] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        if not is_input(line):
            raise PyconSyntaxError(
                f"block line {i + 1}: {line!r} is neither a '>>> ' prompt nor the output of "
                "one (output ends at the first blank line; write <BLANKLINE> for an empty one)"
            )
        start = i
        source = [line[4:]]
        i += 1
        while i < len(lines) and is_continuation(lines[i]):
            source.append(lines[i][4:])
            i += 1
        want_start = i
        want = []
        while i < len(lines) and lines[i].strip() and not is_input(lines[i]):
            want.append(lines[i])
            i += 1
        examples.append(PyconExample("\n".join(source) + "\n", want, start, want_start))
    return examples


def split_want(want: list[str]) -> list[Segment]:
    """Group expected output lines into SQL, plain output and error segments.

    A traceback keeps its header and its final exception lines; the stack between them is
    never compared (it is conventionally written as ``...``).
    """
    segments: list[Segment] = []
    in_sql = False
    lines = iter(want)
    for line in lines:
        if line.strip() == SQL_OPEN:
            if in_sql:
                raise PyconSyntaxError(f"{SQL_OPEN} inside an open {SQL_OPEN} section")
            in_sql = True
            segments.append(Segment("sql"))
        elif line.strip() == SQL_CLOSE:
            if not in_sql:
                raise PyconSyntaxError(f"{SQL_CLOSE} without a matching {SQL_OPEN}")
            in_sql = False
        elif in_sql:
            segments[-1].lines.append(normalize_sql_line(line))
        elif line == TRACEBACK_HEADER:
            error = Segment("error", [line])
            for rest in lines:
                # the stack is indented or elided; the exception starts at column 0
                if error.lines[1:] or re.match(r"\w", rest):
                    error.lines.append("" if rest == BLANKLINE else rest.rstrip())
            segments.append(error)
        else:
            if not segments or segments[-1].kind != "out":
                segments.append(Segment("out"))
            # trailing spaces are invisible on the page and editors strip them
            segments[-1].lines.append("" if line == BLANKLINE else line.rstrip())
    if in_sql:
        raise PyconSyntaxError(f"{SQL_OPEN} section is not closed with {SQL_CLOSE}")
    return segments


def render_want(segments: list[Segment]) -> list[str]:
    """The inverse of :func:`split_want`: the lines to write on a page for these segments."""
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
    """Split a ``pycon`` block's text into ("pycon", text) and ("sql", text) chunks for display."""
    chunks: list[tuple[str, list[str]]] = []
    kind = "pycon"
    for line in text.splitlines():
        stripped = line.strip()
        if stripped in (SQL_OPEN, SQL_CLOSE):
            kind = "sql" if stripped == SQL_OPEN else "pycon"
            chunks.append((kind, []))
            continue
        if not chunks:
            chunks.append((kind, []))
        chunks[-1][1].append(line if kind == "sql" else ("" if line == BLANKLINE else line))
    return [(k, "\n".join(lines)) for k, lines in chunks if any(x.strip() for x in lines)]
