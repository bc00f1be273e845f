"""A step's record against its page: whether they match, and the failure report.

The report names the page and the line of the first difference, then shows a unified diff
of the expected output (as written on the page) and the actual one.
"""

from __future__ import annotations

import difflib
import doctest
import os

from booktools.pages.pycon import Segment, render

_CHECKER = doctest.OutputChecker()


def without_sql(segments: tuple[Segment, ...]) -> tuple[Segment, ...]:
    merged: list[Segment] = []
    for segment in segments:
        if segment.kind == "sql":
            continue
        if merged and merged[-1].kind == segment.kind == "out":
            merged[-1] = Segment("out", merged[-1].lines + segment.lines)
        else:
            merged.append(segment)
    return tuple(merged)


def matches(expected: tuple[Segment, ...], actual: tuple[Segment, ...], compare_sql: bool) -> bool:
    """SQL compared line by line; output and errors as doctest does, with ``...``."""
    if not compare_sql:
        expected, actual = without_sql(expected), without_sql(actual)
    if [s.kind for s in expected] != [s.kind for s in actual]:
        return False
    for want, got in zip(expected, actual, strict=True):
        if want.kind == "sql":
            if want.lines != got.lines:
                return False
        else:
            want_text = "\n".join(want.lines) + "\n"
            got_text = "\n".join(got.lines) + "\n"
            if not _CHECKER.check_output(want_text, got_text, doctest.ELLIPSIS):
                return False
    return True


def difference(
    path: str,
    expected_line: int,
    expected: tuple[Segment, ...],
    actual: tuple[Segment, ...],
    compare_sql: bool,
) -> str:
    """``page:line: output differs``, then the diff of the page's lines and the actual ones."""
    if not compare_sql:
        expected, actual = without_sql(expected), without_sql(actual)
    want, got = render(expected), render(actual)
    page = os.path.relpath(path)
    diff = difflib.unified_diff(
        want, got, f"expected ({page}:{expected_line})", "actual", lineterm="",
        n=len(want) + len(got),
    )
    first = next((i for i, (w, g) in enumerate(zip(want, got)) if w != g), min(len(want), len(got)))
    note = "" if compare_sql else " (SQL not compared on this backend)"
    return (
        f"{page}:{expected_line + first}: output differs{note}\n"
        + "\n".join(diff)
        + "\n(with --update-examples the page is rewritten with the actual output)"
    )
