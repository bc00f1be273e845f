"""A social graph: who follows whom, as a self-referential many-to-many relationship.

One table of nodes (accounts) and one association table of edges (``follows``) whose two
columns both point back at the nodes table. ``Node.following`` and ``Node.followers`` are
the two directions of the same edges. The program builds a small graph, asks it a few
questions, and exports it to JSON.

Run: python -m examples.social_graph [--url URL] [--echo]
"""

from __future__ import annotations

import json

from sqlalchemy import Column, Engine, ForeignKey, String, Table, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, aliased, mapped_column, relationship

from examples import _cli


class Base(DeclarativeBase):
    pass


follows = Table(
    "follows",
    Base.metadata,
    Column("follower_id", ForeignKey("nodes.id"), primary_key=True),
    Column("followed_id", ForeignKey("nodes.id"), primary_key=True),
)


class Node(Base):
    __tablename__ = "nodes"

    id: Mapped[int] = mapped_column(primary_key=True)
    handle: Mapped[str] = mapped_column(String(30), unique=True)
    # Both ends of an edge are nodes, so each direction says which column is which.
    following: Mapped[list[Node]] = relationship(
        secondary=follows,
        primaryjoin=id == follows.c.follower_id,
        secondaryjoin=id == follows.c.followed_id,
        back_populates="followers",
        order_by=handle,
    )
    followers: Mapped[list[Node]] = relationship(
        secondary=follows,
        primaryjoin=id == follows.c.followed_id,
        secondaryjoin=id == follows.c.follower_id,
        back_populates="following",
        order_by=handle,
    )

    def __repr__(self) -> str:
        return f"Node({self.handle!r})"


def export(session: Session) -> str:
    """The graph as a JSON array with one object per node, written one node per line."""
    nodes = session.scalars(select(Node).order_by(Node.handle)).all()
    lines = [
        json.dumps(
            {
                "handle": node.handle,
                "following": [n.handle for n in node.following],
                "followers": [n.handle for n in node.followers],
            }
        )
        for node in nodes
    ]
    return "[\n" + ",\n".join(f"  {line}" for line in lines) + "\n]"


def main(engine: Engine) -> None:
    with _cli.own_tables(engine, Base.metadata), Session(engine) as session:
        ada, bram, chen, dilys, emeka = (
            Node(handle=h) for h in ("ada", "bram", "chen", "dilys", "emeka")
        )
        ada.following = [bram, chen]
        bram.following = [ada, chen]
        chen.following = [dilys]
        dilys.following = [chen]
        emeka.following = [ada, chen]
        session.add_all([ada, bram, chen, dilys, emeka])
        session.commit()

        print("Who follows whom:")
        for node in session.scalars(select(Node).order_by(Node.handle)):
            print(f"  {node.handle:<6} follows {', '.join(n.handle for n in node.following)}")

        # Appending to one side is enough: back_populates updates the other in Python,
        # and the flush writes the single row in follows.
        chen.following.append(emeka)
        session.commit()
        print(f"\nchen followed emeka; emeka's followers are now {emeka.followers}")

        counted = (
            select(Node.handle, func.count(follows.c.follower_id).label("followers"))
            .outerjoin(follows, follows.c.followed_id == Node.id)
            .group_by(Node.id, Node.handle)
            .order_by(func.count(follows.c.follower_id).desc(), Node.handle)
        )
        print("\nFollower counts, most followed first:")
        for handle, count in session.execute(counted):
            print(f"  {handle:<6} {count}")

        # Mutual pairs: an edge a->b whose reverse b->a exists; a < b lists each pair once.
        back = follows.alias("back")
        a, b = aliased(Node), aliased(Node)
        mutual = (
            select(a.handle, b.handle)
            .join(follows, follows.c.follower_id == a.id)
            .join(b, follows.c.followed_id == b.id)
            .join(
                back,
                (back.c.follower_id == follows.c.followed_id)
                & (back.c.followed_id == follows.c.follower_id),
            )
            .where(a.handle < b.handle)
            .order_by(a.handle, b.handle)
        )
        pairs = [f"{x} <-> {y}" for x, y in session.execute(mutual)]
        print(f"\nMutual follows: {', '.join(pairs)}")

        document = export(session)
        print("\nThe graph exported to JSON:")
        print(document)
        loaded = json.loads(document)
        edges = sum(len(node["following"]) for node in loaded)
        print(f"Read back with json.loads(): {len(loaded)} nodes, {edges} edges.")


if __name__ == "__main__":
    _cli.run(main, __doc__)
