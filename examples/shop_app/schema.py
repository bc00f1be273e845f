"""The database's migration state, and bringing it to the newest revision."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, event, inspect

from examples._cli import BadInput

ALEMBIC_INI = Path(__file__).with_name("migrations") / "alembic.ini"


def sqlite_transactions_that_nest(engine: Engine) -> None:
    """Let SQLAlchemy, not the sqlite3 module, begin SQLite's transactions.

    The sqlite3 module starts a transaction only before a write, on its own, and SAVEPOINTs
    inside such transactions do not roll back what they should. With its own transaction
    handling off and SQLAlchemy emitting ``BEGIN``, a test or the demo can run everything
    inside one outer transaction, and each commit of the app releases a savepoint instead.
    (SQLAlchemy's documentation: "Serializable isolation / Savepoints / Transactional DDL".)
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def no_driver_transactions(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN")

    engine.dispose()  # connections made before the listeners are closed


def alembic_config() -> Config:
    return Config(ALEMBIC_INI, stdout=sys.stdout)


def head() -> str:
    revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert revision is not None
    return revision


def current(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Run the migrations that the database has not had, in one transaction."""
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def ready(engine: Engine, *, migrate: bool) -> str:
    """Make sure the database is at the newest revision; say what was done.

    An empty database is migrated: that is a first deployment. One at an older revision is
    migrated only when asked (``--migrate``): changing a live schema is a decision, not a
    side effect of starting the app. Anything else is not this app's database.
    """
    shown = engine.url.render_as_string(hide_password=True)
    newest, found = head(), current(engine)
    if found == newest:
        return f"The database is at revision {newest} (head)."
    if found is None:
        if inspect(engine).get_table_names():
            raise BadInput(f"the database has tables but no Alembic revision; use another: {shown}")
        upgrade(engine)
        return f"Created the schema: revision {newest} (head)."
    known = {
        script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()
    }
    if found not in known:
        raise BadInput(f"the database is at revision {found!r}, unknown to this app: {shown}")
    if not migrate:
        raise BadInput(
            f"the database is at revision {found}, this app needs {newest}; "
            f"run with --migrate to upgrade it: {shown}"
        )
    upgrade(engine)
    return f"Upgraded the database from revision {found} to {newest} (head)."
