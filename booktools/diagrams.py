"""Schema diagrams: a page's ``MetaData`` as plain data, as Graphviz DOT, and as alt text.

:func:`describe` reads the tables of a ``MetaData`` (SQLAlchemy's own objects, the ones
the page's code built) into JSON-ready dicts: each table's full name (``audit.invoice`` if it
is in a schema), its columns with their type, primary and foreign key marks, nullability and
uniqueness, and its foreign keys. The harness writes
that description at the directive's point of the page (``python -m
booktools.verify.diagrams``); the Sphinx extension (:mod:`booktools.sphinxext.schema_diagrams`)
turns it into DOT with :func:`dot_source`, draws it with Graphviz's ``dot``, and describes it
for screen readers with :func:`alt_text`. Only :func:`describe` touches SQLAlchemy.

The drawing is meant for a page in light or dark mode alike: a transparent background,
each table a light card with dark text, edges in a grey that reads on either, and each
edge's label (its foreign key columns) on a light tag. Text is monospace in a font every
system has, so that Graphviz's measures fit the browser's; no font is embedded.
"""

from __future__ import annotations

import html
from typing import Any

#: the description's shape: bump it when that changes (the build's cache keys by this
#: module's source as well, so an edit remakes cached descriptions even without a bump)
FORMAT = 1

FONT = "DejaVu Sans Mono, Menlo, Consolas, monospace"
INK = "#1f2933"  # text on the cards
MUTED = "#52606d"  # types and marks
CARD = "#ffffff"
HEADER = "#dbe7f3"
BORDER = "#7b8794"
EDGE = "#8796a8"  # mid grey: visible on a white and on a near-black page


def describe(metadata: Any) -> dict:
    """The tables of ``metadata``, in the order they are created (parents first), as data."""
    tables = []
    for table in metadata.sorted_tables:
        unique = {
            column.name
            for constraint in table.constraints
            if type(constraint).__name__ == "UniqueConstraint" and len(constraint.columns) == 1
            for column in constraint.columns
        }
        unique |= {
            index.columns[0].name
            for index in table.indexes
            if index.unique and len(index.columns) == 1
        }
        fk_columns = {fk.parent.name for fk in table.foreign_keys}
        columns = [
            {
                "name": column.name,
                "type": _type_name(column),
                "pk": column.primary_key,
                "fk": column.name in fk_columns,
                "nullable": bool(column.nullable) and not column.primary_key,
                "unique": column.name in unique or bool(column.unique),
            }
            for column in table.columns
        ]
        foreign_keys = [
            {
                "columns": [c.name for c in constraint.columns],
                # the referenced columns' table, by its full name like the cards
                "table": constraint.referred_table.fullname,
                "referred": [e.column.name for e in constraint.elements],
            }
            for constraint in sorted(
                table.foreign_key_constraints, key=lambda c: [col.name for col in c.columns]
            )
        ]
        # a table is named, and its card keyed, by its full name ("audit.invoice" in a schema,
        # "invoice" in the default one): the same name in two schemas makes two tables
        tables.append(
            {"name": table.fullname, "columns": columns, "foreign_keys": foreign_keys}
        )
    return {"format": FORMAT, "tables": tables}


def _type_name(column: Any) -> str:
    try:
        return str(column.type)
    except Exception:  # noqa: BLE001 - a type that only a dialect can compile
        return type(column.type).__name__.upper()


def _marks(column: dict) -> str:
    marks = [m for m, on in (("PK", column["pk"]), ("FK", column["fk"])) if on]
    if column["unique"] and not column["pk"]:
        marks.append("UQ")
    return " ".join(marks)


def _id(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _port(table: dict, name: str) -> str:
    """A row's port: the column's position, which Graphviz accepts whatever its name."""
    return f"c{[c['name'] for c in table['columns']].index(name)}"


def _text(value: str) -> str:
    return html.escape(value, quote=True)


def _muted(text: str) -> str:
    return f'<font color="{MUTED}">{_text(text)}</font>' if text else " "


def _table_label(table: dict) -> str:
    header = (
        f'<tr><td colspan="3" align="left" bgcolor="{HEADER}" cellpadding="6">'
        f"<b>{_text(table['name'])}</b></td></tr>"
    )
    rows = [header]
    for n, column in enumerate(table["columns"]):
        type_text = column["type"] + (" NULL" if column["nullable"] else "")
        rows.append(
            f'<tr><td align="left" port="c{n}_w">{_text(column["name"])}</td>'
            f"<td align=\"left\">{_muted(type_text)}</td>"
            f'<td align="left" port="c{n}_e">{_muted(_marks(column))}</td></tr>'
        )
    return (
        f'<<table border="1" cellborder="0" cellspacing="0" cellpadding="3" color="{BORDER}" '
        f'bgcolor="{CARD}">' + "".join(rows) + "</table>>"
    )


def dot_source(schema: dict) -> str:
    """The diagram as Graphviz DOT: a card per table, an arrow per foreign key, from the
    referring columns to the table they refer to, labelled with the referring columns."""
    lines = [
        "digraph schema {",
        '  graph [rankdir=RL, bgcolor="transparent", nodesep=0.4, ranksep=0.7, pad=0.1];',
        f'  node [shape=plain, fontname="{FONT}", fontsize=12, fontcolor="{INK}"];',
        f'  edge [color="{EDGE}", penwidth=1.4, arrowsize=0.8, fontname="{FONT}", fontsize=10];',
    ]
    for table in schema["tables"]:
        lines.append(f"  {_id(table['name'])} [label={_table_label(table)}];")
    for table in schema["tables"]:
        for fk in table["foreign_keys"]:
            label = (
                f'<<table border="0" cellborder="0" cellpadding="2" bgcolor="{HEADER}"><tr><td>'
                f'<font color="{INK}">{_text(", ".join(fk["columns"]))}</font></td></tr></table>>'
            )
            # referred tables stand to the left (rankdir=RL): leave the row on its left
            # side and enter the key's row on its right; a table referring to itself
            # loops on its right side
            side = "e" if fk["table"] == table["name"] else "w"
            referred = next(t for t in schema["tables"] if t["name"] == fk["table"])
            tail = f"{_id(table['name'])}:{_port(table, fk['columns'][0])}_{side}:{side}"
            head = f"{_id(fk['table'])}:{_port(referred, fk['referred'][0])}_e:e"
            lines.append(f"  {tail} -> {head} [label={label}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _column_text(column: dict, references: dict[str, str]) -> str:
    text = column["name"]
    if column["name"] in references:
        text += " -> " + references[column["name"]]
    return text


def alt_text(schema: dict) -> str:
    """One sentence for screen readers: every table with its columns, the primary key
    first and each foreign key column with what it refers to."""
    parts = []
    for table in schema["tables"]:
        references = {
            column: f"{fk['table']}.{referred}"
            for fk in table["foreign_keys"]
            for column, referred in zip(fk["columns"], fk["referred"], strict=True)
        }
        pk = [c for c in table["columns"] if c["pk"]]
        rest = [c for c in table["columns"] if not c["pk"]]
        key = " and ".join(_column_text(c, references) for c in pk)
        described = [f"primary key {key}"] if key else []
        described += [_column_text(c, references) for c in rest]
        parts.append(f"{table['name']} ({', '.join(described)})")
    return "Entity-relationship diagram: " + "; ".join(parts) + "."


def caption(schema: dict) -> str:
    """The visible caption: the tables, and how many foreign keys link them."""
    names = [t["name"] for t in schema["tables"]]
    links = sum(len(t["foreign_keys"]) for t in schema["tables"])
    if len(names) == 1:
        tables = f"the table {names[0]}"
    else:
        tables = "the tables " + ", ".join(names[:-1]) + " and " + names[-1]
    if links:
        tables += f", linked by {links} foreign key{'s' if links != 1 else ''}"
    return f"The schema: {tables}."
