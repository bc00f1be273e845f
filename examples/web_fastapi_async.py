"""The FastAPI app of ``web_fastapi_sync``, on asyncio: ``AsyncSession`` per request.

The lifespan makes an ``AsyncEngine`` and an ``async_sessionmaker``; an ``async`` ``yield``
dependency gives each request its ``AsyncSession``. Under asyncio a lazy load cannot happen
implicitly at all, so every relationship a response shows is loaded by the query, with
``selectinload()``, and the sessions keep their objects' state after a commit
(``expire_on_commit=False``) so that building the response needs no further SQL.

Running the program starts the app in-process with FastAPI's test client, sends it a few
requests and prints the responses. SQLite is reached through aiosqlite and PostgreSQL
through psycopg 3, whose one driver serves both sync and asyncio code.

Run: python -m examples.web_fastapi_async [--url URL] [--echo]
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.testclient import TestClient
from sqlalchemy import URL, Engine, make_url, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import raiseload, selectinload

from examples import _cli, _shop
from examples._shop import Base, Customer, Invoice
from examples.web_fastapi_sync import CustomerOut, InvoiceIn, InvoiceOut


# start-app
def create_app(url: str | URL, *, echo: bool = False, create_tables: bool = False) -> FastAPI:
    """The app, for the database at ``url`` (an asyncio driver's URL)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_async_engine(url, echo=echo, **_shop.engine_options(url))
        if create_tables:
            async with engine.begin() as conn:
                await conn.run_sync(Base.metadata.create_all)
        app.state.engine = engine
        app.state.sessions = async_sessionmaker(engine, expire_on_commit=False)
        try:
            yield
        finally:
            if create_tables:
                async with engine.begin() as conn:
                    await conn.run_sync(Base.metadata.drop_all)
            await engine.dispose()

    app = FastAPI(lifespan=lifespan)
    app.include_router(router)
    return app
    # end-app


# start-dependency
async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One ``AsyncSession`` per request, closed when the request is done."""
    sessions: async_sessionmaker[AsyncSession] = request.app.state.sessions
    async with sessions() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]
# end-dependency

router = APIRouter()


# start-routes
@router.get("/customers")
async def list_customers(session: SessionDep) -> list[CustomerOut]:
    customers = await session.scalars(
        select(Customer)
        .options(selectinload(Customer.invoices), raiseload("*"))
        .order_by(Customer.name)
    )
    return [CustomerOut.model_validate(customer) for customer in customers]


@router.get("/customers/{customer_id}")
async def get_customer(customer_id: int, session: SessionDep) -> CustomerOut:
    customer = await session.get(
        Customer, customer_id, options=[selectinload(Customer.invoices), raiseload("*")]
    )
    if customer is None:
        raise HTTPException(status_code=404, detail=f"no customer {customer_id}")
    return CustomerOut.model_validate(customer)


@router.post("/customers/{customer_id}/invoices", status_code=201)
async def add_invoice(customer_id: int, invoice: InvoiceIn, session: SessionDep) -> InvoiceOut:
    if await session.get(Customer, customer_id) is None:
        raise HTTPException(status_code=404, detail=f"no customer {customer_id}")
    new = Invoice(customer_id=customer_id, **invoice.model_dump())
    session.add(new)
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raise HTTPException(
            status_code=409, detail=f"invoice {invoice.number} already exists"
        ) from None
    return InvoiceOut.model_validate(new)  # expire_on_commit=False: no SQL needed
    # end-routes


def asyncio_url(url: URL) -> URL:
    """The asyncio driver's URL for the database that the sync ``url`` names."""
    drivers = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+psycopg"}
    backend = url.get_backend_name()
    if backend not in drivers:
        raise _cli.BadInput(
            f"this program knows no asyncio driver for {backend!r}: "
            f"{url.render_as_string(hide_password=True)}"
        )
    return url.set(drivername=drivers[backend])


async def add_sample_customers(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions.begin() as session:
        session.add_all(_shop.sample_customers())


def main(engine: Engine) -> None:
    _cli.refuse_taken_tables(engine, Base.metadata)
    app = create_app(
        asyncio_url(make_url(engine.url)), echo=engine.echo is True, create_tables=True
    )
    with TestClient(app) as client:
        # the engine belongs to the app's event loop: run the coroutine there
        assert client.portal is not None  # it is, while the client runs the app
        client.portal.call(add_sample_customers, app.state.sessions)
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
