"""A page's snippets in reading order, as a reader would type them.

The test harness runs snippets through Sybil with their expected output; other tools (the
notebook and script downloads, the benchmark's no-harness floor) only need the code, where
it stands on the page, and which runs it is written for. This module gives them that, from
the same parsers the harness uses, so that every tool agrees on what a page's code is.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sybil import Example, Sybil

from .harness import book_sybil, only_tags, source_line, written_for
from .transcript import split_want


@dataclass(frozen=True)
class Snippet:
    """One ``>>>`` example of a ``pycon`` block, or one whole ``python`` block."""

    source: str
    #: 1-based page line of the snippet's first source line
    line: int
    #: offsets of the snippet's region (prompts and expected output included) in the page text
    start: int
    end: int
    #: ``% only:`` tags above its block: "sqlite", "postgresql", "sqlalchemy-2.1", ...
    tags: frozenset[str]
    #: the page expects this snippet to raise (its expected output ends in a traceback)
    raises: bool
    #: False for a block written inside a ``%`` comment (``invisible-code-block``)
    visible: bool

    def runs_on(self, backend: str, series: str) -> bool:
        """Whether a run on ``backend`` ("sqlite" or "postgresql") with ``series``
        ("sqlalchemy-2.1", ...) executes this snippet."""
        return written_for(self.tags, backend, series)


def _snippet(example: Example, text: str) -> Snippet | None:
    parser = example.region.evaluator
    if getattr(parser, "__name__", "") == "evaluate_pycon":
        pycon = example.parsed
        first_line = example.region.lexemes["first_line"]
        raises = any(segment.kind == "error" for segment in split_want(pycon.want))
        return Snippet(
            pycon.source,
            first_line + pycon.source_line,
            example.start,
            example.end,
            frozenset(only_tags(example)),
            raises,
            visible=True,
        )
    if getattr(parser, "__name__", "") == "evaluate_python":
        # an invisible block sits inside a "%" comment, so its first line starts with "%"
        block_start = example.region.lexemes.get("block_start", example.start)
        line_start = text.rfind("\n", 0, block_start) + 1
        visible = not text[line_start:].lstrip().startswith("%")
        return Snippet(
            str(example.parsed),
            source_line(example),
            example.start,
            example.end,
            frozenset(only_tags(example)),
            raises=False,
            visible=visible,
        )
    return None  # a "% skip" marker, which only steers the harness


@cache
def _sybil() -> Sybil:
    return book_sybil()  # made once: making one inspects the call stack, which is slow


def page_snippets(path: Path) -> list[Snippet]:
    """Every snippet of the page at ``path``, in page order."""
    document = _sybil().parse(Path(path))
    snippets = (_snippet(example, document.text) for example in document.examples())
    return [snippet for snippet in snippets if snippet is not None]
