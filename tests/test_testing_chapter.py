"""Chapter 25's tests, run as a reader runs them: pytest in examples/testing, in a subprocess.

The chapter (docs/production/testing.md) includes its fixtures and tests from the files in
examples/testing, and shows the short test summary of three runs, each in a ```text block
after a ``% pytest-run: NAME`` comment:

- ``good``: the files as they are. Every test passes.
- ``naive``: the session fixture replaced by the naive one that the chapter shows first (the
  ```python block that starts with ``@pytest.fixture``). The tests after the one whose code
  commits fail.
- ``rollback-only``: the good fixture without ``join_transaction_mode="create_savepoint"``.
  The test whose code rolls back fails, and the fixture's own rollback warns.

Each run must end as the chapter says, with the same summary lines. The good run is also
made in reverse order, where it must pass again and the naive fixture must fail, as the page
says. The runs use in-memory
SQLite, and the test server as well when ``BOOK_DATABASE_URL`` is set (the page shows the
SQLite run; the server's lines differ only in the test ids). The example files are also
type-checked (mypy --strict) and linted (ruff) from their own folder, where ``shop`` is
importable.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "testing"
PAGE = ROOT / "docs" / "production" / "testing.md"
SERVER_URL = os.environ.get("BOOK_DATABASE_URL") or None
BACKENDS = ["sqlite"] + (["postgresql"] if SERVER_URL else [])
SUMMARY = re.compile(r"^(PASSED|FAILED|ERROR) ")
# kept between runs (build/ is not committed), one per SQLAlchemy version: a cold run costs
# some twenty seconds, a warm one about two
MYPY_CACHE = ROOT / "build" / "mypy-cache" / f"testing-sqlalchemy-{sqlalchemy.__version__}"
GOOD_FIXTURE = """\
    with engine.connect() as connection:
        transaction = connection.begin()
        with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
            yield session
        transaction.rollback()
"""


def page_runs() -> dict[str, list[str]]:
    """The pytest command line and summary lines of each run the page shows."""
    text = PAGE.read_text(encoding="utf-8")
    runs = {}
    for match in re.finditer(
        r"^% pytest-run: (\S+)\n```text\n(.*?)^```$", text, re.MULTILINE | re.DOTALL
    ):
        runs[match[1]] = match[2].splitlines()
    return runs


def naive_fixture() -> str:
    """The naive session fixture as the page shows it, in a ```python block."""
    text = PAGE.read_text(encoding="utf-8")
    match = re.search(
        r"^```python\n(@pytest\.fixture\ndef session\(.*?)^```$", text, re.MULTILINE | re.DOTALL
    )
    assert match, "the page shows no naive session fixture"
    return match[1]


def copy_of_example(tmp_path: Path) -> Path:
    folder = tmp_path / "testing"
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("__pycache__", ".*"))
    return folder


def with_session_fixture(folder: Path, body: str) -> None:
    """Replace the session fixture of the copy's conftest.py (from its decorator to its end)."""
    conftest = folder / "conftest.py"
    source = conftest.read_text()
    start = source.index("@pytest.fixture\ndef session(")
    end = source.index(GOOD_FIXTURE, start) + len(GOOD_FIXTURE)
    conftest.write_text(source[:start] + body + source[end:])


def run_pytest(folder: Path, backend: str, args: list[str]) -> tuple[int, list[str]]:
    """pytest as a reader runs it, in the folder; its exit status and summary lines."""
    options = ["--db-url", SERVER_URL] if backend == "postgresql" and SERVER_URL else []
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "SHOP_"))}
    environment["PYTHONDONTWRITEBYTECODE"] = "1"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *args, *options],
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if SUMMARY.match(line)]
    return done.returncode, [line.replace(f"[{backend}]", "[sqlite]") for line in lines]


def command_and_summary(name: str) -> tuple[list[str], list[str]]:
    lines = page_runs()[name]
    command = lines[0].removeprefix("$ ").split()
    assert command[:3] == ["python", "-m", "pytest"], lines[0]
    return command[3:], [line for line in lines if SUMMARY.match(line)]


def test_page_shows_the_three_runs() -> None:
    assert sorted(page_runs()) == ["good", "naive", "rollback-only"]
    for name in page_runs():
        assert command_and_summary(name)[1], f"the {name} run shows no summary lines"


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_tests_pass(backend: str) -> None:
    args, shown = command_and_summary("good")
    status, summary = run_pytest(EXAMPLE, backend, args)
    assert status == 0, summary
    assert summary == shown
    assert all(line.startswith("PASSED") for line in summary)


def reversed_node_ids() -> list[str]:
    """The tests of the page's good run, as node ids without the backend, last first."""
    shown = command_and_summary("good")[1]
    return [line.split()[1].split("[")[0] for line in reversed(shown)]


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_tests_pass_in_reverse_order(backend: str, tmp_path: Path) -> None:
    """The page says the tests pass in reverse order too, and that the naive fixture fails."""
    args = command_and_summary("good")[0]
    node_ids = reversed_node_ids()
    status, summary = run_pytest(EXAMPLE, backend, [*args, *node_ids])
    assert status == 0, summary
    assert summary == [f"PASSED {node_id}[sqlite]" for node_id in node_ids]
    # the same order does catch a leaking fixture: the committed Ada is found by the two
    # tests that run after the committing ones and care about every customer
    folder = copy_of_example(tmp_path)
    with_session_fixture(folder, naive_fixture())
    status, summary = run_pytest(folder, backend, [*args, *node_ids])
    assert status == 1
    failed = [line.split()[1] for line in summary if line.startswith("FAILED")]
    assert failed == [
        "test_shop.py::test_register_customer[sqlite]",
        "test_shop.py::test_statement_of_accounts_adds_up_invoices[sqlite]",
    ]
    assert "runs them in reverse order" in " ".join(PAGE.read_text(encoding="utf-8").split())


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_naive_fixture_lets_commits_leak(backend: str, tmp_path: Path) -> None:
    folder = copy_of_example(tmp_path)
    with_session_fixture(folder, naive_fixture())
    args, shown = command_and_summary("naive")
    status, summary = run_pytest(folder, backend, args)
    assert status == 1
    assert summary == shown
    failed = [line for line in summary if line.startswith("FAILED")]
    assert failed and "shop.EmailTaken: ada@example.com" in failed[0]


@pytest.mark.parametrize("backend", BACKENDS)
def test_without_create_savepoint_a_rollback_ends_the_test_transaction(
    backend: str, tmp_path: Path
) -> None:
    folder = copy_of_example(tmp_path)
    rollback_only = GOOD_FIXTURE.replace(
        'Session(bind=connection, join_transaction_mode="create_savepoint")',
        "Session(bind=connection)",
    )
    assert rollback_only != GOOD_FIXTURE
    with_session_fixture(
        folder,
        "@pytest.fixture\ndef session(engine: Engine) -> Iterator[Session]:\n" + rollback_only,
    )
    args, shown = command_and_summary("rollback-only")
    status, summary = run_pytest(folder, backend, args)
    assert status == 1
    assert summary == shown
    assert any("transaction already deassociated from connection" in line for line in summary)


def test_the_fixture_is_what_the_copy_replaces() -> None:
    source = (EXAMPLE / "conftest.py").read_text()
    assert (
        "@pytest.fixture\ndef session(engine: Engine) -> Iterator[Session]:\n" + GOOD_FIXTURE
        in source
    )


def function_without_annotations(source: str, name: str) -> str:
    """The AST of one top-level function of the source, its type annotations removed."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            node.returns = None
            for argument in [*node.args.args, *node.args.kwonlyargs]:
                argument.annotation = None
    found = [node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == name]
    assert len(found) == 1, f"{name}() is defined {len(found)} times"
    return ast.dump(found[0])


def test_the_page_shows_the_conftest_sqlite_recipe() -> None:
    """The page defines use_real_sqlite_transactions() for its prompt; conftest.py has it too."""
    text = PAGE.read_text(encoding="utf-8")
    match = re.search(
        r"^```python\n(def use_real_sqlite_transactions\(.*?)^```$", text, re.MULTILINE | re.DOTALL
    )
    assert match, "the page shows no use_real_sqlite_transactions()"
    conftest = (EXAMPLE / "conftest.py").read_text()
    name = "use_real_sqlite_transactions"
    assert function_without_annotations(match[1], name) == function_without_annotations(
        conftest, name
    )


def test_no_tables_left_behind() -> None:
    if not SERVER_URL:
        pytest.skip("BOOK_DATABASE_URL is not set: the SQLite runs use in-memory databases")
    engine = sqlalchemy.create_engine(SERVER_URL)
    try:
        assert sqlalchemy.inspect(engine).get_table_names() == []
    finally:
        engine.dispose()


def test_example_type_checks(tmp_path: Path) -> None:
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed in this environment")
    config = tmp_path / "mypy.ini"
    config.write_text("[mypy]\n")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--explicit-package-bases",
            "--config-file",
            str(config),
            "--cache-dir",
            str(MYPY_CACHE),
            "shop.py",
            "factories.py",
            "conftest.py",
            "test_shop.py",
        ],
        cwd=EXAMPLE,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_example_lint_and_format() -> None:
    if importlib.util.find_spec("ruff") is None:
        pytest.skip("ruff is not installed in this environment")
    for args in (["check", "."], ["format", "--check", "--diff", "."]):
        done = subprocess.run(
            [sys.executable, "-m", "ruff", *args],
            cwd=EXAMPLE,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_statement_counter_catches_n_plus_one(backend: str, tmp_path: Path) -> None:
    """The page says: remove selectinload() and the counting test fails with 4 == 2."""
    folder = copy_of_example(tmp_path)
    shop = folder / "shop.py"
    source = shop.read_text()
    eager = ".options(selectinload(Customer.invoices))"
    assert eager in source
    shop.write_text(source.replace(eager, ""))
    status, summary = run_pytest(folder, backend, ["-vv", "-rA"])
    assert status == 1
    expected = "FAILED test_shop.py::test_statement_of_accounts_sends_two_selects[sqlite] - "
    assert [line for line in summary if not line.startswith("PASSED")] == [
        expected + "AssertionError: assert 4 == 2"
    ]
    assert "`assert 4 == 2`" in PAGE.read_text(encoding="utf-8")
