"""Accessibility fixes to HTML that the book's Sphinx extensions and theme write.

myst-nb's hidden code cells (``hide-input``, the notebook page ``orm/performance``) open
with a ``<summary aria-label="Toggle hidden content">`` that shows "Show code cell source":
a name that leaves out the visible text fails WCAG 2.5.3, Label in Name (axe's
``label-content-name-mismatch``), since speech users say what they see. The summary is
written the same, without that label, so that its name is its visible text.

In the sidebar, a chapter with pages of its own (the errors reference) has a toggle that
shows or hides them: pydata-sphinx-theme writes it as a ``<summary>`` holding only a chevron
icon, a control without a name (axe's ``summary-name``). It is named after its chapter.
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


def name_sidebar_toggles(app: Sphinx, pagename: str, templatename: str, context, doctree):
    """Wrap the theme's ``generate_toctree_html`` so that each nameless toggle of the table
    of contents it returns (a BeautifulSoup tree) is labelled "Pages of <its chapter>"."""
    generate = context.get("generate_toctree_html")
    if generate is None:
        return

    def with_named_toggles(*args, **kwargs):
        toctree = generate(*args, **kwargs)
        for summary in toctree.select("li > details > summary") if toctree else ():
            chapter = summary.parent.find_previous_sibling("a")
            if chapter is not None and not summary.get_text(strip=True):
                summary["aria-label"] = f"Pages of {chapter.get_text(strip=True)}"
        return toctree

    context["generate_toctree_html"] = with_named_toggles


def setup(app: Sphinx) -> dict[str, object]:
    app.setup_extension("myst_nb")
    app.add_node(HideCodeCellNode, override=True, html=(visit_hidden_cell, depart_HideCellInput))
    # after pydata-sphinx-theme's handler, which puts generate_toctree_html in the context
    app.connect("html-page-context", name_sidebar_toggles, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
