"""Tables created at run time from a specification, rather than written out in code.

A plain dictionary (it could as well come from a JSON or YAML file) names each table, its
columns and their types. The program turns it into ``Table`` objects, creates them, loads the
sample rows that the specification carries, and queries them with Core. It then maps a class
to one of the tables at run time, to use it through the ORM too, and finally adds a table
that was not in the specification.

Run: python -m examples.dynamic_tables [--url URL] [--echo]
"""

from __future__ import annotations

import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    insert,
    inspect,
    select,
)
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.types import TypeEngine

from examples import _cli

# What a configuration file might say: table name -> columns (name: type) and sample rows.
SPECIFICATION: dict[str, dict[str, Any]] = {
    "bird_sightings": {
        "columns": {"species": "text", "count": "integer", "seen_on": "date"},
        "rows": [
            ["Eurasian wren", 2, "2024-04-03"],
            ["Grey heron", 1, "2024-04-03"],
            ["Common swift", 14, "2024-05-19"],
        ],
    },
    "weather_stations": {
        "columns": {"station": "text", "altitude_m": "integer", "active": "flag"},
        "rows": [
            ["Ben Nevis summit", 1345, False],
            ["Loch Linnhe", 4, True],
        ],
    },
}

TYPES: dict[str, TypeEngine[Any]] = {
    "text": String(80),
    "integer": Integer(),
    "flag": Boolean(),
    "date": Date(),
}


class Base(DeclarativeBase):
    """The base for classes mapped at run time."""


def convert(kind: str, value: Any) -> Any:
    """Values from a text specification arrive as strings and numbers; dates need parsing."""
    return datetime.date.fromisoformat(value) if kind == "date" else value


def build(metadata: MetaData, name: str, columns: dict[str, str]) -> Table:
    """One Table from a specification entry, with a surrogate primary key added."""
    unknown = sorted(kind for kind in columns.values() if kind not in TYPES)
    if unknown:
        raise ValueError(f"table {name!r}: unknown column type {unknown[0]!r}")
    return Table(
        name,
        metadata,
        Column("id", Integer, primary_key=True),
        *(Column(column, TYPES[kind], nullable=False) for column, kind in columns.items()),
    )


def main(engine: Engine) -> None:
    metadata = MetaData()
    for name, spec in SPECIFICATION.items():
        build(metadata, name, spec["columns"])

    with _cli.own_tables(engine, metadata):
        print("Columns, as the database reports them:")
        inspector = inspect(engine)
        for name in sorted(SPECIFICATION):
            described = [f"{c['name']} {c['type']}" for c in inspector.get_columns(name)]
            print(f"  {name}: {', '.join(described)}")

        with engine.begin() as conn:
            for name, spec in SPECIFICATION.items():
                table = metadata.tables[name]
                kinds = list(spec["columns"].values())
                rows = [
                    {
                        column: convert(kind, value)
                        for column, kind, value in zip(spec["columns"], kinds, row)
                    }
                    for row in spec["rows"]
                ]
                conn.execute(insert(table), rows)
                print(f"Loaded {len(rows)} rows into {name}.")

        # Columns are looked up by name on table.c, as the names are only known at run time.
        sightings = metadata.tables["bird_sightings"]
        with engine.connect() as conn:
            query = (
                select(sightings).where(sightings.c["count"] > 1).order_by(sightings.c["species"])
            )
            print("\nSightings of more than one bird:")
            for row in conn.execute(query).mappings():
                print(f"  {row['seen_on']}  {row['species']} x{row['count']}")

        # A class mapped at run time: type() makes a subclass of Base for the table. Its
        # attributes exist only at run time, so a type checker can't know them: hence Any.
        Station: Any = type("Station", (Base,), {"__table__": metadata.tables["weather_stations"]})
        with Session(engine) as session:
            stations = session.scalars(select(Station).order_by(Station.station)).all()
            print("\nThrough the ORM, with the class built at run time:")
            for station in stations:
                state = "active" if station.active else "retired"
                print(
                    f"  {type(station).__name__}: {station.station}, {station.altitude_m} m, {state}"
                )

        # A table that was not in the specification: create just that one, then drop it.
        extra = build(metadata, "ringing_records", {"ring": "text", "ringed_on": "date"})
        extra.create(engine)
        ours = sorted(set(inspect(engine).get_table_names()) & set(metadata.tables))
        print(f"\nAdded {extra.name}; our tables in the database: {', '.join(ours)}")
        extra.drop(engine)
        metadata.remove(extra)

        try:
            build(MetaData(), "moth_traps", {"trap": "text", "catch": "float64"})
        except ValueError as error:
            print(f"Rejected a bad specification: {error}")


if __name__ == "__main__":
    _cli.run(main, __doc__)
