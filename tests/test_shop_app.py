"""The shop application (examples/shop_app): its API on a rollback fixture, its command line.

The API tests run on a database migrated once per module, on a SQLite file and, when
``BOOK_DATABASE_URL`` is set, on the PostgreSQL server. Each test runs inside one outer
transaction; the app's sessions join it with ``join_transaction_mode="create_savepoint"``,
so the app's commits release savepoints and the rollback at the end of the test undoes
everything. The command line is run as a reader runs it, in a subprocess.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from examples.shop_app import api, schema
from examples.shop_app.models import Base, Customer, Invoice, Product

ROOT = Path(__file__).resolve().parent.parent
EXPECTED_DEMO = Path(__file__).resolve().parent / "examples_output" / "shop_app" / "demo.txt"
SERVER_URL = os.environ.get("BOOK_DATABASE_URL") or None
PASSWORD = "s3cret-Pa55"


def drop_everything(engine: Engine) -> None:
    Base.metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture(
    scope="module",
    params=[
        "sqlite",
        pytest.param(
            "postgresql",
            marks=pytest.mark.skipif(SERVER_URL is None, reason="BOOK_DATABASE_URL is not set"),
        ),
    ],
)
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A database migrated to the newest revision, for the whole module."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('shop') / 'shop.db'}"
    else:
        assert SERVER_URL is not None
        url = SERVER_URL
    engine = sqlalchemy.create_engine(url)
    schema.sqlite_transactions_that_nest(engine)
    assert schema.ready(engine, migrate=False) == "Created the schema: revision 0002 (head)."
    yield engine
    drop_everything(engine)
    engine.dispose()


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    """The app, with every request's session inside this test's transaction."""
    app = api.create_app(engine.url)
    with engine.connect() as conn:
        outer = conn.begin()

        def session_in_test_transaction() -> Iterator[Session]:
            with Session(bind=conn, join_transaction_mode="create_savepoint") as session:
                yield session

        app.dependency_overrides[api.get_session] = session_in_test_transaction
        with TestClient(app) as client:
            yield client
        outer.rollback()
    with Session(engine) as session:  # the rollback undid every request's commits
        for model in (Product, Customer, Invoice):
            assert session.scalar(select(func.count()).select_from(model)) == 0


def post(client: TestClient, path: str, body: dict[str, Any]) -> tuple[int, Any]:
    response = client.post(path, json=body)
    return response.status_code, response.json()


@pytest.fixture
def shop(client: TestClient) -> TestClient:
    """Two products in the shop."""
    for product in [
        {"sku": "BIKE-01", "name": "Road bike", "price_cents": 89_900},
        {"sku": "BELL-02", "name": "Bell", "price_cents": 1_250},
    ]:
        assert post(client, "/products", product) == (201, product)
    return client


def test_invoice_amount_is_computed_and_listed(shop: TestClient) -> None:
    created = post(shop, "/customers", {"name": "Juniper Print Works", "city": "Leeds"})
    assert created[0] == 201
    juniper = created[1]["id"]
    assert post(
        shop, f"/customers/{juniper}/invoices", {"number": "INV-1", "sku": "BIKE-01", "quantity": 2}
    ) == (
        201,
        {"number": "INV-1", "sku": "BIKE-01", "quantity": 2, "amount_cents": 179_800},
    )
    response = shop.get(f"/customers/{juniper}")
    assert response.status_code == 200
    assert response.json()["invoices"] == [
        {"number": "INV-1", "sku": "BIKE-01", "quantity": 2, "amount_cents": 179_800}
    ]


def test_conflicts_and_missing_things(shop: TestClient) -> None:
    created = post(shop, "/customers", {"name": "Brightwater Bakery", "city": "Lisbon"})
    assert created[0] == 201
    bakery = created[1]["id"]
    assert post(shop, "/customers", {"name": "Brightwater Bakery", "city": "Porto"}) == (
        409,
        {"detail": "customer Brightwater Bakery already exists"},
    )
    invoice = {"number": "INV-7", "sku": "BELL-02", "quantity": 1}
    assert post(shop, f"/customers/{bakery}/invoices", invoice)[0] == 201
    assert post(shop, f"/customers/{bakery}/invoices", invoice) == (
        409,
        {"detail": "invoice INV-7 already exists"},
    )
    assert post(shop, f"/customers/{bakery}/invoices", {**invoice, "sku": "NOPE"}) == (
        404,
        {"detail": "no product NOPE"},
    )
    assert post(shop, "/customers/999999/invoices", invoice) == (
        404,
        {"detail": "no customer 999999"},
    )
    status, body = post(shop, f"/customers/{bakery}/invoices", {**invoice, "quantity": 0})
    assert (status, body["detail"][0]["loc"]) == (422, ["body", "quantity"])
    # after the failed requests, the session of the next request works as usual
    assert shop.get(f"/customers/{bakery}").json()["invoices"] == [
        {"number": "INV-7", "sku": "BELL-02", "quantity": 1, "amount_cents": 1_250}
    ]


def test_each_test_starts_from_an_empty_shop(client: TestClient) -> None:
    """What the tests above committed was rolled back (the fixture checks it too)."""
    assert client.get("/products").json() == []


# --- The command line ---------------------------------------------------------------------


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environment["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(ROOT), environment.get("PYTHONPATH")])
    )
    return subprocess.run(
        [sys.executable, "-m", "examples.shop_app", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def sqlite_tables(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        tables = [name for (name,) in rows]
    db.close()
    return tables


def test_demo_on_the_default_sqlite_file(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """``python -m examples.shop_app --demo``: shop.db in the current folder, made once."""
    first = run("--demo", cwd=tmp_path)
    assert (first.returncode, first.stderr) == (0, "")
    headline, _, demo = first.stdout.partition("\n")
    assert headline == "Created the schema: revision 0002 (head)."
    if request.config.getoption("--update-examples") and (
        not EXPECTED_DEMO.exists() or EXPECTED_DEMO.read_text() != demo
    ):
        EXPECTED_DEMO.write_text(demo)
    assert demo == EXPECTED_DEMO.read_text()
    database = tmp_path / "shop.db"
    assert sqlite_tables(database) == ["alembic_version", "customers", "invoices", "products"]
    again = run("--demo", cwd=tmp_path)  # the demo rolled back: it runs the same again
    assert again.returncode == 0
    assert again.stdout == "The database is at revision 0002 (head).\n" + demo


@pytest.mark.skipif(SERVER_URL is None, reason="BOOK_DATABASE_URL is not set")
def test_demo_on_the_server() -> None:
    assert SERVER_URL is not None
    result = run("--url", SERVER_URL, "--demo")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.partition("\n")[2] == EXPECTED_DEMO.read_text()
    engine = sqlalchemy.create_engine(SERVER_URL)
    try:
        with Session(engine) as session:
            assert session.scalar(select(func.count()).select_from(Product)) == 0
        drop_everything(engine)
    finally:
        engine.dispose()


def migrate_to(url: str, revision: str) -> None:
    engine = sqlalchemy.create_engine(url)
    config = schema.alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
    engine.dispose()


def test_older_database_is_refused_then_migrated_on_request(tmp_path: Path) -> None:
    database = tmp_path / "old.db"
    url = f"sqlite:///{database}"
    migrate_to(url, "0001")
    refused = run("--url", url, "--demo")
    assert refused.returncode == 2
    assert refused.stdout == ""
    assert refused.stderr == (
        f"shop_app: error: the database is at revision 0001, this app needs 0002; "
        f"run with --migrate to upgrade it: {url}\n"
    )
    assert sqlite_tables(database) == ["alembic_version", "customers", "products"]  # untouched
    migrated = run("--url", url, "--migrate", "--demo")
    assert migrated.returncode == 0, migrated.stderr
    assert migrated.stdout.startswith("Upgraded the database from revision 0001 to 0002 (head).\n")


def test_someone_elses_database_is_refused(tmp_path: Path) -> None:
    database = tmp_path / "theirs.db"
    with sqlite3.connect(database) as db:
        db.execute("CREATE TABLE notes (body TEXT)")
    db.close()
    result = run("--url", f"sqlite:///{database}", "--demo")
    assert result.returncode == 2
    assert result.stderr == (
        f"shop_app: error: the database has tables but no Alembic revision; "
        f"use another: sqlite:///{database}\n"
    )
    assert sqlite_tables(database) == ["notes"]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            f"postgresql+psycopg://shop:{PASSWORD}@db.example:port/shop",
            (
                "not a database URL: postgresql+psycopg://shop:***@db.example:port/shop "
                "(expected dialect+driver://user:password@host/dbname)"
            ),
        ),
        (
            f"nosuchdb://shop:{PASSWORD}@localhost/shop",
            "unknown database dialect or driver 'nosuchdb': nosuchdb://shop:***@localhost/shop",
        ),
        (
            f"mssql+pymssql://shop:{PASSWORD}@localhost/shop",
            (
                "the driver for 'mssql+pymssql' is not installed "
                "(no Python module named 'pymssql'): mssql+pymssql://shop:***@localhost/shop"
            ),
        ),
    ],
    ids=["malformed", "unknown-dialect", "driver-not-installed"],
)
def test_bad_url(url: str, message: str, tmp_path: Path) -> None:
    if "pymssql" in url and importlib_find("pymssql"):
        pytest.skip("pymssql is installed")
    result = run("--url", url, "--demo", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"shop_app: error: {message}\n"
    assert list(tmp_path.iterdir()) == []  # no shop.db or anything else


def test_refused_connection(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"postgresql+psycopg://shop:{PASSWORD}@127.0.0.1:{port}/shop"
    result = run("--url", url, "--demo", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith(
        f"shop_app: error: cannot connect to postgresql+psycopg://shop:***@127.0.0.1:{port}/shop: "
        "connection failed:"
    )
    assert len(result.stderr.splitlines()) == 1
    assert PASSWORD not in result.stderr


def importlib_find(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def test_in_memory_database_is_not_served(tmp_path: Path) -> None:
    """Serving needs a database that outlives one connection; the demo may use memory."""
    result = run("--url", "sqlite://", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "shop_app: error: an in-memory database cannot be served; use a file: sqlite://\n"
    )
    assert list(tmp_path.iterdir()) == []
    demo = run("--url", "sqlite://", "--demo", cwd=tmp_path)
    assert demo.returncode == 0, demo.stderr
    assert demo.stdout.partition("\n")[2] == EXPECTED_DEMO.read_text()
