"""Fixtures for the shop's tests: a database for the run, a rolled-back transaction per test."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from shop import Base

# --- which databases: --db-url, repeatable; SHOP_DATABASE_URL; in-memory SQLite -----------


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db-url",
        action="append",
        default=[],
        help="run the tests on this database (repeat the option for several)",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "db_url" in metafunc.fixturenames:
        urls = metafunc.config.getoption("--db-url") or [
            os.environ.get("SHOP_DATABASE_URL", "sqlite://")
        ]
        metafunc.parametrize("db_url", urls, ids=backend_name, scope="session")


def backend_name(url: str) -> str:
    return make_url(url).get_backend_name()


# --- the engine: one per database, with the tables, for the whole run --------------------


@pytest.fixture(scope="session")
def engine(db_url: str) -> Iterator[Engine]:
    if db_url == "sqlite://":
        # one in-memory database, whichever connection or thread asks for it
        engine = create_engine(
            db_url, poolclass=StaticPool, connect_args={"check_same_thread": False}
        )
    else:
        engine = create_engine(db_url)
    if engine.dialect.name == "sqlite":
        use_real_sqlite_transactions(engine)
    Base.metadata.create_all(engine)
    yield engine
    Base.metadata.drop_all(engine)
    engine.dispose()


def use_real_sqlite_transactions(engine: Engine) -> None:
    """Let SQLAlchemy, not the sqlite3 module, begin transactions, so that SAVEPOINTs nest."""

    @event.listens_for(engine, "connect")
    def no_implicit_begin(dbapi_connection: Any, connection_record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def explicit_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")


# --- the session: each test in a transaction that is rolled back --------------------------


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with engine.connect() as connection:
        transaction = connection.begin()
        with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
            yield session
        transaction.rollback()


# --- counting statements ------------------------------------------------------------------


@pytest.fixture
def count_selects(engine: Engine) -> Callable[[], Any]:
    """``with count_selects() as selects:`` lists the SELECT statements sent in the block."""

    @contextmanager
    def counting() -> Iterator[list[str]]:
        selects: list[str] = []

        def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            if statement.lstrip().upper().startswith("SELECT"):
                selects.append(statement)

        event.listen(engine, "before_cursor_execute", record)
        try:
            yield selects
        finally:
            event.remove(engine, "before_cursor_execute", record)

    return counting
