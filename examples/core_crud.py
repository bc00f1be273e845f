"""Core only, no ORM: create, read, update and delete rows in two tables joined by a column,
then reflect the tables back from the database as if we had never defined them.

``warehouses`` and ``stock`` are joined by the warehouse code, a natural key, rather than by
a numeric id. Each write runs in its own ``engine.begin()`` block, which commits when the
block ends. Reflection reads the tables' columns, keys and types from the database into a
new, empty ``MetaData``; the reflected tables can be queried like the originals.

Run: python -m examples.core_crud [--url URL] [--echo]
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Engine,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    delete,
    func,
    insert,
    inspect,
    select,
    update,
)

from examples import _cli

metadata = MetaData()

warehouses = Table(
    "warehouses",
    metadata,
    Column("code", String(8), primary_key=True),
    Column("city", String(40), nullable=False),
)

stock = Table(
    "stock",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("warehouse_code", ForeignKey("warehouses.code"), nullable=False),
    Column("sku", String(20), nullable=False),
    Column("quantity", Integer, nullable=False, default=0),
)


def show_stock(engine: Engine, title: str) -> None:
    query = (
        select(warehouses.c.city, stock.c.sku, stock.c.quantity)
        .join(stock, stock.c.warehouse_code == warehouses.c.code)
        .order_by(warehouses.c.city, stock.c.sku)
    )
    print(title)
    with engine.connect() as conn:
        for city, sku, quantity in conn.execute(query):
            print(f"  {city:<10} {sku:<12} {quantity:>4}")


def main(engine: Engine) -> None:
    with _cli.own_tables(engine, metadata):
        # Create: one INSERT per table, each with a list of rows (an executemany).
        with engine.begin() as conn:
            conn.execute(
                insert(warehouses),
                [{"code": "GDN-1", "city": "Gdansk"}, {"code": "PRT-2", "city": "Porto"}],
            )
            conn.execute(
                insert(stock),
                [
                    {"warehouse_code": "GDN-1", "sku": "LAMP-OAK", "quantity": 40},
                    {"warehouse_code": "GDN-1", "sku": "SHELF-PINE", "quantity": 12},
                    {"warehouse_code": "PRT-2", "sku": "LAMP-OAK", "quantity": 7},
                    {"warehouse_code": "PRT-2", "sku": "STOOL-CORK", "quantity": 25},
                ],
            )
        show_stock(engine, "Stock after the inserts:")

        # Update: ship 5 oak lamps out of Porto; rowcount says how many rows matched.
        with engine.begin() as conn:
            result = conn.execute(
                update(stock)
                .where(stock.c.warehouse_code == "PRT-2", stock.c.sku == "LAMP-OAK")
                .values(quantity=stock.c.quantity - 5)
            )
            print(f"\nShipped 5 oak lamps from Porto ({result.rowcount} row updated).")

        # Delete: drop every line that is down to 12 units or fewer.
        with engine.begin() as conn:
            result = conn.execute(delete(stock).where(stock.c.quantity <= 12))
            print(f"Deleted the lines with 12 units or fewer ({result.rowcount} rows).")
        show_stock(engine, "Stock now:")

        # Reflection: a new MetaData learns the tables from the database itself.
        reflected = MetaData()
        reflected.reflect(engine, only=["warehouses", "stock"])
        print("\nReflected from the database:")
        for table in reflected.sorted_tables:
            print(f"  {table.name}")
            for column in table.columns:
                flags = [
                    "primary key" if column.primary_key else "",
                    "" if column.nullable else "not null",
                ]
                flags += [f"-> {fk.target_fullname}" for fk in column.foreign_keys]
                print(
                    f"    {column.name:<15} {column.type!s:<12} {' '.join(f for f in flags if f)}"
                )

        foreign_keys = inspect(engine).get_foreign_keys("stock")
        for fk in foreign_keys:
            print(
                f"  inspect(): stock({', '.join(fk['constrained_columns'])}) references "
                f"{fk['referred_table']}({', '.join(fk['referred_columns'])})"
            )

        # The reflected tables work like the ones defined in code.
        r_stock, r_warehouses = reflected.tables["stock"], reflected.tables["warehouses"]
        totals = (
            select(r_warehouses.c.city, func.sum(r_stock.c.quantity))
            .join(r_stock, r_stock.c.warehouse_code == r_warehouses.c.code)
            .group_by(r_warehouses.c.city)
            .order_by(r_warehouses.c.city)
        )
        with engine.connect() as conn:
            print("\nUnits per city, queried through the reflected tables:")
            for city, units in conn.execute(totals):
                print(f"  {city:<10} {units:>4}")


if __name__ == "__main__":
    _cli.run(main, __doc__)
