"""The web apps of chapter 26, driven through their frameworks' own test clients.

Each app runs in-process (FastAPI's ``TestClient``, Flask's ``app.test_client()``), on
in-memory SQLite, on a SQLite file, and on the PostgreSQL server when ``BOOK_DATABASE_URL``
is set. Every app must give the same answers to the same requests, return every connection
to its pool when a request ends (its session was closed), and leave no table behind.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, inspect, make_url
from sqlalchemy.orm import Session

from examples import _shop, web_fastapi_async, web_fastapi_sync, web_flask
from examples._shop import Base

SERVER_URL = os.environ.get("BOOK_DATABASE_URL") or None

# The requests and the answers every app must give, in order.
EXCHANGES: list[tuple[str, str, dict[str, Any] | None, int, Any]] = [
    (
        "GET",
        "/customers/2",
        None,
        200,
        {
            "id": 2,
            "name": "Kestrel Cycles",
            "city": "Utrecht",
            "invoices": [{"number": "INV-1002", "amount_cents": 189_900}],
        },
    ),
    ("GET", "/customers/9", None, 404, {"detail": "no customer 9"}),
    (
        "POST",
        "/customers/2/invoices",
        {"number": "INV-1005", "amount_cents": 2_450},
        201,
        {"number": "INV-1005", "amount_cents": 2_450},
    ),
    (
        "POST",
        "/customers/3/invoices",
        {"number": "INV-1005", "amount_cents": 990},
        409,
        {"detail": "invoice INV-1005 already exists"},
    ),
    (
        "POST",
        "/customers/9/invoices",
        {"number": "INV-1006", "amount_cents": 990},
        404,
        {"detail": "no customer 9"},
    ),
    (
        "GET",
        "/customers",
        None,
        200,
        [
            {
                "id": 1,
                "name": "Brightwater Bakery",
                "city": "Lisbon",
                "invoices": [
                    {"number": "INV-1001", "amount_cents": 12_500},
                    {"number": "INV-1004", "amount_cents": 4_999},
                ],
            },
            {"id": 3, "name": "Juniper Print Works", "city": "Leeds", "invoices": []},
            {
                "id": 2,
                "name": "Kestrel Cycles",
                "city": "Utrecht",
                "invoices": [
                    {"number": "INV-1002", "amount_cents": 189_900},
                    {"number": "INV-1005", "amount_cents": 2_450},
                ],
            },
        ],
    ),
]

Send = Callable[[str, str, dict[str, Any] | None], tuple[int, Any]]


def database_urls() -> list[pytest.param]:  # type: ignore[valid-type]
    params = [pytest.param("sqlite://", id="sqlite-memory"), pytest.param("file", id="sqlite-file")]
    if SERVER_URL:
        params.append(pytest.param(SERVER_URL, id="postgresql"))
    return params


@pytest.fixture(params=database_urls())
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    value: str = request.param
    if value == "file":
        value = f"sqlite:///{tmp_path / 'shop.db'}"
    yield value
    engine = sqlalchemy.create_engine(value)
    try:
        assert inspect(engine).get_table_names() == [], "the app left tables behind"
    finally:
        engine.dispose()


class Checkouts:
    """Counts pool checkouts and checkins with the pool's own events."""

    def __init__(self, engine: Engine) -> None:
        self.out = self.back = 0
        event.listen(engine, "checkout", self._out)
        event.listen(engine, "checkin", self._back)

    def _out(self, *args: Any) -> None:
        self.out += 1

    def _back(self, *args: Any) -> None:
        self.back += 1


@contextmanager
def fastapi_sync(url: str) -> Iterator[tuple[Send, Checkouts]]:
    app = web_fastapi_sync.create_app(url, create_tables=True)
    with TestClient(app) as client:
        engine: Engine = app.state.engine
        with Session(engine) as session, session.begin():
            session.add_all(_shop.sample_customers())
        checkouts = Checkouts(engine)

        def send(method: str, path: str, body: dict[str, Any] | None) -> tuple[int, Any]:
            response = client.request(method, path, json=body)
            return response.status_code, response.json()

        yield send, checkouts


@contextmanager
def fastapi_async(url: str) -> Iterator[tuple[Send, Checkouts]]:
    app = web_fastapi_async.create_app(
        web_fastapi_async.asyncio_url(make_url(url)), create_tables=True
    )
    with TestClient(app) as client:
        assert client.portal is not None
        client.portal.call(web_fastapi_async.add_sample_customers, app.state.sessions)
        checkouts = Checkouts(app.state.engine.sync_engine)

        def send(method: str, path: str, body: dict[str, Any] | None) -> tuple[int, Any]:
            response = client.request(method, path, json=body)
            return response.status_code, response.json()

        yield send, checkouts


@contextmanager
def flask(url: str) -> Iterator[tuple[Send, Checkouts]]:
    app = web_flask.create_app(url)
    engine: Engine = app.extensions["shop_engine"]
    Base.metadata.create_all(engine)
    try:
        with Session(engine) as session, session.begin():
            session.add_all(_shop.sample_customers())
        checkouts = Checkouts(engine)
        client = app.test_client()

        def send(method: str, path: str, body: dict[str, Any] | None) -> tuple[int, Any]:
            response = client.open(path, method=method, json=body)
            return response.status_code, response.get_json()

        yield send, checkouts
    finally:
        Base.metadata.drop_all(engine)
        engine.dispose()


APPS = {"fastapi_sync": fastapi_sync, "fastapi_async": fastapi_async, "flask": flask}


@pytest.mark.parametrize("app", sorted(APPS))
def test_app_answers_and_closes_each_session(app: str, url: str) -> None:
    with APPS[app](url) as (send, checkouts):
        for method, path, body, status, answer in EXCHANGES:
            assert send(method, path, body) == (status, answer), (method, path)
            # the request's session was closed: its connection went back to the pool,
            # after the 409 (a failed commit) and the 404s (a raised error) too
            assert checkouts.out > 0
            assert checkouts.back == checkouts.out, (method, path)


def test_in_memory_sqlite_needs_one_connection_for_every_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without engine_options(), the request's thread sees an empty database of its own."""
    assert _shop.engine_options("sqlite:///shop.db") == {}
    assert _shop.engine_options("postgresql+psycopg://u:p@localhost/shop") == {}
    monkeypatch.setattr(_shop, "engine_options", lambda url: {})
    app = web_fastapi_sync.create_app("sqlite://", create_tables=True)
    with TestClient(app) as client, pytest.raises(sqlalchemy.exc.OperationalError) as error:
        client.get("/customers")
    assert "no such table: customers" in str(error.value)
