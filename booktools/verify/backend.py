"""The run's backend and SQLAlchemy series, and each page's database session.

Unset, ``BOOK_DATABASE_URL`` leaves pages on the in-memory SQLite databases that they
create themselves. Set (the ``tests_postgres`` nox session sets it), each page's
``create_engine("sqlite://")`` and ``create_async_engine("sqlite+aiosqlite://")`` are
pointed at a freshly emptied schema of that server instead (psycopg 3 serves asyncio with
the same URL).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from functools import cache
from typing import Any

import sqlalchemy

DATABASE_URL_VARIABLE = "BOOK_DATABASE_URL"
IN_MEMORY_SQLITE_URLS = {"sqlite://", "sqlite+pysqlite://", "sqlite:///:memory:"}
IN_MEMORY_AIOSQLITE_URLS = {"sqlite+aiosqlite://", "sqlite+aiosqlite:///:memory:"}


@dataclass(frozen=True)
class Run:
    """What this test run targets: the backend and the SQLAlchemy series."""

    backend: str
    series: str
    url: str | None

    @classmethod
    def from_environment(cls) -> Run:
        url = os.environ.get(DATABASE_URL_VARIABLE) or None
        backend = sqlalchemy.make_url(url).get_backend_name() if url else "sqlite"
        series = "sqlalchemy-" + ".".join(sqlalchemy.__version__.split(".")[:2])
        return cls(backend, series, url)


@cache
def current_run() -> Run:
    return Run.from_environment()


_real_create_engine = sqlalchemy.create_engine

try:
    from sqlalchemy.ext import asyncio as sqlalchemy_asyncio
except ImportError:  # pragma: no cover - greenlet missing
    sqlalchemy_asyncio = None
_real_create_async_engine = sqlalchemy_asyncio.create_async_engine if sqlalchemy_asyncio else None


def _create_engine_on_test_server(url, *args, **kwargs):
    """``create_engine`` as pages see it when the run targets a server."""
    if str(url) in IN_MEMORY_SQLITE_URLS:
        url = current_run().url
    return _real_create_engine(url, *args, **kwargs)


def _create_async_engine_on_test_server(url, *args, **kwargs):
    """``create_async_engine`` as pages see it when the run targets a server."""
    if str(url) in IN_MEMORY_AIOSQLITE_URLS:
        url = current_run().url
    return _real_create_async_engine(url, *args, **kwargs)


def _patch_create_engine(engine_factory, async_engine_factory) -> None:
    sqlalchemy.create_engine = engine_factory
    sqlalchemy.engine.create_engine = engine_factory
    if sqlalchemy_asyncio is not None:
        sqlalchemy_asyncio.create_async_engine = async_engine_factory


def _empty_test_database() -> None:
    engine = _real_create_engine(current_run().url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


def set_up_page(namespace: dict[str, Any]) -> None:
    from .capture import install_sql_handler

    namespace["__name__"] = "__main__"
    install_sql_handler()
    if current_run().url:
        _empty_test_database()
        _patch_create_engine(_create_engine_on_test_server, _create_async_engine_on_test_server)


def end_session(namespace: dict[str, Any]) -> None:
    """What ending a reader's Python session does: its engines close, its SQL logging stops."""
    for value in list(namespace.values()):
        # an AsyncEngine's pool is its sync_engine's; disposing that needs no event loop
        engine = getattr(value, "sync_engine", value)
        if isinstance(engine, sqlalchemy.Engine):
            engine.dispose()
    namespace.clear()
    # pages may turn SQL logging on through the logging module; don't let it leak
    for name in ("sqlalchemy", "sqlalchemy.engine", "sqlalchemy.engine.Engine"):
        logging.getLogger(name).setLevel(logging.NOTSET)


def tear_down_page(namespace: dict[str, Any]) -> None:
    end_session(namespace)
    _patch_create_engine(_real_create_engine, _real_create_async_engine)
    if current_run().url:  # leave the server as the page found it, for the tests that come next
        _empty_test_database()
