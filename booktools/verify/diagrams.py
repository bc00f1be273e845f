"""The tables a page's ``{schema-diagram}`` directives name, for the build to draw.

``python -m booktools.verify.diagrams PAGE OUT.json [LINE ...]`` runs the page exactly as the
SQLite test run of the installed series runs it (the same Sybil document, page set-up,
evaluators and skips as ``pytest docs``), up to each directive (or to those on the given
lines), evaluates the directive's argument there (:func:`.collect.diagram_metadata`) and
writes, for each, its page line and the description of its tables
(:func:`booktools.diagrams.describe`), or the error.

The Sphinx extension (:mod:`booktools.sphinxext.schema_diagrams`) runs this in a separate
process, because building the book loads no test machinery (``tests/test_layout.py``),
and caches what it writes under ``build/schema-diagrams/``.
"""

from __future__ import annotations

import json
import os
import sys
import unittest
from pathlib import Path

import pytest
from sybil.example import SybilFailure

from booktools.diagrams import describe

from .backend import DATABASE_URL_VARIABLE, set_up_page, tear_down_page
from .collect import DiagramError, SchemaDiagram, book_sybil, diagram_metadata


def page_diagrams(path: Path, lines: set[int] | None = None) -> list[dict]:
    """Each wanted diagram of the page at ``path``: ``{"line", "schema"}`` or ``{"line",
    "error"}``."""
    document = book_sybil().parse(path)
    wanted = [
        e.parsed.fence.line
        for e in document
        if isinstance(e.parsed, SchemaDiagram) and (lines is None or e.parsed.fence.line in lines)
    ]
    found: list[dict] = []
    set_up_page(document.namespace)
    try:
        for example in document:
            if len(found) == len(wanted):
                break
            code = example.parsed
            if isinstance(code, SchemaDiagram):
                if code.fence.line in wanted:
                    try:
                        schema = describe(diagram_metadata(code, example.namespace))
                    except DiagramError as error:
                        found.append({"line": code.fence.line, "error": str(error)})
                    else:
                        found.append({"line": code.fence.line, "schema": schema})
                continue
            try:
                example.evaluate()
            except (unittest.SkipTest, pytest.skip.Exception):
                pass  # written for another backend or series, or skipped by the page
            except SybilFailure:
                pass  # it ran, but showed other output than the page: the tests report that
    finally:
        tear_down_page(document.namespace)
    return found


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print("usage: python -m booktools.verify.diagrams PAGE OUT.json [LINE ...]", file=sys.stderr)
        return 2
    if os.environ.get(DATABASE_URL_VARIABLE):
        print(f"unset {DATABASE_URL_VARIABLE}: diagrams are drawn from the SQLite run", file=sys.stderr)
        return 2
    page, out, *lines = argv
    found = page_diagrams(Path(page), {int(n) for n in lines} if lines else None)
    Path(out).write_text(json.dumps(found, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
