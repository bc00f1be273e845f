"""A FastAPI app with a session per request: a ``yield`` dependency, on a sync engine.

The engine is made when the app starts (its lifespan) and disposed when it stops. Each
request gets a ``Session`` from a dependency and the session is closed when the request
ends. Queries load the relationships that the responses show with ``selectinload()``, and
``raiseload("*")`` turns any other lazy load into an error instead of a hidden query.

Running the program starts the app in-process with FastAPI's test client, sends it a few
requests and prints the responses. To serve it over HTTP, build the app with
``create_app(url)`` and hand it to an ASGI server such as uvicorn.

Run: python -m examples.web_fastapi_sync [--url URL] [--echo]
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.testclient import TestClient
from pydantic import BaseModel, ConfigDict
from sqlalchemy import URL, Engine, create_engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, raiseload, selectinload, sessionmaker

from examples import _cli, _shop
from examples._shop import Base, Customer, Invoice


# start-schemas
class InvoiceIn(BaseModel):
    number: str
    amount_cents: int


class InvoiceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # read ORM objects' attributes

    number: str
    amount_cents: int


class CustomerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    city: str
    invoices: list[InvoiceOut]
    # end-schemas


# start-app
def create_app(url: str | URL, *, echo: bool = False, create_tables: bool = False) -> FastAPI:
    """The app, for the database at ``url``; ``create_tables`` is for demos and tests."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(url, echo=echo, **_shop.engine_options(url))
        if create_tables:
            Base.metadata.create_all(engine)
        app.state.engine = engine
        app.state.sessions = sessionmaker(engine)
        try:
            yield  # the app serves requests
        finally:
            if create_tables:
                Base.metadata.drop_all(engine)
            engine.dispose()

    app = FastAPI(lifespan=lifespan)
    app.include_router(router)
    return app
    # end-app


# start-dependency
def get_session(request: Request) -> Iterator[Session]:
    """One session per request, closed when the request is done."""
    sessions: sessionmaker[Session] = request.app.state.sessions
    with sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
# end-dependency

router = APIRouter()


# start-routes
@router.get("/customers")
def list_customers(session: SessionDep) -> list[CustomerOut]:
    customers = session.scalars(
        select(Customer)
        .options(selectinload(Customer.invoices), raiseload("*"))
        .order_by(Customer.name)
    )
    return [CustomerOut.model_validate(customer) for customer in customers]


@router.get("/customers/{customer_id}")
def get_customer(customer_id: int, session: SessionDep) -> CustomerOut:
    customer = session.get(
        Customer, customer_id, options=[selectinload(Customer.invoices), raiseload("*")]
    )
    if customer is None:
        raise HTTPException(status_code=404, detail=f"no customer {customer_id}")
    return CustomerOut.model_validate(customer)


@router.post("/customers/{customer_id}/invoices", status_code=201)
def add_invoice(customer_id: int, invoice: InvoiceIn, session: SessionDep) -> InvoiceOut:
    if session.get(Customer, customer_id) is None:
        raise HTTPException(status_code=404, detail=f"no customer {customer_id}")
    new = Invoice(customer_id=customer_id, **invoice.model_dump())
    session.add(new)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise HTTPException(
            status_code=409, detail=f"invoice {invoice.number} already exists"
        ) from None
    return InvoiceOut.model_validate(new)
    # end-routes


def main(engine: Engine) -> None:
    _cli.refuse_taken_tables(engine, Base.metadata)
    app = create_app(engine.url, echo=engine.echo is True, create_tables=True)
    with TestClient(app) as client:
        sessions: sessionmaker[Session] = app.state.sessions
        with sessions.begin() as session:
            session.add_all(_shop.sample_customers())
        for method, path, body in [
            ("GET", "/customers/2", None),
            ("POST", "/customers/2/invoices", {"number": "INV-1005", "amount_cents": 2_450}),
            ("POST", "/customers/3/invoices", {"number": "INV-1005", "amount_cents": 990}),
            ("POST", "/customers/9/invoices", {"number": "INV-1006", "amount_cents": 990}),
            ("GET", "/customers", None),
        ]:
            response = client.request(method, path, json=body)
            _shop.show(method, path, response.status_code, response.json())


if __name__ == "__main__":
    _cli.run(main, __doc__)
