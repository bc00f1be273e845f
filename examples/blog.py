"""A small blog: users with addresses and posts, and posts tagged with keywords.

Users have many addresses and many posts (one-to-many); posts and keywords are linked through
an association table (many-to-many). The program reads the same data twice and counts the
SELECT statements each way takes: lazy loading issues one query per collection it touches,
while ``selectinload()`` and ``joinedload()`` load everything in a fixed, small number.

Run: python -m examples.blog [--url URL] [--echo]
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Column, Engine, ForeignKey, String, Table, event, select
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    joinedload,
    mapped_column,
    relationship,
    selectinload,
)

from examples import _cli


class Base(DeclarativeBase):
    pass


post_keywords = Table(
    "post_keywords",
    Base.metadata,
    Column("post_id", ForeignKey("posts.id"), primary_key=True),
    Column("keyword_id", ForeignKey("keywords.id"), primary_key=True),
)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(30), unique=True)
    addresses: Mapped[list[Address]] = relationship(back_populates="user", order_by="Address.email")
    posts: Mapped[list[Post]] = relationship(back_populates="author", order_by="Post.title")


class Address(Base):
    __tablename__ = "addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(80))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    user: Mapped[User] = relationship(back_populates="addresses")


class Post(Base):
    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    author: Mapped[User] = relationship(back_populates="posts")
    keywords: Mapped[list[Keyword]] = relationship(
        secondary=post_keywords, back_populates="posts", order_by="Keyword.word"
    )


class Keyword(Base):
    __tablename__ = "keywords"

    id: Mapped[int] = mapped_column(primary_key=True)
    word: Mapped[str] = mapped_column(String(30), unique=True)
    posts: Mapped[list[Post]] = relationship(
        secondary=post_keywords, back_populates="keywords", order_by="Post.title"
    )


@contextmanager
def counting_selects(engine: Engine) -> Iterator[list[str]]:
    """Collect the SELECT statements that ``engine`` runs inside the block."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def seed(session: Session) -> None:
    words = {w: Keyword(word=w) for w in ("indexes", "migrations", "postgresql", "sqlite")}
    session.add_all(
        [
            User(
                username="nadia",
                addresses=[Address(email="nadia@example.org"), Address(email="nk@example.net")],
                posts=[
                    Post(title="Partial indexes", keywords=[words["indexes"], words["postgresql"]]),
                    Post(title="Migrations without fear", keywords=[words["migrations"]]),
                ],
            ),
            User(
                username="tomasz",
                addresses=[Address(email="tomasz@example.com")],
                posts=[Post(title="SQLite in production?", keywords=[words["sqlite"]])],
            ),
            User(username="wren", addresses=[Address(email="wren@example.org")]),
        ]
    )
    session.commit()


def describe(users: list[User]) -> None:
    for user in users:
        emails = ", ".join(address.email for address in user.addresses)
        print(f"  {user.username} <{emails}>")
        for post in user.posts:
            tags = ", ".join(keyword.word for keyword in post.keywords)
            print(f"    - {post.title} [{tags}]")
        if not user.posts:
            print("    (no posts yet)")


def main(engine: Engine) -> None:
    with _cli.own_tables(engine, Base.metadata):
        with Session(engine) as session:
            seed(session)

        # A fresh session each time, so nothing is already loaded in its identity map.
        with Session(engine) as session, counting_selects(engine) as selects:
            print("Users, their addresses, posts and keywords, loaded lazily (the default):")
            users = list(session.scalars(select(User).order_by(User.username)))
            describe(users)
        print(f"Lazy loading: {len(selects)} SELECT statements, 1 for the users and then 1 for")
        print("each collection touched: 3 address lists, 3 post lists, 3 keyword lists.\n")

        eager = (
            select(User)
            .options(
                selectinload(User.addresses),
                selectinload(User.posts).selectinload(Post.keywords),
            )
            .order_by(User.username)
        )
        with Session(engine) as session, counting_selects(engine) as selects:
            print("The same, loaded eagerly with selectinload():")
            users = list(session.scalars(eager))
            describe(users)
        print(f"selectinload(): {len(selects)} SELECT statements, 1 for the users and 1 for each")
        print("relationship loaded (up to 500 parents per IN list), however many users there are.")

        # joinedload() suits many-to-one: the author comes in the same row as the post.
        with Session(engine) as session, counting_selects(engine) as selects:
            posts = session.scalars(
                select(Post).options(joinedload(Post.author)).order_by(Post.title)
            ).all()
            print("\nEvery post with its author:")
            for post in posts:
                print(f"  {post.title!r} by {post.author.username}")
        print(f"joinedload(): {len(selects)} SELECT statement.\n")

        with Session(engine) as session:
            tagged = session.scalars(
                select(Post)
                .where(Post.keywords.any(Keyword.word.in_(["postgresql", "sqlite"])))
                .order_by(Post.title)
            )
            print("Posts about a database engine:")
            for post in tagged:
                print(f"  {post.title}")


if __name__ == "__main__":
    _cli.run(main, __doc__)
