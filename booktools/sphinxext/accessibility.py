"""Accessibility fixes to HTML that the book's Sphinx extensions write.

myst-nb's hidden code cells (``hide-input``, the notebook page ``orm/performance``) open
with a ``<summary aria-label="Toggle hidden content">`` that shows "Show code cell source":
a name that leaves out the visible text fails WCAG 2.5.3, Label in Name (axe's
``label-content-name-mismatch``), since speech users say what they see. The summary is
written the same, without that label, so that its name is its visible text.
"""

from __future__ import annotations

from html import escape

from myst_nb.sphinx_ import HideCodeCellNode, depart_HideCellInput
from sphinx.application import Sphinx


def visit_hidden_cell(self, node: HideCodeCellNode) -> None:
    classes = " ".join(node["classes"])
    self.body.append(f'<details class="admonition hide {classes}">\n<summary>\n')
    self.body.append(f'<p class="collapsed admonition-title">{escape(node["prompt_show"])}</p>\n')
    self.body.append(f'<p class="expanded admonition-title">{escape(node["prompt_hide"])}</p>\n')
    self.body.append("</summary>\n")


def setup(app: Sphinx) -> dict[str, object]:
    app.setup_extension("myst_nb")
    app.add_node(HideCodeCellNode, override=True, html=(visit_hidden_cell, depart_HideCellInput))
    return {"parallel_read_safe": True, "parallel_write_safe": True}
