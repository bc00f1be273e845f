"""Tests of the tests: a page that does not match what really happens must fail, and say where.

Each test writes a small page into a temporary directory, runs pytest on it in a subprocess
with the book's own harness, and checks how it passed or failed.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

SERVER_URL = os.environ.get("BOOK_DATABASE_URL")
pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent

GOOD_PAGE = textwrap.dedent(
    """\
    # A page

    ```python
    from sqlalchemy import create_engine, text

    engine = create_engine("sqlite://", echo=True)
    ```

    ```pycon
    >>> with engine.begin() as conn:
    ...     _ = conn.execute(text("CREATE TABLE pet (name VARCHAR(20) UNIQUE)"))
    ...     result = conn.execute(text("INSERT INTO pet VALUES ('Rex'), ('Tom')"))
    ...     print(result.rowcount, "rows")
    {sql}
    BEGIN (implicit)
    CREATE TABLE pet (name VARCHAR(20) UNIQUE)
    [...] ()
    INSERT INTO pet VALUES ('Rex'), ('Tom')
    [...] ()
    {/sql}
    2 rows
    {sql}
    COMMIT
    {/sql}
    >>> with engine.begin() as conn:
    ...     conn.execute(text("INSERT INTO pet VALUES ('Rex')"))
    {sql}
    BEGIN (implicit)
    INSERT INTO pet VALUES ('Rex')
    [...] ()
    ROLLBACK
    {/sql}
    Traceback (most recent call last):
    ...
    sqlalchemy.exc.IntegrityError: (sqlite3.IntegrityError) UNIQUE constraint failed: pet.name
    [SQL: INSERT INTO pet VALUES ('Rex')]
    (Background on this error at: https://sqlalche.me/e/.../gkpj)
    >>> import warnings
    >>> warnings.warn("mind the gap", UserWarning)
    UserWarning: mind the gap
    ```
    """
)


def without_expected_output(page: str) -> str:
    """The page with only the input lines of its pycon blocks, as an author first writes it."""
    kept, in_pycon = [], False
    for line in page.split("\n"):
        if line.startswith("```"):
            in_pycon = line == "```pycon"
        elif in_pycon and not line.startswith((">>> ", "... ")):
            continue
        kept.append(line)
    return "\n".join(kept)


def line_of(text: str, page: str = GOOD_PAGE) -> int:
    """The 1-based line on which ``text`` stands alone in the page."""
    return page.split("\n").index(text) + 1


def test_a_page_that_matches_passes(run_page) -> None:
    run_page(GOOD_PAGE).assert_outcomes(passed=5)


@pytest.mark.parametrize(
    ("old", "new", "why"),
    [
        ("2 rows", "3 rows", "a wrong expected value"),
        (
            "INSERT INTO pet VALUES ('Rex'), ('Tom')",
            "INSERT INTO pet VALUES ('Rex'), ('Tim')",
            "a wrong SQL line",
        ),
        ("UserWarning: mind the gap", "UserWarning: mind the step", "a wrong warning"),
        (
            "sqlalchemy.exc.IntegrityError: (sqlite3.IntegrityError) UNIQUE constraint failed: pet.name",
            "sqlalchemy.exc.IntegrityError: (sqlite3.IntegrityError) NOT NULL constraint failed",
            "a wrong exception message",
        ),
    ],
)
def test_a_changed_line_fails_naming_that_line(run_page, old: str, new: str, why: str) -> None:
    result = run_page(GOOD_PAGE.replace("\n" + old + "\n", "\n" + new + "\n", 1))
    result.assert_outcomes(passed=4, failed=1)
    output = result.stdout.str()
    assert f"page.md:{line_of(old)}: output differs" in output, why
    assert f"-{new}" in output and f"+{old}" in output, why


def test_a_missing_sql_line_fails(run_page) -> None:
    page = GOOD_PAGE.replace("\nCOMMIT\n", "\n", 1)
    result = run_page(page)
    result.assert_outcomes(passed=4, failed=1)
    # the first difference is where COMMIT should have been
    assert f"page.md:{line_of('COMMIT')}: output differs" in result.stdout.str()
    assert "+COMMIT" in result.stdout.str()


def test_unexpected_sql_fails(run_page) -> None:
    page = GOOD_PAGE.replace("2 rows\n{sql}\nCOMMIT\n{/sql}\n", "2 rows\n", 1)
    result = run_page(page)
    result.assert_outcomes(passed=4, failed=1)
    output = result.stdout.str()
    assert "+{sql}" in output and "+COMMIT" in output


def test_sql_written_as_plain_output_fails(run_page) -> None:
    """SQL must be marked as SQL: the same text outside {sql} is not the same claim."""
    page = GOOD_PAGE.replace("2 rows\n{sql}\nCOMMIT\n{/sql}\n", "2 rows\nCOMMIT\n", 1)
    run_page(page).assert_outcomes(passed=4, failed=1)


def test_an_unexpected_warning_fails(run_page) -> None:
    page = GOOD_PAGE.replace("UserWarning: mind the gap\n", "", 1)
    result = run_page(page)
    result.assert_outcomes(passed=4, failed=1)
    assert "+UserWarning: mind the gap" in result.stdout.str()


def test_a_python_block_that_prints_fails(run_page) -> None:
    page = GOOD_PAGE.replace('echo=True)\n```', 'echo=True)\nprint("hi")\n```', 1)
    result = run_page(page)
    assert "a ```python block must not print anything" in result.stdout.str()
    result.assert_outcomes(passed=4, failed=1)


def test_update_examples_writes_the_output_that_then_passes(run_page, pytester) -> None:
    bare = without_expected_output(GOOD_PAGE)
    # the python block and "import warnings" expect no output; the three others fail
    run_page(bare, "--update-examples").assert_outcomes(passed=2, failed=3)
    written = (pytester.path / "page.md").read_text(encoding="utf-8")
    assert "{sql}\nBEGIN (implicit)\nCREATE TABLE pet (name VARCHAR(20) UNIQUE)\n[...] ()" in written
    assert "UserWarning: mind the gap" in written
    run_page(written).assert_outcomes(passed=5)


def test_update_examples_says_what_it_rewrote_page_by_page(run_page) -> None:
    result = run_page(without_expected_output(GOOD_PAGE), "--update-examples")
    bare = without_expected_output(GOOD_PAGE)
    # the three failing steps' outputs go under their last input lines
    after = [line_of("...     print(result.rowcount, \"rows\")", bare), line_of(
        "...     conn.execute(text(\"INSERT INTO pet VALUES ('Rex')\"))", bare
    ), line_of('>>> warnings.warn("mind the gap", UserWarning)', bare)]
    expected_at = [n + 1 for n in after]
    result.stdout.fnmatch_lines(
        [
            "*- --update-examples -*",
            "updated expected output in page.md: 3 steps (lines "
            + ", ".join(map(str, expected_at)) + ")",
        ]
    )


def test_update_examples_refuses_to_rewrite_a_step_twice(run_page, pytester) -> None:
    bare = without_expected_output(GOOD_PAGE)
    result = run_page(bare, "--update-examples", "--keep-duplicates", "page.md", "page.md")
    assert "recorded twice in this run" in result.stdout.str()
    assert "the page is not rewritten" in result.stdout.str()
    assert (pytester.path / "page.md").read_text(encoding="utf-8") == bare
    assert result.ret != 0


def test_a_block_for_another_backend_is_skipped_with_its_reason(run_page) -> None:
    other = "postgresql"  # the page runs on SQLite: run_page clears BOOK_DATABASE_URL
    page = GOOD_PAGE.replace("```pycon", f"% only: {other}\n```pycon", 1)
    result = run_page(page, "-rs")
    result.assert_outcomes(passed=1, skipped=4)
    assert f"written for {other}" in result.stdout.str()
    assert "page.md" in result.stdout.str()


def test_text_in_a_block_after_a_blank_line_is_refused(run_page) -> None:
    page = GOOD_PAGE.replace("2 rows\n", "2 rows\n\nstray text\n", 1)
    result = run_page(page)
    assert result.ret != 0
    assert "neither a '>>> ' prompt nor the output of one" in result.stdout.str()


@pytest.mark.skipif(SERVER_URL is None, reason="runs in the tests_postgres session only")
def test_on_a_server_sql_panels_of_unmarked_blocks_are_not_compared(
    run_page, monkeypatch
) -> None:
    monkeypatch.setenv("BOOK_DATABASE_URL", SERVER_URL)
    page = GOOD_PAGE.replace("\nCOMMIT\n", "\nCOMMIT AND CELEBRATE\n", 1)
    page = page.split(">>> with engine.begin() as conn:\n...     conn.execute")[0] + "```\n"
    run_page(page).assert_outcomes(passed=2)


@pytest.mark.skipif(SERVER_URL is None, reason="runs in the tests_postgres session only")
def test_on_a_server_update_examples_leaves_unmarked_blocks_alone(
    run_page, monkeypatch, pytester
) -> None:
    monkeypatch.setenv("BOOK_DATABASE_URL", SERVER_URL)
    page = GOOD_PAGE.replace("2 rows\n", "3 rows\n", 1)
    # "3 rows" fails, and so does SQLite's wording of the IntegrityError
    run_page(page, "--update-examples").assert_outcomes(passed=3, failed=2)
    assert (pytester.path / "page.md").read_text(encoding="utf-8") == page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("```pycon", "% only: mysql\n```pycon"), "page.md:9: unknown tag(s) in '% only:' marker"),
        (
            ("```pycon", "::::{tab-set}\n:::{tab-item} SQLite\n:sync: sqlite\n% only: sqlite\n```pycon"),
            "page.md:12: '% only:' inside a tab-item",
        ),
    ],
)
def test_a_wrong_run_tag_fails_naming_page_and_line(run_page, change, message) -> None:
    page = GOOD_PAGE.replace(*change, 1)
    if "tab-set" in change[1]:
        page = page.rstrip("\n") + "\n:::\n::::\n"
    result = run_page(page)
    assert result.ret != 0
    assert message in result.stdout.str()
