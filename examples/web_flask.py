"""A Flask app with a session per request: opened on first use, closed at teardown.

Plain SQLAlchemy, no extension: the app factory makes the engine and a ``sessionmaker``;
``get_session()`` opens a ``Session`` the first time a request asks for one and keeps it on
Flask's ``g``; a ``teardown_appcontext`` function closes it when the request ends, whether
the view succeeded or raised.

Running the program drives the app in-process with Flask's test client and prints the
responses; ``flask --app "examples.web_flask:create_app('sqlite:///shop.db')" run``
would serve it over HTTP.

Run: python -m examples.web_flask [--url URL] [--echo]
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, abort, current_app, g, request
from sqlalchemy import URL, Engine, create_engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, raiseload, selectinload, sessionmaker

from examples import _cli, _shop
from examples._shop import Base, Customer, Invoice


# start-app
def create_app(url: str | URL, *, echo: bool = False) -> Flask:
    """The app, for the database at ``url``; its engine lives as long as the app."""
    engine = create_engine(url, echo=echo, **_shop.engine_options(url))
    app = Flask(__name__)
    app.extensions["shop_engine"] = engine
    app.extensions["shop_sessions"] = sessionmaker(engine)
    app.teardown_appcontext(close_session)
    app.register_blueprint(shop)
    return app


def get_session() -> Session:
    """The request's session, opened the first time the request asks for it."""
    if "session" not in g:
        sessions: sessionmaker[Session] = current_app.extensions["shop_sessions"]
        g.session = sessions()
    session: Session = g.session
    return session


def close_session(error: BaseException | None) -> None:
    """Called by Flask when the request's app context ends, after success or error."""
    session: Session | None = g.pop("session", None)
    if session is not None:
        session.close()  # rolls back whatever the view did not commit
        # end-app


shop = Blueprint("shop", __name__)


# start-routes
def customer_json(customer: Customer) -> dict[str, Any]:
    return {
        "id": customer.id,
        "name": customer.name,
        "city": customer.city,
        "invoices": [
            {"number": i.number, "amount_cents": i.amount_cents} for i in customer.invoices
        ],
    }


@shop.get("/customers")
def list_customers() -> list[dict[str, Any]]:
    customers = get_session().scalars(
        select(Customer)
        .options(selectinload(Customer.invoices), raiseload("*"))
        .order_by(Customer.name)
    )
    return [customer_json(customer) for customer in customers]


@shop.get("/customers/<int:customer_id>")
def get_customer(customer_id: int) -> dict[str, Any]:
    customer = get_session().get(
        Customer, customer_id, options=[selectinload(Customer.invoices), raiseload("*")]
    )
    if customer is None:
        abort(404, f"no customer {customer_id}")
    return customer_json(customer)


@shop.post("/customers/<int:customer_id>/invoices")
def add_invoice(customer_id: int) -> tuple[dict[str, Any], int]:
    session = get_session()
    if session.get(Customer, customer_id) is None:
        abort(404, f"no customer {customer_id}")
    data = request.get_json()
    invoice = Invoice(
        customer_id=customer_id, number=data["number"], amount_cents=data["amount_cents"]
    )
    session.add(invoice)
    try:
        session.commit()
    except IntegrityError:
        abort(409, f"invoice {data['number']} already exists")  # close_session rolls back
    return {"number": invoice.number, "amount_cents": invoice.amount_cents}, 201
    # end-routes


@shop.errorhandler(404)
@shop.errorhandler(409)
def error_json(error: Any) -> tuple[dict[str, str], int]:
    """Errors as JSON, like the FastAPI apps' ``{"detail": ...}``."""
    return {"detail": error.description}, error.code


def main(engine: Engine) -> None:
    _cli.refuse_taken_tables(engine, Base.metadata)
    app = create_app(engine.url, echo=engine.echo is True)
    app_engine: Engine = app.extensions["shop_engine"]
    with _cli.own_tables(app_engine, Base.metadata):
        try:
            with Session(app_engine) as session, session.begin():
                session.add_all(_shop.sample_customers())
            client = app.test_client()
            for method, path, body in [
                ("GET", "/customers/2", None),
                ("POST", "/customers/2/invoices", {"number": "INV-1005", "amount_cents": 2_450}),
                ("POST", "/customers/3/invoices", {"number": "INV-1005", "amount_cents": 990}),
                ("POST", "/customers/9/invoices", {"number": "INV-1006", "amount_cents": 990}),
                ("GET", "/customers", None),
            ]:
                response = client.open(path, method=method, json=body)
                _shop.show(method, path, response.status_code, response.get_json())
        finally:
            app_engine.dispose()


if __name__ == "__main__":
    _cli.run(main, __doc__)
