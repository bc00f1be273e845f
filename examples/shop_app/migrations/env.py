"""Alembic's environment for the shop application: how migrations reach the database.

Alembic runs this file for every command that touches the database. A program or a test
that already holds a connection passes it in ``config.attributes["connection"]``; otherwise
the URL comes from ``-x url=...`` on the command line, else from ``alembic.ini``.
"""

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection, create_engine, pool

from examples.shop_app.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite can't ALTER most things: autogenerate writes batch operations, which copy
        # the table on SQLite and are plain ALTER TABLE statements elsewhere
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:  # a caller's connection, in the caller's transaction
        run_migrations(connection)
        return
    if config.config_file_name is not None:  # the command line: log what Alembic does
        fileConfig(config.config_file_name)
    url = context.get_x_argument(as_dictionary=True).get("url")
    engine = create_engine(
        url or config.get_main_option("sqlalchemy.url", ""), poolclass=pool.NullPool
    )
    with engine.connect() as connection:
        run_migrations(connection)


if context.is_offline_mode():
    raise SystemExit("this environment does not write SQL scripts (offline mode)")
run_migrations_online()
