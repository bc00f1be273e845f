"""Tests of the shop: each one starts from empty tables, whatever the one before it did."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import make_customer, make_invoice
from shop import Customer, EmailTaken, register_customer, statement_of_accounts


def test_statement_of_accounts_adds_up_invoices(session: Session) -> None:
    ada = make_customer(session, name="Ada")
    make_invoice(session, ada, amount=120)
    make_invoice(session, ada, amount=80)
    make_customer(session, name="Bruno")

    assert statement_of_accounts(session) == [("Ada", 200), ("Bruno", 0)]


def test_statement_of_accounts_sends_two_selects(
    session: Session, count_selects: Callable[[], Any]
) -> None:
    for _ in range(3):
        make_invoice(session)

    with count_selects() as selects:
        statement_of_accounts(session)

    assert len(selects) == 2  # the customers, then all their invoices: no N+1


def test_register_customer(session: Session) -> None:
    ada = register_customer(session, "Ada", "ada@example.com")

    assert session.get(Customer, ada.id) is ada


def test_registering_a_taken_email_fails(session: Session) -> None:
    register_customer(session, "Ada", "ada@example.com")

    with pytest.raises(EmailTaken):
        register_customer(session, "Another Ada", "ada@example.com")

    assert session.scalars(select(Customer.name)).all() == ["Ada"]


def test_each_test_starts_with_an_empty_shop(session: Session) -> None:
    assert session.scalars(select(Customer.email)).all() == []
