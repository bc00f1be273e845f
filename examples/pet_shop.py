"""A pet shop's inventory: adding, updating and deleting pets with the ORM session.

At each step the program prints what the session is holding back: ``session.new`` (objects
added but not yet inserted), ``session.dirty`` (loaded objects whose attributes were set) and
``session.deleted`` (objects marked for deletion). A flush or commit sends those changes as
INSERT, UPDATE and DELETE statements and empties the three collections; a rollback discards
them.

Run: python -m examples.pet_shop [--url URL] [--echo]
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Engine, String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from examples import _cli


class Base(DeclarativeBase):
    pass


class Pet(Base):
    __tablename__ = "pets"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    species: Mapped[str] = mapped_column(String(40))
    price_cents: Mapped[int]
    quantity: Mapped[int] = mapped_column(default=1)

    def __repr__(self) -> str:
        return f"Pet({self.name!r})"


def names(pets: Iterable[object]) -> str:
    """The session's collections are sets: sort them so the output is always the same."""
    shown = sorted(repr(pet) for pet in pets)
    return ", ".join(shown) if shown else "-"


def show_session(session: Session, step: str) -> None:
    print(f"{step}")
    print(f"  new:     {names(session.new)}")
    print(f"  dirty:   {names(session.dirty)}")
    print(f"  deleted: {names(session.deleted)}")


def show_inventory(session: Session) -> None:
    print("Inventory:")
    for pet in session.scalars(select(Pet).order_by(Pet.name)):
        price = f"{pet.price_cents // 100}.{pet.price_cents % 100:02d}"
        print(f"  {pet.name:<10} {pet.species:<12} {price:>7}  x{pet.quantity}")


def main(engine: Engine) -> None:
    with _cli.own_tables(engine, Base.metadata), Session(engine) as session:
        session.add_all(
            [
                Pet(name="Biscuit", species="hamster", price_cents=1_499, quantity=4),
                Pet(name="Marble", species="guinea pig", price_cents=3_500, quantity=2),
                Pet(name="Pip", species="budgerigar", price_cents=2_250),
                Pet(name="Saffron", species="goldfish", price_cents=399, quantity=12),
            ]
        )
        show_session(session, "Added four pets; nothing is in the database yet:")
        session.commit()
        show_session(session, "After commit, the session has nothing left to send:")
        show_inventory(session)

        marble = session.scalars(select(Pet).where(Pet.name == "Marble")).one()
        biscuit = session.scalars(select(Pet).where(Pet.name == "Biscuit")).one()
        marble.price_cents = 2_999  # a sale
        biscuit.species = "hamster"  # the value it already had
        print()
        show_session(session, "Changed Marble's price and set Biscuit's species to the same value:")
        # dirty means "an attribute was set"; is_modified() checks whether a value changed.
        for pet in (biscuit, marble):
            print(f"  is_modified({pet!r}) = {session.is_modified(pet)}")
        session.commit()

        pip = session.scalars(select(Pet).where(Pet.name == "Pip")).one()
        session.delete(pip)
        print()
        show_session(session, "Sold the last budgerigar, Pip:")
        session.commit()
        show_inventory(session)

        # Load Saffron first: a query flushes pending changes (autoflush), which would
        # insert Gizmo before we could see it in session.new.
        saffron = session.scalars(select(Pet).where(Pet.name == "Saffron")).one()
        session.add(Pet(name="Gizmo", species="ferret", price_cents=12_000))
        saffron.quantity = 0
        print()
        show_session(session, "Added Gizmo and sold out Saffron, then changed our mind:")
        session.rollback()
        show_session(session, "After rollback:")
        print(f"  Saffron's stock is back to {saffron.quantity}")
        show_inventory(session)


if __name__ == "__main__":
    _cli.run(main, __doc__)
