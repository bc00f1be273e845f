"""Sphinx extension: what the book was verified with.

``{verified-with}`` prints the versions and backends that the test runs of the current
sources passed on (see :mod:`booktools.records`), and the Pyodide run of the examples that
run in the browser (``nox -s pyodide``); with no such run it warns, which fails
the build, so the book is never published unverified. Every page's footer says the same in
one line.
"""

from __future__ import annotations

import html
from typing import ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from booktools.records import PYODIDE, backend_name, current_records, summary

logger = logging.getLogger(__name__)


class VerifiedWith(SphinxDirective):
    """``{verified-with}``: the environments in which every snippet of this book passed."""

    option_spec: ClassVar[dict] = {"style": lambda arg: directives.choice(arg, ("list", "line"))}

    def run(self) -> list[nodes.Node]:
        self.env.note_reread()  # the records change without the page changing
        records = current_records()
        if not any(r["backend"] != PYODIDE for r in records):  # the tests' runs are the proof
            logger.warning(
                "no passing test run of the current sources in build/verification/: run "
                "'nox -s tests' (or 'nox -s docs', which runs the SQLite suite first)",
                location=self.get_location(),
            )
            return []
        if self.options.get("style") == "line":
            text = summary(records)
            return [nodes.paragraph(text, text, classes=["verified-line"])]
        items = nodes.bullet_list()
        for r in records:
            skipped = (
                "not run (they do not run in the browser)" if r["backend"] == PYODIDE
                else "skipped (written for another backend or series)"
            )
            text = (
                f"SQLAlchemy {r['sqlalchemy']} on {backend_name(r)}, Python {r['python']}: "
                f"{r['passed']} snippets passed, {r['skipped']} {skipped}, on {r['date']}"
            )
            items += nodes.list_item("", nodes.paragraph(text, text))
        return [items]


def verified_footer(app: Sphinx, config) -> None:
    """Every page's footer says what the book was last verified with (see VerifiedWith)."""
    records = current_records()
    if any(r["backend"] != PYODIDE for r in records):
        line = html.escape(summary(records))
        config.html_theme_options["extra_footer"] = f'<p class="verified-line">{line}</p>'


def setup(app: Sphinx) -> dict:
    app.add_directive("verified-with", VerifiedWith)
    app.connect("config-inited", verified_footer)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
