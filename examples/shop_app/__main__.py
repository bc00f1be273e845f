"""The shop application: its database migrated with Alembic, served with FastAPI.

Run: python -m examples.shop_app [--url URL] [--migrate] [--demo] [--port PORT]

Without ``--url`` (or ``DATABASE_URL``) the database is the SQLite file ``shop.db`` in the
current folder. A new, empty database gets the schema from the migrations; one at an older
revision is upgraded only with ``--migrate``. Then the API is served on 127.0.0.1, or, with
``--demo``, sent a few requests in-process, inside a transaction that is rolled back, so
that the demo leaves the database as it found it.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from examples import _cli, _shop
from examples.shop_app import api, schema

DEFAULT_URL = "sqlite:///shop.db"


def demo(engine: Engine) -> None:
    """A few requests, answered in a transaction that is rolled back at the end."""
    app = api.create_app(engine.url)
    with engine.connect() as conn, conn.begin():
        # Every request's session joins the outer transaction: its commit() releases a
        # savepoint, and the rollback at the end undoes everything the requests did.
        def session_in_transaction() -> Iterator[Session]:
            with Session(bind=conn, join_transaction_mode="create_savepoint") as session:
                yield session

        app.dependency_overrides[api.get_session] = session_in_transaction
        with TestClient(app) as client:
            customer = client.post("/customers", json={"name": "Kestrel Cycles", "city": "Utrecht"})
            # ids come from the database (PostgreSQL's sequences do not roll back): the
            # requests use the one it gave, and the printout leaves them out
            invoices = f"/customers/{customer.json()['id']}/invoices"
            _shop.show("POST", "/customers", customer.status_code, without_id(customer.json()))
            for method, path, body in [
                (
                    "POST",
                    "/products",
                    {"sku": "BIKE-01", "name": "Road bike", "price_cents": 89_900},
                ),
                ("POST", "/products", {"sku": "BELL-02", "name": "Bell", "price_cents": 1_250}),
                ("POST", invoices, {"number": "INV-1", "sku": "BIKE-01", "quantity": 2}),
                ("POST", invoices, {"number": "INV-2", "sku": "BELL-02", "quantity": 10}),
                ("POST", invoices, {"number": "INV-2", "sku": "BELL-02", "quantity": 1}),
                ("POST", invoices, {"number": "INV-3", "sku": "BELL-02", "quantity": 0}),
                ("POST", invoices, {"number": "INV-3", "sku": "HORN-09", "quantity": 1}),
                ("GET", invoices.removesuffix("/invoices"), None),
                ("GET", "/products", None),
            ]:
                response = client.request(method, path, json=body)
                shown = path.replace(invoices.removesuffix("/invoices"), "/customers/{id}")
                _shop.show(method, shown, response.status_code, without_id(response.json()))
        conn.rollback()
    print("Rolled back: the demo left the database as it found it.")


def without_id(body: Any) -> Any:
    if isinstance(body, dict):
        return {key: value for key, value in body.items() if key != "id"}
    return body


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m examples.shop_app", description=__doc__.strip().splitlines()[0]
    )
    parser.add_argument(
        "--url",
        default=os.environ.get(_cli.URL_VARIABLE) or DEFAULT_URL,
        help=f"database URL (default: ${_cli.URL_VARIABLE}, else {DEFAULT_URL!r})",
    )
    parser.add_argument("--migrate", action="store_true", help="upgrade an older database")
    parser.add_argument("--demo", action="store_true", help="send a few requests and exit")
    parser.add_argument("--port", type=int, default=8000, help="the port on 127.0.0.1")
    args = parser.parse_args()
    program = "shop_app"
    try:
        engine = _cli.connect(args.url)
        if _shop.engine_options(engine.url):  # in-memory SQLite: one connection for all threads
            if not args.demo:
                raise _cli.BadInput(
                    f"an in-memory database cannot be served; use a file: {_cli.masked(args.url)}"
                )
            engine.dispose()
            engine = create_engine(engine.url, **_shop.engine_options(engine.url))
        schema.sqlite_transactions_that_nest(engine)
        try:
            print(schema.ready(engine, migrate=args.migrate))
            if args.demo:
                demo(engine)
            else:
                import uvicorn

                uvicorn.run(api.create_app(engine.url), host="127.0.0.1", port=args.port)
        finally:
            engine.dispose()
    except _cli.BadInput as problem:
        print(f"{program}: error: {problem}", file=sys.stderr)
        sys.exit(_cli.BAD_INPUT)
    except DBAPIError as error:
        url = make_url(args.url)
        print(
            f"{program}: error: the database reported: {_cli._reason(error, url)}: "
            f"{url.render_as_string(hide_password=True)}",
            file=sys.stderr,
        )
        sys.exit(_cli.FAILED)


if __name__ == "__main__":
    main()
