"""Tabs that remember the reader's choice of backend and, apart from it, of series.

sphinx-design keeps the last tab a reader chose in each sync group in the browser's
``localStorage`` and selects it again on every page (its ``design-tabs.js``). Every tab-set
is in one group unless it names another, so choosing "SQLAlchemy 2.0" would replace an
earlier choice of "PostgreSQL". This puts each tab in the group its ``:sync:`` tag belongs to,
``backend`` (``sqlite``, ``postgresql``) or ``series`` (``sqlalchemy-2.0``, ...), so that the
two choices are remembered independently. Pages need not say anything more than ``:sync:``.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx

#: sphinx-design's group for a tab-set that names none
DEFAULT_GROUP = "tab"


def sync_group(sync_id: str) -> str | None:
    """The group of a tab's ``:sync:`` tag, or None for a tag that is not a run tag."""
    if sync_id in ("sqlite", "postgresql"):
        return "backend"
    if sync_id.startswith("sqlalchemy-"):
        return "series"
    return None


def group_tabs(app: Sphinx, doctree: nodes.document) -> None:
    for node in doctree.findall(nodes.Element):
        if node.get("sync_group") == DEFAULT_GROUP and "sync_id" in node:
            node["sync_group"] = sync_group(node["sync_id"]) or DEFAULT_GROUP


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("doctree-read", group_tabs)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
