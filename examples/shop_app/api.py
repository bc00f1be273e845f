"""The shop's HTTP API: FastAPI, one engine per process, one session per request."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import URL, create_engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, raiseload, selectinload, sessionmaker

from examples import _shop
from examples.shop_app.models import Customer, Invoice, Product


class ProductIn(BaseModel):
    sku: str = Field(min_length=1, max_length=20)
    name: str = Field(min_length=1, max_length=80)
    price_cents: int = Field(ge=0)


class ProductOut(ProductIn):
    model_config = ConfigDict(from_attributes=True)


class CustomerIn(BaseModel):
    name: str = Field(min_length=1, max_length=60)
    city: str = Field(min_length=1, max_length=40)


class InvoiceIn(BaseModel):
    number: str = Field(min_length=1, max_length=12)
    sku: str
    quantity: int = Field(gt=0)


class InvoiceOut(BaseModel):
    number: str
    sku: str
    quantity: int
    amount_cents: int

    @classmethod
    def of(cls, invoice: Invoice) -> InvoiceOut:
        return cls(
            number=invoice.number,
            sku=invoice.product.sku,
            quantity=invoice.quantity,
            amount_cents=invoice.amount_cents,
        )


class CustomerOut(BaseModel):
    id: int
    name: str
    city: str
    invoices: list[InvoiceOut]

    @classmethod
    def of(cls, customer: Customer) -> CustomerOut:
        invoices = [InvoiceOut.of(invoice) for invoice in customer.invoices]
        return cls(id=customer.id, name=customer.name, city=customer.city, invoices=invoices)


def create_app(url: str | URL, *, echo: bool = False) -> FastAPI:
    """The API for the database at ``url``, whose schema the migrations made."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(url, echo=echo, **_shop.engine_options(url))
        app.state.sessions = sessionmaker(engine)
        try:
            yield
        finally:
            engine.dispose()

    app = FastAPI(title="Shop", lifespan=lifespan)
    add_routes(app)
    return app


def get_session(request: Request) -> Iterator[Session]:
    sessions: sessionmaker[Session] = request.app.state.sessions
    with sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def commit_or_conflict(session: Session, what: str) -> None:
    """Commit; a unique constraint that says no becomes ``409 Conflict``."""
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise HTTPException(status_code=409, detail=f"{what} already exists") from None


def add_routes(app: FastAPI) -> None:
    @app.get("/products")
    def list_products(session: SessionDep) -> list[ProductOut]:
        products = session.scalars(select(Product).order_by(Product.sku))
        return [ProductOut.model_validate(product) for product in products]

    @app.post("/products", status_code=201)
    def add_product(product: ProductIn, session: SessionDep) -> ProductOut:
        new = Product(**product.model_dump())
        session.add(new)
        commit_or_conflict(session, f"product {product.sku}")
        return ProductOut.model_validate(new)

    @app.post("/customers", status_code=201)
    def add_customer(customer: CustomerIn, session: SessionDep) -> CustomerOut:
        new = Customer(**customer.model_dump(), invoices=[])
        session.add(new)
        commit_or_conflict(session, f"customer {customer.name}")
        return CustomerOut(id=new.id, name=new.name, city=new.city, invoices=[])

    @app.get("/customers/{customer_id}")
    def get_customer(customer_id: int, session: SessionDep) -> CustomerOut:
        customer = session.get(
            Customer,
            customer_id,
            options=[
                selectinload(Customer.invoices).joinedload(Invoice.product),
                raiseload("*"),
            ],
        )
        if customer is None:
            raise HTTPException(status_code=404, detail=f"no customer {customer_id}")
        return CustomerOut.of(customer)

    @app.post("/customers/{customer_id}/invoices", status_code=201)
    def add_invoice(customer_id: int, invoice: InvoiceIn, session: SessionDep) -> InvoiceOut:
        if session.get(Customer, customer_id) is None:
            raise HTTPException(status_code=404, detail=f"no customer {customer_id}")
        product = session.scalar(select(Product).where(Product.sku == invoice.sku))
        if product is None:
            raise HTTPException(status_code=404, detail=f"no product {invoice.sku}")
        new = Invoice(
            number=invoice.number,
            customer_id=customer_id,
            product=product,
            quantity=invoice.quantity,
            amount_cents=product.price_cents * invoice.quantity,
        )
        session.add(new)
        commit_or_conflict(session, f"invoice {invoice.number}")
        return InvoiceOut.of(new)
