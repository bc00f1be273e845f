"""Parents and children: counting the children of each parent, parents with none included.

Three ways to write the count, two of them wrong in a way that is easy to miss: an inner
join leaves out the parents who have no children, and ``count(*)`` over an outer join counts
the row of NULLs that a childless parent gets as one child. Counting a column of the child
table over an outer join gives the right answer, and so does a correlated subquery, which
the ORM can also attach to the class as a ``column_property()``.

Run: python -m examples.family [--url URL] [--echo]
"""

from __future__ import annotations

from sqlalchemy import Engine, ForeignKey, String, func, select
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    column_property,
    mapped_column,
    relationship,
)

from examples import _cli


class Base(DeclarativeBase):
    pass


class Child(Base):
    __tablename__ = "children"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    parent_id: Mapped[int] = mapped_column(ForeignKey("parents.id"))
    parent: Mapped[Parent] = relationship(back_populates="children")


class Parent(Base):
    __tablename__ = "parents"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    children: Mapped[list[Child]] = relationship(back_populates="parent", order_by=Child.name)
    # A correlated subquery, loaded with every Parent (Child is defined above for this).
    child_count: Mapped[int] = column_property(
        select(func.count(Child.id)).where(Child.parent_id == id).scalar_subquery()
    )


def main(engine: Engine) -> None:
    with _cli.own_tables(engine, Base.metadata), Session(engine) as session:
        session.add_all(
            [
                Parent(name="Amara", children=[Child(name="Kofi"), Child(name="Zara")]),
                Parent(name="Bogdan", children=[Child(name="Ilya")]),
                Parent(name="Carmen"),
                Parent(
                    name="Dagny",
                    children=[Child(name="Astrid"), Child(name="Leif"), Child(name="Sigrun")],
                ),
            ]
        )
        session.commit()

        print("The families:")
        for parent in session.scalars(select(Parent).order_by(Parent.name)):
            names = ", ".join(child.name for child in parent.children) or "no children"
            print(f"  {parent.name}: {names}")
        print()

        per_parent = (Parent.id, Parent.name)
        attempts = [
            (
                "Inner join, count(*) (Carmen is missing)",
                select(Parent.name, func.count()).join(Parent.children).group_by(*per_parent),
            ),
            (
                "Outer join, count(*) (Carmen gets 1)",
                select(Parent.name, func.count()).outerjoin(Parent.children).group_by(*per_parent),
            ),
            (
                "Outer join, count(children.id)",
                select(Parent.name, func.count(Child.id))
                .outerjoin(Parent.children)
                .group_by(*per_parent),
            ),
            (
                "With HAVING, parents of two or more",
                select(Parent.name, func.count(Child.id))
                .outerjoin(Parent.children)
                .group_by(*per_parent)
                .having(func.count(Child.id) >= 2),
            ),
        ]
        for title, query in attempts:
            rows = session.execute(query.order_by(Parent.name)).all()
            print(f"{title}: " + ", ".join(f"{name} {count}" for name, count in rows))

        print("\nThe same count as a column_property() of Parent:")
        for parent in session.scalars(select(Parent).order_by(Parent.name)):
            print(f"  {parent.name}.child_count = {parent.child_count}")


if __name__ == "__main__":
    _cli.run(main, __doc__)
