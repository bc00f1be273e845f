"""Test data in one line each: plain functions that fill in what a test does not care about."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy.orm import Session

from shop import Customer, Invoice

_numbers = itertools.count(1)


def make_customer(session: Session, **values: Any) -> Customer:
    """A customer with a unique name and e-mail address, unless the test gives its own."""
    n = next(_numbers)
    customer = Customer(**{"name": f"Customer {n}", "email": f"customer{n}@example.com"} | values)
    session.add(customer)
    session.flush()
    return customer


def make_invoice(session: Session, customer: Customer | None = None, **values: Any) -> Invoice:
    """An invoice of 100 with a unique number, for a new customer unless one is given."""
    n = next(_numbers)
    invoice = Invoice(
        **{"number": f"INV-{n:04}", "amount": 100} | values,
        customer=customer or make_customer(session),
    )
    session.add(invoice)
    session.flush()
    return invoice
