"""Sphinx extension: SQL panels in ``pycon`` blocks.

A ``pycon`` block whose expected output holds ``{sql}`` ... ``{/sql}`` sections is shown
as one session: the Python input and results in ``pycon`` chunks, each SQL section in a
collapsible, labelled panel between them (the chunks come from the one reader of the
syntax, :func:`booktools.pages.pycon.display_chunks`). SQL panels and output-only chunks get
no copy button, so a copy button only ever copies Python input.
"""

from __future__ import annotations

from typing import ClassVar

from docutils import nodes
from pygments.lexer import inherit
from pygments.lexers.sql import SqlLexer
from pygments.token import Punctuation
from sphinx.application import Sphinx

from booktools.pages.pycon import PS1, PS2, display_chunks


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


def setup(app: Sphinx) -> dict:
    app.add_node(
        sql_panel,
        html=(visit_sql_panel_html, depart_sql_panel_html),
        latex=(_pass, _pass),
        text=(_pass, _pass),
    )
    app.add_lexer("sql-echo", EchoedSqlLexer)
    app.connect("doctree-read", split_sql_sessions)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
