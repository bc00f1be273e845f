"""The programs in examples/, run the way a reader runs them: ``python -m examples.NAME``.

Each program's whole stdout is compared with ``tests/examples_output/NAME.txt``, the file the
book's "Examples gallery" shows under the program. To regenerate those files after changing a
program, run this file on SQLite with ``--update-examples`` and read the diff:

    python -m pytest tests/test_examples.py --update-examples

With ``BOOK_DATABASE_URL`` set (the PostgreSQL run), every program also runs against that
server and must print the same output and leave no table behind. The bad-input tests check
that a URL or database the programs can't use gives exit status 2 and one line on stderr,
with the password masked, no traceback, and nothing written.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy

ROOT = Path(__file__).resolve().parent.parent
EXPECTED = Path(__file__).resolve().parent / "examples_output"
SERVER_URL = os.environ.get("BOOK_DATABASE_URL") or None

# Each program, and one of the tables it creates (for the "table already exists" case).
PROGRAMS = {
    "blog": "posts",
    "core_crud": "stock",
    "customers_invoices": "invoices",
    "dynamic_tables": "bird_sightings",
    "family": "children",
    "pet_shop": "pets",
    "social_graph": "follows",
    "web_fastapi_async": "invoices",
    "web_fastapi_sync": "invoices",
    "web_flask": "invoices",
}
PASSWORD = "s3cret-Pa55"


def run(
    name: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", f"examples.{name}", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def expected_output(name: str) -> str:
    return (EXPECTED / f"{name}.txt").read_text()


def sqlite_tables(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        return [name for (name,) in rows]


def test_every_program_is_tested() -> None:
    modules = {p.stem for p in (ROOT / "examples").glob("*.py") if not p.stem.startswith("_")}
    assert modules == set(PROGRAMS)
    assert {p.stem for p in EXPECTED.glob("*.txt")} == set(PROGRAMS)


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_program_on_in_memory_sqlite(name: str, request: pytest.FixtureRequest) -> None:
    result = run(name)
    assert result.stderr == ""
    assert result.returncode == 0
    path = EXPECTED / f"{name}.txt"
    if request.config.getoption("--update-examples") and (
        not path.exists() or result.stdout != path.read_text()
    ):
        path.write_text(result.stdout)
        print(f"updated {path.relative_to(ROOT)}")
    assert result.stdout == expected_output(name)


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_program_on_sqlite_file_from_environment(name: str, tmp_path: Path) -> None:
    """DATABASE_URL chooses the database, and the program leaves it as it found it."""
    database = tmp_path / "book.db"
    result = run(name, env={"DATABASE_URL": f"sqlite:///{database}"})
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == expected_output(name)
    assert sqlite_tables(database) == []


@pytest.mark.skipif(SERVER_URL is None, reason="BOOK_DATABASE_URL is not set")
@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_program_on_server(name: str) -> None:
    assert SERVER_URL is not None
    result = run(name, "--url", SERVER_URL)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == expected_output(name)
    engine = sqlalchemy.create_engine(SERVER_URL)
    try:
        assert sqlalchemy.inspect(engine).get_table_names() == []
    finally:
        engine.dispose()


# --- Bad input: exit status 2, one line, password masked, nothing written ------------------


@dataclass
class BadInput:
    url: str
    message: str  # what the line on stderr must contain, after "NAME: error: "
    nothing_written: Callable[[], None] = lambda: None


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (we bound it, then let it go)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def missing_driver() -> tuple[str, str]:
    for drivername, module in [
        ("mysql+pymysql", "pymysql"),
        ("mssql+pymssql", "pymssql"),
        ("postgresql+pg8000", "pg8000"),
    ]:
        if importlib.util.find_spec(module) is None:
            return drivername, module
    pytest.skip("every candidate driver is installed")


def malformed(tmp_path: Path, table: str) -> BadInput:
    return BadInput(
        f"postgresql+psycopg://reader:{PASSWORD}@db.example:port/shop",
        "not a database URL: postgresql+psycopg://reader:***@db.example:port/shop",
    )


def unknown_dialect(tmp_path: Path, table: str) -> BadInput:
    return BadInput(
        f"nosuchdb://reader:{PASSWORD}@localhost/shop",
        "unknown database dialect or driver 'nosuchdb': nosuchdb://reader:***@localhost/shop",
    )


def unknown_driver(tmp_path: Path, table: str) -> BadInput:
    database = tmp_path / "book.db"
    return BadInput(
        f"sqlite+nosuchdriver:///{database}",
        f"unknown database dialect or driver 'sqlite+nosuchdriver': "
        f"sqlite+nosuchdriver:///{database}",
        lambda: _assert_absent(database),
    )


def driver_not_installed(tmp_path: Path, table: str) -> BadInput:
    drivername, module = missing_driver()
    return BadInput(
        f"{drivername}://reader:{PASSWORD}@localhost/shop",
        f"the driver for {drivername!r} is not installed (no Python module named {module!r}): "
        f"{drivername}://reader:***@localhost/shop",
    )


def connection_refused(tmp_path: Path, table: str) -> BadInput:
    if importlib.util.find_spec("psycopg") is None:
        pytest.skip("psycopg is not installed (the PostgreSQL runs install it)")
    port = free_port()
    return BadInput(
        f"postgresql+psycopg://reader:{PASSWORD}@127.0.0.1:{port}/shop",
        f"cannot connect to postgresql+psycopg://reader:***@127.0.0.1:{port}/shop: "
        "connection failed:",
    )


def unopenable_sqlite_file(tmp_path: Path, table: str) -> BadInput:
    database = tmp_path / "no-such-folder" / "book.db"
    return BadInput(
        f"sqlite:///{database}",
        f"cannot connect to sqlite:///{database}: unable to open database file",
        lambda: _assert_absent(database),
    )


def asyncio_driver(tmp_path: Path, table: str) -> BadInput:
    if importlib.util.find_spec("aiosqlite") is None:
        pytest.skip("aiosqlite is not installed")
    database = tmp_path / "book.db"
    return BadInput(
        f"sqlite+aiosqlite:///{database}",
        f"'sqlite+aiosqlite' is an asyncio driver; use a synchronous one: "
        f"sqlite+aiosqlite:///{database}",
        lambda: _assert_absent(database),
    )


def table_already_there(tmp_path: Path, table: str) -> BadInput:
    """Someone else's table with one of our names: don't add to it, don't drop it."""
    database = tmp_path / "theirs.db"
    with sqlite3.connect(database) as db:
        db.execute(f"CREATE TABLE {table} (note TEXT)")
        db.execute(f"INSERT INTO {table} VALUES ('keep me')")
    db.close()

    def untouched() -> None:
        assert sqlite_tables(database) == [table]
        with sqlite3.connect(database) as db:
            assert db.execute(f"SELECT note FROM {table}").fetchall() == [("keep me",)]
        db.close()

    return BadInput(
        f"sqlite:///{database}",
        f"the database already has a table named {table!r}, which this program would create "
        f"and drop; use another database: sqlite:///{database}",
        untouched,
    )


def _assert_absent(path: Path) -> None:
    assert not path.exists(), f"{path} was created"


BAD_INPUTS = [
    malformed,
    unknown_dialect,
    unknown_driver,
    driver_not_installed,
    connection_refused,
    unopenable_sqlite_file,
    asyncio_driver,
    table_already_there,
]


@pytest.mark.parametrize("case", BAD_INPUTS, ids=[case.__name__ for case in BAD_INPUTS])
@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_bad_input(name: str, case: Callable[[Path, str], BadInput], tmp_path: Path) -> None:
    bad = case(tmp_path, PROGRAMS[name])
    result = run(name, "--url", bad.url)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"{name}: error: {bad.message}")
    assert PASSWORD not in result.stderr
    assert "Traceback" not in result.stderr
    bad.nothing_written()


def test_bad_url_from_environment_is_masked_too() -> None:
    result = run("pet_shop", env={"DATABASE_URL": f"nosuchdb://reader:{PASSWORD}@localhost/shop"})
    assert result.returncode == 2
    assert result.stderr == (
        "pet_shop: error: unknown database dialect or driver 'nosuchdb': "
        "nosuchdb://reader:***@localhost/shop\n"
    )


def test_echo_logs_the_sql() -> None:
    result = run("pet_shop", "--echo")
    assert (result.returncode, result.stderr) == (0, "")
    assert "CREATE TABLE pets" in result.stdout
    assert "DROP TABLE pets" in result.stdout


# --- Type checking and formatting ----------------------------------------------------------
# The programs are checked with mypy's strict mode (SQLAlchemy 2.x ships its own typing, no
# plugin) and with ruff's formatter and linter. The tools run when they are installed in the
# test environment and are skipped, with the reason, when they are not.

CHECKED = ["examples", "tests/test_examples.py"]


def _tool(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} is not installed in this environment")
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_examples_type_check() -> None:
    result = _tool("mypy", "--strict", "examples")
    assert result.returncode == 0, result.stdout + result.stderr


def test_examples_are_formatted() -> None:
    result = _tool("ruff", "format", "--check", "--diff", *CHECKED)
    assert result.returncode == 0, result.stdout + result.stderr


def test_examples_lint() -> None:
    result = _tool("ruff", "check", *CHECKED)
    assert result.returncode == 0, result.stdout + result.stderr
