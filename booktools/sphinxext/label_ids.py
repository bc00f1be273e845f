"""Sphinx extension: a label keeps its exact name as its section's id.

Docutils makes ids from names with ``make_id``, which drops leading digits: the label
``(7s2a)=`` would become the id ``s2a``, and ``(8s2a)=`` then ``id1``, as the two clash.
SQLAlchemy's error codes are such labels (the pages of ``docs/reference/errors/`` have a
section for each), and readers arrive with the code in the address,
``reference/errors/sessions.html#7s2a`` (or ``reference/errors.html#7s2a``, which sends them
there). So each explicit label made only of lowercase letters, digits and hyphens keeps its
name as its id (HTML5 allows ids that start with a digit; the theme finds the page's
sections with ``getElementById()``, which needs no CSS escaping of such ids). The transform
runs before Sphinx records the labels (``SphinxDomains``, priority 850), so ``{ref}``
links use the same id.
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform

LABEL = re.compile(r"[a-z0-9][a-z0-9-]*")


class ExactLabelIds(SphinxTransform):
    """Replace the id docutils made of a label by the label itself, wherever it is used."""

    default_priority = 840

    def apply(self, **kwargs) -> None:
        document = self.document
        for name, explicit in list(document.nametypes.items()):
            labelid = document.nameids.get(name)
            if not explicit or labelid is None or labelid == name:
                continue
            if not LABEL.fullmatch(name) or name in document.ids:
                continue
            node = document.ids[labelid]
            if isinstance(node, nodes.target) and "refid" in node:
                continue  # a target that points on: the node it points at carries the id
            node["ids"] = [name if i == labelid else i for i in node["ids"]]
            del document.ids[labelid]
            document.ids[name] = node
            document.nameids[name] = name
            for target in document.findall(nodes.target):
                if target.get("refid") == labelid:
                    target["refid"] = name


def setup(app: Sphinx) -> dict:
    app.add_transform(ExactLabelIds)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
