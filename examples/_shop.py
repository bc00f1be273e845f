"""The shop that the web examples serve: customers and their invoices, and sample data.

Shared by ``web_fastapi_sync``, ``web_fastapi_async`` and ``web_flask``, so that the three
apps differ only in what the chapter compares: how each framework gives a request its session.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import URL, ForeignKey, String, make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.pool import StaticPool


class Base(DeclarativeBase):
    pass


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    city: Mapped[str] = mapped_column(String(40))
    invoices: Mapped[list[Invoice]] = relationship(
        back_populates="customer", order_by="Invoice.number"
    )


class Invoice(Base):
    __tablename__ = "invoices"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(12), unique=True)
    amount_cents: Mapped[int]
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    customer: Mapped[Customer] = relationship(back_populates="invoices")


def sample_customers() -> list[Customer]:
    """Two customers with three invoices between them, and one without any."""
    return [
        Customer(
            name="Brightwater Bakery",
            city="Lisbon",
            invoices=[
                Invoice(number="INV-1001", amount_cents=12_500),
                Invoice(number="INV-1004", amount_cents=4_999),
            ],
        ),
        Customer(
            name="Kestrel Cycles",
            city="Utrecht",
            invoices=[Invoice(number="INV-1002", amount_cents=189_900)],
        ),
        Customer(name="Juniper Print Works", city="Leeds"),
    ]


# start-engine-options
def engine_options(url: str | URL) -> dict[str, Any]:
    """What ``create_engine()`` needs for ``url`` in a server that serves from many threads.

    An in-memory SQLite database lives inside one connection: every thread that opened its
    own would see an empty database of its own. ``StaticPool`` keeps one connection for the
    whole engine, and ``check_same_thread=False`` lets the server's threads share it.
    """
    url = make_url(url)
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        return {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    return {}
    # end-engine-options


def show(method: str, path: str, status: int, body: Any) -> None:
    """One exchange with an app, as the example programs print it."""
    print(f"{method} {path} -> {status}")
    for item in body if isinstance(body, list) else [body]:
        print(f"  {json.dumps(item)}")
