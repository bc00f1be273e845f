"""Sphinx extension: SQL panels in ``pycon`` blocks, and the "verified with" statement.

* A ``pycon`` block whose expected output holds ``{sql}`` ... ``{/sql}`` sections is shown
  as one session: the Python input and results in ``pycon`` chunks, each SQL section in a
  collapsible, labelled panel between them. SQL panels and output-only chunks get no copy
  button, so a copy button only ever copies Python input.
* ``{verified-with}`` prints the versions and backends that the test runs of the current
  sources passed on (see :mod:`booktools.verification`); with no such run it warns, which
  fails the build, so the book is never published unverified.
"""

from __future__ import annotations

import html
from typing import ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from pygments.lexer import inherit
from pygments.lexers.sql import SqlLexer
from pygments.token import Punctuation
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from . import verification
from .transcript import PS1, PS2, display_chunks

logger = logging.getLogger(__name__)


class EchoedSqlLexer(SqlLexer):
    """SQL as SQLAlchemy logs it: statements, plus parameter lines holding Python literals.

    The parameters are a tuple, a list or (psycopg) a dict, whose braces plain SQL lexing
    rejects.
    """

    name = "SQL echoed by SQLAlchemy"
    aliases: ClassVar[list[str]] = ["sql-echo"]
    tokens: ClassVar[dict] = {"root": [(r"[{}]", Punctuation), inherit]}


class sql_panel(nodes.General, nodes.Element):
    """A collapsible panel holding the SQL that one step of a session emitted."""


def visit_sql_panel_html(self, node: sql_panel) -> None:
    self.body.append(
        '<details class="sql-panel" open>'
        '<summary><span class="sql-panel-label">SQL emitted</span></summary>'
    )


def depart_sql_panel_html(self, node: sql_panel) -> None:
    self.body.append("</details>")


def _pass(self, node: nodes.Node) -> None:
    pass


def split_sql_sessions(app: Sphinx, doctree: nodes.document) -> None:
    for block in list(doctree.findall(nodes.literal_block)):
        if block.get("language") != "pycon" or "{sql}" not in block.astext():
            continue
        session = nodes.container(classes=["pycon-session"])
        for kind, text in display_chunks(block.astext()):
            if kind == "sql":
                panel = sql_panel()
                panel += nodes.literal_block(text, text, language="sql-echo", classes=["sql-echo"])
                session += panel
            else:
                has_input = any(line.startswith((PS1, PS2.rstrip())) for line in text.splitlines())
                classes = [] if has_input else ["output-only"]
                session += nodes.literal_block(text, text, language="pycon", classes=classes)
        session.source, session.line = block.source, block.line
        block.replace_self(session)


class VerifiedWith(SphinxDirective):
    """``{verified-with}``: the environments in which every snippet of this book passed."""

    option_spec: ClassVar[dict] = {"style": lambda arg: directives.choice(arg, ("list", "line"))}

    def run(self) -> list[nodes.Node]:
        self.env.note_reread()  # the records change without the page changing
        records = verification.current_records()
        if not records:
            logger.warning(
                "no passing test run of the current sources in build/verification/: run "
                "'nox -s tests' (or 'nox -s docs', which runs the SQLite suite first)",
                location=self.get_location(),
            )
            return []
        if self.options.get("style") == "line":
            text = verification.summary(records)
            return [nodes.paragraph(text, text, classes=["verified-line"])]
        items = nodes.bullet_list()
        for r in records:
            text = (
                f"SQLAlchemy {r['sqlalchemy']} on {verification.backend_name(r)}, Python {r['python']}: "
                f"{r['passed']} snippets passed, {r['skipped']} skipped "
                f"(written for another backend or series), on {r['date']}"
            )
            items += nodes.list_item("", nodes.paragraph(text, text))
        return [items]


def verified_footer(app: Sphinx, config) -> None:
    """Every page's footer says what the book was last verified with (see VerifiedWith)."""
    records = verification.current_records()
    if records:
        line = html.escape(verification.summary(records))
        config.html_theme_options["extra_footer"] = f'<p class="verified-line">{line}</p>'


def reuse_formatters(app: Sphinx) -> None:
    """Make Sphinx's highlighter reuse one Pygments formatter per set of options.

    Sphinx builds a new ``HtmlFormatter`` for every code block, and each one converts the
    whole colour style into CSS classes first: with some 2,000 blocks that was a tenth of
    the build (see bench/README.md). A formatter keeps no state between blocks, so one per
    set of options gives the same HTML.
    """
    for name in ("highlighter", "dark_highlighter"):
        bridge = getattr(app.builder, name, None)
        if bridge is None:
            continue
        make, formatters = bridge.get_formatter, {}

        def get_formatter(make=make, formatters=formatters, **options):
            key = repr(sorted(options.items()))
            if key not in formatters:
                formatters[key] = make(**options)
            return formatters[key]

        bridge.get_formatter = get_formatter


def setup(app: Sphinx) -> dict:
    app.add_node(
        sql_panel,
        html=(visit_sql_panel_html, depart_sql_panel_html),
        latex=(_pass, _pass),
        text=(_pass, _pass),
    )
    app.add_lexer("sql-echo", EchoedSqlLexer)
    app.connect("doctree-read", split_sql_sessions)
    app.add_directive("verified-with", VerifiedWith)
    app.connect("config-inited", verified_footer)
    app.connect("builder-inited", reuse_formatters)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
