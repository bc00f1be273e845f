"""What every example program shares: choosing the database, and failing cleanly.

Each program defines ``main(engine)`` and ends with ``_cli.run(main, __doc__)``. This module
turns the command line into an engine:

* ``--url URL``, else the ``DATABASE_URL`` environment variable, else in-memory SQLite;
* ``--echo`` to log the SQL that SQLAlchemy sends.

Before the program writes anything, the database is checked: the URL must parse, name a
dialect and driver that SQLAlchemy knows and that is installed, and accept a connection, and
none of the program's tables may exist yet. If any check fails, the program prints one line
to stderr, naming the problem and the URL with its password masked, and exits with status 2.

Each program creates its own tables with :func:`own_tables` and drops them when it ends, so
it leaves the database as it found it.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import URL, Engine, MetaData, create_engine, inspect, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

DEFAULT_URL = "sqlite://"
URL_VARIABLE = "DATABASE_URL"
BAD_INPUT = 2  # the exit status for a URL or database we can't use
FAILED = 1  # the exit status for an error the database reported while we worked


class BadInput(Exception):
    """A problem with the database we were pointed at, reported in one line."""


def masked(url: str) -> str:
    """The URL as it is safe to print: its password, if any, replaced by ``***``."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        # Not a URL SQLAlchemy can parse: hide whatever stands between "//user:" and "@".
        return re.sub(r"(//[^/:@]*:)[^@/]*@", r"\1***@", url)


def _reason(error: DBAPIError, url: URL) -> str:
    """The first line of the driver's message, without the password should it appear."""
    text = str(error.orig).strip().splitlines()
    reason = text[0] if text else type(error.orig).__name__
    if url.password:
        reason = reason.replace(str(url.password), "***")
    return reason


def connect(url_text: str, echo: bool = False) -> Engine:
    """An engine for ``url_text``, once a first connection has succeeded."""
    shown = masked(url_text)
    try:
        url = make_url(url_text)
    except (ArgumentError, ValueError):
        raise BadInput(
            f"not a database URL: {shown} (expected dialect+driver://user:password@host/dbname)"
        ) from None
    try:
        engine = create_engine(url, echo=echo)
    except NoSuchModuleError:
        raise BadInput(f"unknown database dialect or driver {url.drivername!r}: {shown}") from None
    except ImportError as error:
        module = error.name or str(error)
        raise BadInput(
            f"the driver for {url.drivername!r} is not installed "
            f"(no Python module named {module!r}): {shown}"
        ) from None
    if engine.dialect.is_async:
        raise BadInput(f"{url.drivername!r} is an asyncio driver; use a synchronous one: {shown}")
    try:
        with engine.connect():
            pass
    except DBAPIError as error:
        engine.dispose()
        raise BadInput(f"cannot connect to {shown}: {_reason(error, url)}") from None
    return engine


def refuse_taken_tables(engine: Engine, metadata: MetaData) -> None:
    """Stop with :class:`BadInput` if any table of ``metadata`` already exists.

    That table belongs to someone else: a program that creates its tables and drops them
    when it ends would destroy their data.
    """
    names = [table.name for table in metadata.sorted_tables]
    taken = sorted(set(names) & set(inspect(engine).get_table_names()))
    if taken:
        shown = engine.url.render_as_string(hide_password=True)
        raise BadInput(
            f"the database already has a table named {taken[0]!r}, which this program "
            f"would create and drop; use another database: {shown}"
        )


@contextmanager
def own_tables(engine: Engine, metadata: MetaData) -> Iterator[None]:
    """Create the tables of ``metadata`` for the program, and drop them when it ends.

    Refuses to start if any of them already exists: that table belongs to someone else,
    and dropping it at the end would destroy their data.
    """
    refuse_taken_tables(engine, metadata)
    names = [table.name for table in metadata.sorted_tables]
    try:
        metadata.create_all(engine)
        print(f"Created tables: {', '.join(names)}.")
        yield
    finally:  # drop_all() skips tables that don't exist, e.g. if create_all() failed halfway
        metadata.drop_all(engine)
        print(f"Dropped tables: {', '.join(reversed(names))}.")


def run(main: Callable[[Engine], None], description: str | None = None) -> None:
    """Parse the command line, connect, and run ``main(engine)``; exit 2 on bad input."""
    program = Path(sys.argv[0]).stem
    parser = argparse.ArgumentParser(
        prog=f"python -m examples.{program}",
        description=description.strip().splitlines()[0] if description else None,
    )
    parser.add_argument(
        "--url",
        default=os.environ.get(URL_VARIABLE) or DEFAULT_URL,
        help=f"database URL (default: ${URL_VARIABLE}, else {DEFAULT_URL!r}, in-memory SQLite)",
    )
    parser.add_argument("--echo", action="store_true", help="log the SQL that SQLAlchemy emits")
    args = parser.parse_args()
    try:
        engine = connect(args.url, echo=args.echo)
        try:
            main(engine)
        finally:
            engine.dispose()
    except BadInput as problem:
        print(f"{program}: error: {problem}", file=sys.stderr)
        sys.exit(BAD_INPUT)
    except DBAPIError as error:
        url = make_url(args.url)
        shown = url.render_as_string(hide_password=True)
        print(
            f"{program}: error: the database reported: {_reason(error, url)}: {shown}",
            file=sys.stderr,
        )
        sys.exit(FAILED)
