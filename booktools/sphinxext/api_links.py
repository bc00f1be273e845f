"""Sphinx extension: SQLAlchemy names in the prose link to the official API documentation.

Two things, both checked at build time against the documentation of the SQLAlchemy version
the book is built with (see :mod:`booktools.sphinxext.inventory`, which makes its inventory):

* **Automatic links.** Inline code in prose, such as ```Session.execute()``` or
  ```selectinload```, becomes an intersphinx reference when its text, less a trailing
  ``()`` or ``[...]``, names exactly one documented SQLAlchemy object: a module-level
  name (``select``, ``Mapped``, ``IntegrityError``), a class member written with its class
  (``Session.execute``, ``Select.where``) or a full dotted name; ``func.count()`` means
  ``sqlalchemy.sql.functions.count``. A name that several objects share goes to the one
  in :data:`PREFERRED` or stays plain, so a method written without its class
  (``commit()``, ``join()``) stays plain. Words that pages use for something else (a
  column named ``text``, the ``delete`` cascade, SQL's ``INTEGER``) link only when
  written as a call, ``text()`` (:data:`NOT_BARE`, :data:`SQL_TYPES`). Inline code in
  headings, in links and in code blocks is left alone, and so is inline code written
  with a role, ``{code}`insert()```: the way to keep one name plain. Everything else
  takes an explicit role, ``{py:meth}`Session.get() <sqlalchemy.orm.Session.get>```;
  nitpicky mode fails the build on any such link the inventory does not have.
* **The ``{sqla}`` role**, for narrative pages and sections that no inventory lists:
  ``{sqla}`Cascades <orm/cascades.html#delete-orphan>```. The page must exist in the
  documentation and the anchor on that page, or the build warns (and fails); a target
  that the inventory lists as an API object must use its ``{py:...}`` role instead.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from functools import cache
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.docutils import ReferenceRole

logger = logging.getLogger(__name__)

INVENTORY = "sqlalchemy"  # the intersphinx_mapping key of the SQLAlchemy documentation

#: The Python role of each inventory object type.
ROLES = {
    "py:function": "func",
    "py:class": "class",
    "py:exception": "exc",
    "py:method": "meth",
    "py:attribute": "attr",
    "py:property": "attr",
    "py:data": "data",
    "py:module": "mod",
}

#: Names that several documented objects share, and the one the book means by each. For a
#: name written without its class, such as ``select()``, that means the module-level
#: function rather than the methods of the same name (``Table.select()``, ...); a shared
#: name not listed here stays plain (``join()`` is usually ``Select.join()``, but not always).
PREFERRED = {
    name.rpartition(".")[2]: name
    for name in [
        "sqlalchemy.sql.expression.select",
        "sqlalchemy.sql.expression.insert",
        "sqlalchemy.sql.expression.update",
        "sqlalchemy.sql.expression.delete",
        "sqlalchemy.sql.expression.exists",
        "sqlalchemy.sql.expression.union",
        "sqlalchemy.sql.expression.union_all",
        "sqlalchemy.sql.expression.and_",
        "sqlalchemy.sql.expression.or_",
        "sqlalchemy.sql.expression.not_",
        "sqlalchemy.sql.expression.cast",
        "sqlalchemy.sql.expression.case",
        "sqlalchemy.sql.expression.desc",
        "sqlalchemy.sql.expression.asc",
        "sqlalchemy.sql.expression.text",
        "sqlalchemy.orm.selectinload",
        "sqlalchemy.orm.joinedload",
        "sqlalchemy.orm.subqueryload",
        "sqlalchemy.orm.lazyload",
        "sqlalchemy.orm.noload",
        "sqlalchemy.orm.raiseload",
        "sqlalchemy.orm.defaultload",
        "sqlalchemy.orm.contains_eager",
        "sqlalchemy.orm.load_only",
        "sqlalchemy.orm.defer",
        "sqlalchemy.orm.undefer",
        "sqlalchemy.orm.with_parent",
        "sqlalchemy.types.JSON",
        "sqlalchemy.dialects.postgresql.ARRAY",  # the book's arrays are PostgreSQL's
        "sqlalchemy.types.UUID",
        "sqlalchemy.dialects.postgresql.JSONB",
    ]
}

#: Names that are also ordinary words, SQL keywords or a page's column and parameter names
#: (``text``, the ``delete`` cascade, the ``backref`` parameter): linked only as calls.
NOT_BARE = frozenset(
    [
        "text",
        "name",
        "count",
        "values",
        "label",
        "delete",
        "update",
        "insert",
        "join",
        "outerjoin",
        "exists",
        "true",
        "false",
        "null",
        "case",
        "cast",
        "column",
        "table",
        "literal",
        "alias",
        "union",
        "distinct",
        "desc",
        "asc",
        "extract",
        "over",
        "event",
        "func",
        "between",
        "tuple",
        "lateral",
        "collate",
        "all",
        "any",
        "backref",
    ]
)

#: Inline code that is taken as a name: a dotted name, maybe with ``()`` or ``[...]``.
NAME = re.compile(r"(?P<name>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)(?P<call>\(\))?(?:\[.*\])?")

#: Written ``func.count()``, documented as ``sqlalchemy.sql.functions.count``.
ALIASES = {"func.": "sqlalchemy.sql.functions."}

#: Modules whose objects a bare name never means: dialect-specific variants, and the SQL
#: functions, which are written ``func.count()`` (a bare ``user`` is a table, not a function).
NOT_BY_BARE_NAME = ("sqlalchemy.dialects.", "sqlalchemy.sql.functions.")

#: Types whose upper-case names (``INTEGER``, ``VARCHAR``) are, in prose, SQL's own.
SQL_TYPES = ("sqlalchemy.types.", "sqlalchemy.dialects.")


class ApiNames:
    """Which inventory object, if any, a piece of inline code names."""

    def __init__(self, objects: dict[str, str]) -> None:
        """``objects``: full name -> inventory type (``py:method``, ...) of every object."""
        self.objects = {
            name: kind
            for name, kind in objects.items()
            if kind in ROLES and kind != "py:module" and name.startswith("sqlalchemy.")
        }  # not modules: in prose, `sqlalchemy.engine` is as often a logger's name
        owners = {n for n, t in self.objects.items() if t in ("py:class", "py:exception")}
        self.dotted: dict[str, set[str]] = defaultdict(set)  # Session.execute, orm.Session, ...
        self.bare: dict[str, set[str]] = defaultdict(set)  # execute, Session, ...
        self.module_level = set()
        for full in self.objects:
            parts = full.split(".")
            self.bare[parts[-1]].add(full)
            if full.rpartition(".")[0] not in owners and not full.startswith(NOT_BY_BARE_NAME):
                self.module_level.add(full)
            for start in range(len(parts) - 1):
                self.dotted[".".join(parts[start:])].add(full)

    def resolve(self, text: str) -> str | None:
        """The full name that inline code ``text`` unambiguously names, or None."""
        match = NAME.fullmatch(text)
        if match is None:
            return None
        name = match["name"]
        if name in NOT_BARE and not match["call"]:
            return None
        for alias, full in ALIASES.items():
            if name.startswith(alias):
                name = full + name.removeprefix(alias)
        found = self.dotted.get(name, set()) if "." in name else self.bare.get(name, set())
        if PREFERRED.get(name) in found:
            return PREFERRED[name]
        if len(found) != 1 or not ("." in name or found <= self.module_level):
            return None
        (target,) = found
        if name.isupper() and not match["call"] and target.startswith(SQL_TYPES):
            return None  # SQL, as in "the column is INTEGER NOT NULL"
        return target


_NAMES: dict[int, tuple[object, ApiNames]] = {}


def _api_names(inventory: object) -> ApiNames:
    """The :class:`ApiNames` of an intersphinx inventory, made once per inventory."""
    if _NAMES.get(id(inventory), (None,))[0] is not inventory:
        data = getattr(inventory, "data", inventory)  # Sphinx 9 wraps the type -> name dict
        objects = {name: kind for kind, items in data.items() for name in items}
        _NAMES[id(inventory)] = (inventory, ApiNames(objects))
        for name in sorted(set(PREFERRED.values()) - set(objects)):
            logger.warning("PREFERRED names %s, which the SQLAlchemy inventory lacks", name)
    return _NAMES[id(inventory)][1]


SKIP = (nodes.title, nodes.reference, addnodes.pending_xref, nodes.FixedTextElement)


class LinkApiNames(SphinxPostTransform):
    """Turn inline code that names a SQLAlchemy object into a reference to its docs."""

    default_priority = 5  # before ReferencesResolver (10), which resolves what this makes

    def run(self, **kwargs: object) -> None:
        inventories = getattr(self.env, "intersphinx_named_inventory", {})
        if INVENTORY not in inventories:
            return
        names = _api_names(inventories[INVENTORY])
        for literal in list(self.document.findall(nodes.literal)):
            if literal["classes"] or any(isinstance(a, SKIP) for a in _ancestors(literal)):
                continue  # classes: written with a role such as {code}, not plain backticks
            target = names.resolve(literal.astext())
            if target is None:
                continue
            role = ROLES[names.objects[target]]
            xref = addnodes.pending_xref(
                "",
                refdomain="py",
                reftype=role,
                reftarget=target,
                refexplicit=True,
                refwarn=True,
                refdoc=self.env.docname,
            )
            literal["classes"] += ["xref", "py", f"py-{role}"]
            literal.replace_self(xref)
            xref += literal


def _ancestors(node: nodes.Node):
    node = node.parent
    while node is not None:
        yield node
        node = node.parent


class SqlaRole(ReferenceRole):
    """``{sqla}`title <page.html#anchor>```: a checked link into SQLAlchemy's narrative docs."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        config = self.config
        page, _, anchor = self.target.partition("#")
        problem = None
        ids = _anchors(config.sqla_anchors).get(page)
        if ids is None:
            problem = f"no page {page!r} in the SQLAlchemy documentation"
        elif anchor and anchor not in ids:
            problem = f"no anchor {anchor!r} on {page} in the SQLAlchemy documentation"
        else:
            inventories = getattr(self.env, "intersphinx_named_inventory", {})
            names = _api_names(inventories[INVENTORY]) if INVENTORY in inventories else None
            if names and anchor in names.objects:
                role = ROLES[names.objects[anchor]]
                problem = (
                    f"{anchor} is in the inventory: write "
                    f"{{py:{role}}}`{self.title} <{anchor}>` instead of {{sqla}}"
                )
        if problem:
            logger.warning(problem, location=self.get_location(), type="sqla", subtype="target")
        uri = config.sqla_url + self.target
        return [nodes.reference(self.rawtext, self.title, refuri=uri, classes=["sqla"])], []


@cache
def _anchors(path: str) -> dict[str, frozenset[str]]:
    pages = json.loads(Path(path).read_text(encoding="utf-8"))
    return {page: frozenset(ids) for page, ids in pages.items()}


def setup(app: Sphinx) -> dict:
    app.setup_extension("sphinx.ext.intersphinx")
    app.add_config_value("sqla_url", "", "env", str)
    app.add_config_value("sqla_anchors", "", "env", str)
    app.add_role("sqla", SqlaRole())
    app.add_post_transform(LinkApiNames)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
