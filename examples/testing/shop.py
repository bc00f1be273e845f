"""The small shop application that the tests in this folder test."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    mapped_column,
    relationship,
    selectinload,
)


class Base(DeclarativeBase):
    pass


class Customer(Base):
    __tablename__ = "customer"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    email: Mapped[str] = mapped_column(String(100), unique=True)
    invoices: Mapped[list[Invoice]] = relationship(
        back_populates="customer", order_by="Invoice.number"
    )


class Invoice(Base):
    __tablename__ = "invoice"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    amount: Mapped[int]
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    customer: Mapped[Customer] = relationship(back_populates="invoices")


class EmailTaken(Exception):
    """Another customer already registered with this e-mail address."""


def register_customer(session: Session, name: str, email: str) -> Customer:
    """Add a customer and commit, or raise EmailTaken if the address is in use."""
    customer = Customer(name=name, email=email)
    session.add(customer)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise EmailTaken(email) from None
    return customer


def statement_of_accounts(session: Session) -> list[tuple[str, int]]:
    """Each customer's name and the total of their invoices, by name."""
    customers = session.scalars(
        select(Customer).options(selectinload(Customer.invoices)).order_by(Customer.name)
    )
    return [(c.name, sum(invoice.amount for invoice in c.invoices)) for c in customers]
