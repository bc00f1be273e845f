"""Accessibility fixes to HTML that the book's Sphinx extensions write.

myst-nb's hidden code cells (``hide-input``, the notebook page ``orm/performance``) open
with a ``<summary aria-label="Toggle hidden content">`` that shows "Show code cell source":
a name that leaves out the visible text fails WCAG 2.5.3, Label in Name (axe's
``label-content-name-mismatch``), since speech users say what they see. The summary is
written the same, without that label, so that its name is its visible text.

pydata-sphinx-theme's sidebar shows a chapter's pages under it (the errors reference's
parts, say) in a ``<details>`` after the chapter's link, whose ``<summary>`` holds only the
chevron icon, marked decorative: a disclosure button without a name (axe's
``summary-name``, serious; WCAG 4.1.2). :func:`name_toctree_toggles` names each one after
its chapter, "Pages under <the chapter's title>"; screen readers add "expanded" or
"collapsed".
"""

from __future__ import annotations

from html import escape

from myst_nb.sphinx_ import HideCodeCellNode, depart_HideCellInput
from sphinx.application import Sphinx

#: After pydata-sphinx-theme's html-page-context handler, which puts the function in the
#: context (default priority, 500).
_AFTER_THE_THEME = 600


def visit_hidden_cell(self, node: HideCodeCellNode) -> None:
    classes = " ".join(node["classes"])
    self.body.append(f'<details class="admonition hide {classes}">\n<summary>\n')
    self.body.append(f'<p class="collapsed admonition-title">{escape(node["prompt_show"])}</p>\n')
    self.body.append(f'<p class="expanded admonition-title">{escape(node["prompt_hide"])}</p>\n')
    self.body.append("</summary>\n")


def name_toggles(soup) -> None:
    """Name the nameless toggles of ``soup``, the theme's sidebar: each ``<summary>`` with no
    text, after the link that its ``<details>`` follows."""
    for summary in soup.select("li > a.reference + details > summary"):
        if summary.get("aria-label") or summary.get_text(strip=True):
            continue
        title = summary.parent.find_previous_sibling("a").get_text()
        summary["aria-label"] = "Pages under " + " ".join(title.split())


def name_toctree_toggles(app: Sphinx, pagename: str, templatename: str, context, doctree):
    """Wrap the theme's ``generate_toctree_html`` so that the sidebar it returns (a
    BeautifulSoup tree, which the template prints) has its toggles named."""
    generate = context.get("generate_toctree_html")
    if generate is None:
        return

    def generate_named(*args, **kwargs):
        toctree = generate(*args, **kwargs)
        if hasattr(toctree, "select"):  # the sidebar's tree ("raw" returns a string)
            name_toggles(toctree)
        return toctree

    context["generate_toctree_html"] = generate_named


def setup(app: Sphinx) -> dict[str, object]:
    app.setup_extension("myst_nb")
    app.add_node(HideCodeCellNode, override=True, html=(visit_hidden_cell, depart_HideCellInput))
    app.connect("html-page-context", name_toctree_toggles, priority=_AFTER_THE_THEME)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
