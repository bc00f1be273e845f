"""Customers and their invoices: a one-to-many relationship whose cascade deletes invoices.

Deleting a customer through the session deletes that customer's invoices too, because the
relationship is declared with ``cascade="all, delete-orphan"``; taking an invoice out of a
customer's collection deletes it as well, since an invoice cannot exist without a customer.

Run: python -m examples.customers_invoices [--url URL] [--echo]
"""

from __future__ import annotations

from sqlalchemy import Engine, ForeignKey, String, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

from examples import _cli


class Base(DeclarativeBase):
    pass


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    city: Mapped[str] = mapped_column(String(40))
    invoices: Mapped[list[Invoice]] = relationship(
        back_populates="customer", cascade="all, delete-orphan", order_by="Invoice.number"
    )

    def __repr__(self) -> str:
        return f"Customer({self.name!r})"


class Invoice(Base):
    __tablename__ = "invoices"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(12), unique=True)
    amount_cents: Mapped[int]
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    customer: Mapped[Customer] = relationship(back_populates="invoices")

    def __repr__(self) -> str:
        return f"Invoice({self.number!r})"


def money(cents: int) -> str:
    """Amounts are stored as whole cents, so that no float rounding creeps in."""
    return f"{cents // 100:,}.{cents % 100:02d}"


def show_ledger(session: Session, heading: str) -> None:
    """Each customer with the number and total of their invoices, zero included."""
    print(heading)
    ledger = (
        select(
            Customer.name, func.count(Invoice.id), func.coalesce(func.sum(Invoice.amount_cents), 0)
        )
        .outerjoin(Customer.invoices)
        .group_by(Customer.id, Customer.name)
        .order_by(Customer.name)
    )
    for name, count, total in session.execute(ledger):
        print(f"  {name:<22} {count} invoice(s)  {money(total):>9}")
    remaining = session.scalars(select(Invoice.number).order_by(Invoice.number)).all()
    print(f"  invoices in the table: {', '.join(remaining)}")


def main(engine: Engine) -> None:
    with _cli.own_tables(engine, Base.metadata), Session(engine) as session:
        session.add_all(
            [
                Customer(
                    name="Brightwater Bakery",
                    city="Lisbon",
                    invoices=[
                        Invoice(number="INV-1001", amount_cents=12_500),
                        Invoice(number="INV-1004", amount_cents=4_999),
                        Invoice(number="INV-1007", amount_cents=30_000),
                    ],
                ),
                Customer(
                    name="Kestrel Cycles",
                    city="Utrecht",
                    invoices=[
                        Invoice(number="INV-1002", amount_cents=189_900),
                        Invoice(number="INV-1005", amount_cents=2_450),
                    ],
                ),
                Customer(name="Juniper Print Works", city="Leeds"),
            ]
        )
        session.commit()
        show_ledger(session, "Three customers, five invoices:")

        # Deleting the customer deletes its invoices: the session loads them and deletes
        # each one before the customer, so no invoice is left pointing at nobody.
        bakery = session.scalars(
            select(Customer).where(Customer.name == "Brightwater Bakery")
        ).one()
        session.delete(bakery)
        session.flush()
        print(f"\nDeleted {bakery!r}; the session deleted {len(bakery.invoices)} invoices with it.")
        session.commit()
        show_ledger(session, "After the delete:")

        # delete-orphan: an invoice taken out of its customer's collection is deleted.
        cycles = session.scalars(select(Customer).where(Customer.name == "Kestrel Cycles")).one()
        cancelled = cycles.invoices.pop()
        session.commit()
        print(f"\nRemoved {cancelled!r} from {cycles!r}: as an orphan it was deleted.")
        show_ledger(session, "After removing the invoice:")


if __name__ == "__main__":
    _cli.run(main, __doc__)
