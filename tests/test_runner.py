"""The browser runner (booktools/runner/): which blocks a page's program says run on Pyodide,
the page session that runs them (here in CPython, as Pyodide runs it), the bundle that
carries it, and the Node check failing on a page whose output is wrong."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from booktools.pages import PageError, parse_page
from booktools.runner import check, wheels
from booktools.runner.bundle import runner_bundle
from booktools.runner.program import ASYNCIO, SERVER, THREADS, page_program
from booktools.runner.session import (
    OUTPUT_CHARS,
    OUTPUT_LINES,
    TRUNCATED,
    PageSession,
    split_statements,
)
from booktools.runner.wheels import bytecode_folder, bytecode_wheels
from booktools.verify.capture import OutputLimit, recording


def program(text: str, series: str = "2.1") -> dict:
    return page_program(parse_page("page.md", textwrap.dedent(text)), series)


def runnable(prog: dict) -> list[tuple[int, bool, str]]:
    return [(b["line"], b["runnable"], b["reason"]) for b in prog["blocks"]]


# --- program.py: the runnability rules ------------------------------------------------------

SYNC_AND_ASYNC = """\
    # A page

    ```python
    from sqlalchemy import create_engine

    engine = create_engine("sqlite://")
    ```

    ```python
    import asyncio

    from sqlalchemy.ext.asyncio import create_async_engine

    async_engine = create_async_engine("sqlite+aiosqlite://")
    ```

    ```pycon
    >>> async_engine.url.drivername
    'sqlite+aiosqlite'
    >>> engine.url.drivername
    'sqlite'
    ```

    ```pycon
    >>> engine.url.drivername
    'sqlite'
    ```
    """


def test_asyncio_and_what_needs_it_do_not_run():
    assert runnable(program(SYNC_AND_ASYNC)) == [
        (3, True, ""),
        (9, False, ASYNCIO),
        (17, False, "needs async_engine, which an earlier block that cannot run in the browser defines"),
        (24, True, ""),
    ]


def test_await_alone_is_asyncio():
    prog = program("""\
        ```pycon
        >>> async def main():
        ...     return 1
        >>> value = await main()
        ```
        """)
    assert runnable(prog) == [(1, False, ASYNCIO)]


def test_threads_servers_and_missing_packages_do_not_run():
    prog = program("""\
        ```python
        import threading
        ```

        ```pycon
        >>> from sqlalchemy import create_engine, make_url
        >>> make_url("postgresql+psycopg://shop@db.example.com/shop").get_backend_name()
        'postgresql'
        ```

        ```python
        pg = create_engine("postgresql+psycopg://shop@db.example.com/shop")
        ```

        ```python
        from fastapi import FastAPI
        ```

        ```python
        from examples.shop import app
        ```
        """)
    assert runnable(prog) == [
        (1, False, THREADS),
        (5, True, ""),  # a URL parsed, no driver imported: it runs
        (11, False, SERVER),
        (15, False, "imports fastapi, which the browser's Python does not have"),
        (19, False, "runs the book's example programs (examples/), which the browser does not load"),
    ]


def test_a_runnable_block_that_rebinds_a_name_frees_it():
    prog = program("""\
        ```python
        import threading

        value = 1
        ```

        ```python
        value = 2
        ```

        ```pycon
        >>> value
        2
        ```
        """)
    assert [b["runnable"] for b in prog["blocks"]] == [False, True, True]


TABS = """\
    # Tabs

    ::::{tab-set}
    :::{tab-item} SQLite
    :sync: sqlite
    ```pycon
    >>> "sqlite tab"
    'sqlite tab'
    ```
    :::
    :::{tab-item} PostgreSQL
    :sync: postgresql
    ```pycon
    >>> "postgresql tab"
    'postgresql tab'
    ```
    :::
    ::::

    ::::{tab-set}
    :::{tab-item} SQLAlchemy 2.1
    :sync: sqlalchemy-2.1
    % browser: no, Pyodide words it differently
    ```pycon
    >>> "2.1 tab"
    '2.1 tab'
    ```
    :::
    :::{tab-item} SQLAlchemy 2.0
    :sync: sqlalchemy-2.0
    ```pycon
    >>> "2.0 tab"
    '2.0 tab'
    ```
    :::
    ::::

    % only: postgresql
    ```python
    only_on_postgresql = True
    ```

    % invisible-code-block: python
    %
    % hidden = True
    """


def test_the_program_holds_the_blocks_of_a_sqlite_run_of_the_series():
    for series, tab in (("2.1", "'2.1 tab'"), ("2.0", "'2.0 tab'")):
        prog = program(TABS, series)
        assert prog["page"] == "page.md" and prog["series"] == series
        outputs = [b["steps"][0]["expected"] for b in prog["blocks"]]
        assert outputs == [[["out", ["'sqlite tab'"]]], [["out", [tab]]], None]
        assert [b["index"] for b in prog["blocks"]] == [0, 1, 2]


def test_the_browser_mark_and_hidden_blocks():
    blocks = program(TABS, "2.1")["blocks"]
    assert (blocks[1]["line"], blocks[1]["runnable"], blocks[1]["reason"]) == (
        24, False, "Pyodide words it differently",
    )
    assert [b["runnable"] for b in program(TABS, "2.0")["blocks"]] == [True, True, True]
    hidden = blocks[2]
    assert (hidden["shown"], hidden["runnable"], hidden["language"]) == (False, True, "python")
    assert hidden["steps"] == [{
        "source": "\nhidden = True\n", "line": 44, "mode": "exec", "expected": None,
        "expected_line": None,
    }]
    step = blocks[0]["steps"][0]
    assert (step["line"], step["mode"], step["expected_line"]) == (7, "single", 8)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("% browser: no\n```python\nx = 1\n```\n", "write a browser mark as"),
        ("% browser: no, why\n\ntext\n", "'% browser:' stands above no code block"),
        ("% browser: no, why\n```text\nx\n```\n", "'% browser:' stands above a block that does not run"),
    ],
)
def test_a_malformed_or_misplaced_mark_is_an_error(text, message):
    with pytest.raises(PageError, match=message) as error:
        parse_page("page.md", text)
    assert error.value.line == 1


def test_the_mark_goes_with_only_tags_and_invisible_code():
    page = parse_page("page.md", textwrap.dedent("""\
        % only: sqlite
        % browser: no, a reason
        ```python
        x = 1
        ```

        % browser: no, another reason
        % invisible-code-block: python
        %
        % y = 2
        """))
    assert [(b.tags, b.browser) for b in page.blocks] == [
        (frozenset({"sqlite"}), "a reason"), (frozenset(), "another reason"),
    ]


# --- session.py, in CPython --------------------------------------------------------------------

SHOP = """\
    # A shop

    ```python
    from sqlalchemy import create_engine, text

    engine = create_engine("sqlite://", echo=True)
    calls = []
    ```

    ```pycon
    >>> with engine.begin() as conn:
    ...     result = conn.execute(text("SELECT 40 + 2"))
    ...     print(result.scalar_one())
    {sql}
    BEGIN (implicit)
    SELECT 40 + 2
    [...] ()
    {/sql}
    42
    {sql}
    COMMIT
    {/sql}
    ```

    ```pycon
    >>> calls.append("run")
    >>> len(calls)
    1
    >>> int("four")
    Traceback (most recent call last):
    ...
    ValueError: invalid literal for int() with base 10: 'four'
    ```

    ```python
    print("a python block must print nothing")
    ```
    """


@pytest.fixture
def shop():
    session = PageSession(program(SHOP))
    yield session
    session.reset()


def test_a_block_with_sql(shop):
    result = shop.run(1)
    assert result["verified"] is True
    [step] = result["steps"]
    assert step["input"] == [
        "with engine.begin() as conn:",
        '    result = conn.execute(text("SELECT 40 + 2"))',
        "    print(result.scalar_one())",
    ]
    assert step["segments"] == [
        ["sql", ["BEGIN (implicit)", "SELECT 40 + 2", "[...] ()"]],
        ["out", ["42"]],
        ["sql", ["COMMIT"]],
    ]
    assert step["matches"] is True and "diff" not in step
    assert result["truncated"] is None
    assert result["elapsed_ms"] >= 0


def test_a_raising_step_matches_the_page(shop):
    result = shop.run(2)
    assert [s["matches"] for s in result["steps"]] == [True, True, True]
    assert result["steps"][2]["segments"] == [["error", [
        "Traceback (most recent call last):",
        "ValueError: invalid literal for int() with base 10: 'four'",
    ]]]
    assert result["verified"] is True


def test_a_python_block_that_prints_does_not_match(shop):
    result = shop.run(3)
    [step] = result["steps"]
    assert step["segments"] == [["out", ["a python block must print nothing"]]]
    assert step["matches"] is False and result["verified"] is False
    assert step["diff"].startswith("docs/page.md:36: a python block must print nothing")


def test_a_rerun_replays_the_page_up_to_the_block(shop):
    first = shop.run(2)  # blocks 0 and 1 run first, silently
    again = shop.run(2)  # the same block again: from a fresh namespace, not a second append
    assert first["steps"] == again["steps"]
    assert again["steps"][1]["segments"] == [["out", ["1"]]]
    assert shop.namespace["calls"] == ["run"]
    shop.run(3)  # the next block continues the session as written, without a replay
    assert shop.namespace["calls"] == ["run"]


def test_a_failed_expectation_reports_page_line_and_diff():
    prog = program(SHOP)
    prog["blocks"][2]["steps"][1]["expected"] = [["out", ["2"]]]
    result = PageSession(prog).run(2)
    assert [s["matches"] for s in result["steps"]] == [True, False, True]
    assert result["verified"] is False
    diff = result["steps"][1]["diff"]
    assert diff.startswith("docs/page.md:28: output differs\n")
    assert "\n-2\n+1\n" in diff


def test_edited_code_runs_statement_by_statement_with_echo(shop):
    result = shop.run(2, 'calls.append("run")\nlen(calls)\n\nx = 6; y = 7\nx * y\n')
    assert [s["input"] for s in result["steps"]] == [
        ['calls.append("run")'], ["len(calls)"], ["x = 6; y = 7"], ["x * y"],
    ]
    assert [s["segments"] for s in result["steps"]] == [[], [["out", ["1"]]], [], [["out", ["42"]]]]
    # steps whose code is the page's, at the page's place, are compared; new ones are not
    assert [s["matches"] for s in result["steps"]] == [True, True, None, None]
    assert result["verified"] is False  # no ValueError, and a 42 the page does not show


def test_an_edit_with_the_same_output_is_verified(shop):
    edited = 'calls.append( "run" )\nlen(calls)\nint("four")  # still four\n'
    result = shop.run(2, edited)
    assert [s["matches"] for s in result["steps"]] == [True, True, True]
    assert result["verified"] is True


def test_after_an_edit_the_next_run_replays_the_page_as_written(shop):
    changed = shop.run(1, "print(6 * 7, 'edited')")
    assert changed["verified"] is False
    assert changed["steps"][0]["segments"] == [["out", ["42 edited"]]]
    result = shop.run(2)
    assert result["verified"] is True
    assert shop.namespace["calls"] == ["run"]


def test_an_edit_that_does_not_parse_shows_the_syntax_error(shop):
    result = shop.run(2, "len(calls\n")
    [step] = result["steps"]
    assert step["segments"][0][0] == "error"
    assert step["segments"][0][1][-1].startswith("SyntaxError: ")
    assert result["verified"] is False


def test_reset_gives_a_fresh_namespace(shop):
    shop.run(2)
    shop.reset()
    assert "calls" not in shop.namespace
    assert shop.run(2)["verified"] is True


# --- the cap on a run's output ---------------------------------------------------------------


def test_output_beyond_the_cap_is_truncated_with_a_notice(shop):
    result = shop.run(2, "for i in range(100_000):\n    print(i)\nlen(calls)\n")
    loop, after = result["steps"]
    assert loop["segments"] == [["out", [str(i) for i in range(OUTPUT_LINES)]]]
    assert after["segments"] == []  # past the cap, nothing more is kept
    assert result["truncated"] == TRUNCATED
    assert result["truncated"].startswith("Output truncated: a run in the browser keeps at most")
    assert result["verified"] is False
    # the cap is per run: the next run keeps its output again
    assert shop.run(2)["truncated"] is None


def test_output_up_to_the_cap_is_whole():
    prog = program(SHOP)
    result = PageSession(prog).run(
        1, f"for i in range({OUTPUT_LINES}):\n    print(i)\n"
    )
    assert len(result["steps"][0]["segments"][0][1]) == OUTPUT_LINES
    assert result["truncated"] is None


@pytest.mark.parametrize("code", [
    'print("x" * 10_000_000)\n',  # one huge line
    'for _ in range(300_000):\n    print("x", end="")\n',  # a line that never ends
    'print("y\\n" * 50)\nfor _ in range(300_000):\n    print("x" * 99)\n',  # many lines
])
def test_the_cap_holds_characters_too(shop, code):
    result = shop.run(1, code)
    kept = [line for step in result["steps"] for _, lines in step["segments"] for line in lines]
    assert sum(len(line) + 1 for line in kept) == OUTPUT_CHARS
    assert len(kept) <= OUTPUT_LINES
    assert result["truncated"] == TRUNCATED


def test_an_error_after_the_cap_is_still_shown_its_message_cut(shop):
    result = shop.run(2, 'for i in range(100_000):\n    print(i)\nint("four")\n')
    assert result["steps"][-1]["segments"] == [["error", [
        "Traceback (most recent call last):",
        "ValueError: invalid literal for int() with base 10: 'four'",
    ]]]
    huge = shop.run(2, 'raise ValueError("x" * 1_000_000)\n')
    [[kind, lines]] = huge["steps"][0]["segments"]
    assert kind == "error" and lines[1].startswith("ValueError: xxx")
    assert sum(len(line) + 1 for line in lines[1:]) == OutputLimit.ERROR_CHARS
    assert huge["truncated"] == TRUNCATED


def test_the_harness_records_without_a_cap():
    with recording() as transcript:
        for i in range(OUTPUT_LINES + 10):
            print(i)
    [segment] = transcript.finish()
    assert len(segment.lines) == OUTPUT_LINES + 10


def test_a_block_that_does_not_run_in_the_browser_is_refused():
    session = PageSession(program(SYNC_AND_ASYNC))
    with pytest.raises(ValueError, match="does not run in the browser: uses asyncio"):
        session.run(1)


def test_statements_that_share_a_line_stay_together():
    source = "@decorate\ndef f():\n    return 1\na = 1; b = 2\n\nf()\n"
    assert split_statements(source) == [
        ("@decorate\ndef f():\n    return 1\n", 1), ("a = 1; b = 2\n", 4), ("f()\n", 6),
    ]


# --- bundle.py ----------------------------------------------------------------------------------


def test_the_bundle_holds_the_session_and_light_packages(tmp_path):
    archive = zipfile.ZipFile(io.BytesIO(runner_bundle()))
    names = sorted(archive.namelist())
    assert "booktools/runner/session.py" in names
    assert "booktools/pages/model.py" not in names
    assert archive.read("booktools/pages/__init__.py").decode().count("\n") == 1
    assert runner_bundle() == runner_bundle()  # the same sources, the same bytes
    # the session imports from the bundle alone (plus SQLAlchemy): no markdown-it, Sybil...
    archive.extractall(tmp_path)
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]); import booktools.runner.session as s; "
        "blocked = {'markdown_it', 'sybil', 'pytest', 'sphinx', 'booktools.pages.model'}; "
        "print(s.__file__.startswith(sys.argv[1]), sorted(blocked & set(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-I", "-c", script, str(tmp_path)],
        capture_output=True, text=True, check=True,
    ).stdout
    assert out.strip() == "True []"


# --- check.mjs: the book's examples on Pyodide, under Node -------------------------------------

NODE_READY = shutil.which("node") and (check.PYODIDE / "pyodide.mjs").exists()


@pytest.mark.skipif(not NODE_READY, reason="needs Node and node_modules/pyodide (`npm ci`)")
def test_the_node_check_fails_with_page_line_and_diff(tmp_path):
    page = tmp_path / "wrong.md"
    page.write_text(textwrap.dedent("""\
        # A page whose output is wrong

        ```pycon
        >>> 6 * 7
        42
        >>> sorted({"b", "a"})
        ['b', 'a']
        ```
        """))
    out = check.prepare(tmp_path / "check", "2.1" if _series() == "2.1" else "2.0", [page])
    result = subprocess.run(
        ["node", str(check.CHECK), str(out)], capture_output=True, text=True, check=False,
        cwd=check.ROOT,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "wrong.md: 1 blocks run, 0 not runnable in the browser, 1 FAILED" in result.stdout
    assert (
        "docs/wrong.md:7: output differs\n"
        "--- expected (docs/wrong.md:7)\n"
        "+++ actual\n"
        "@@ -1 +1 @@\n"
        "-['b', 'a']\n"
        "+['a', 'b']\n"
    ) in result.stdout
    counts = json.loads((out / "result.json").read_text())
    assert (counts["passed"], counts["failed"], counts["python"][:5]) == (1, 1, "3.14.")
    # it ran the wheels the site serves, and says so
    loaded = [str((check.ROOT / w).resolve()) for w in counts["wheels"]]
    assert loaded == [str(w.resolve()) for w in bytecode_wheels()]
    assert f"Wheels: {counts['wheels'][0]}, " in result.stdout


@pytest.mark.skipif(not NODE_READY, reason="needs Node and node_modules/pyodide (`npm ci`) to "
                    "compile the wheels' bytecode")
def test_the_check_loads_the_wheels_with_bytecode_that_the_site_serves(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("# A page\n\n```pycon\n>>> 6 * 7\n42\n```\n")
    out = check.prepare(tmp_path / "check", _series(), [page])
    manifest = json.loads((out / "manifest.json").read_text())
    wheels = [Path(w) for w in manifest["wheels"]]
    # the very files that the build copies into _static/pyodide/ (run_buttons.copy_runtime)
    assert wheels == bytecode_wheels()
    assert {w.parent for w in wheels} == {bytecode_folder()}
    assert [w.name.split("-")[0] for w in wheels] == ["sqlalchemy", "typing_extensions"]
    tag = "cpython-314"  # Pyodide's Python (the check's own result says 3.14 above)
    with zipfile.ZipFile(wheels[0]) as archive:
        names = set(archive.namelist())
    assert f"sqlalchemy/__pycache__/__init__.{tag}.pyc" in names
    assert f"sqlalchemy/orm/__pycache__/session.{tag}.pyc" in names
    # only what a first run imports: another database's dialect stays source only
    assert not any(n.startswith("sqlalchemy/dialects/mysql/__pycache__/") for n in names)


def test_compiling_the_wheels_without_node_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(wheels, "WHEELS", tmp_path)  # nothing compiled yet
    (tmp_path / "pyodide").mkdir()
    (tmp_path / "pyodide" / "package.json").write_text('{"version": "314.0.7"}')
    monkeypatch.setattr(wheels, "PYODIDE", tmp_path / "pyodide")
    monkeypatch.setattr(wheels.shutil, "which", lambda name: None)
    with pytest.raises(wheels.WheelsUnavailable, match=r"no `node`.*install Node\.js"):
        wheels.bytecode_wheels([tmp_path / "sqlalchemy-2.1.9-py3-none-any.whl"])


def _series() -> str:
    import sqlalchemy

    return ".".join(sqlalchemy.__version__.split(".")[:2])


def test_the_build_side_imports_no_test_machinery():
    """The Sphinx extension writes programs and the bundle: like the rest of the build, it
    must not load pytest, Sybil or the harness (tests/test_layout.py)."""
    script = (
        "import sys, booktools.runner.program, booktools.runner.bundle; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pytest', '_pytest', "
        "'sybil') or m.startswith('booktools.verify')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True,
        cwd=check.ROOT,
    ).stdout
    assert out.strip() == "[]"


def test_an_edited_python_block_runs_as_a_whole_and_echoes_nothing() -> None:
    program = {
        "page": "p.md", "series": "2.1",
        "blocks": [{
            "index": 0, "line": 1, "language": "python", "shown": True, "runnable": True,
            "reason": "", "steps": [{"source": "x = 1\n", "line": 2, "mode": "exec",
                                     "expected": None, "expected_line": None}],
        }],
    }
    session = PageSession(program)
    result = session.run(0, "x = 2\nx\n")
    assert result["steps"][0]["segments"] == []
    assert result["verified"] is True
    assert session.namespace["x"] == 2


def test_exit_in_edited_code_ends_the_step_and_the_next_run_replays() -> None:
    program = {
        "page": "p.md", "series": "2.1",
        "blocks": [
            {"index": i, "line": i * 4 + 1, "language": "pycon", "shown": True, "runnable": True,
             "reason": "", "steps": [{"source": source, "line": i * 4 + 2, "mode": "single",
                                      "expected": expected, "expected_line": i * 4 + 3}]}
            for i, (source, expected) in enumerate(
                [("n = [1]\n", None), ("n.append(2); n\n", [["out", ["[1, 2]"]]])]
            )
        ],
    }
    session = PageSession(program)
    assert session.run(0)["verified"]
    edited = session.run(1, "n.append(3)\nraise SystemExit(1)\n")
    assert edited["steps"][-1]["segments"][0][0] == "error"
    # the namespace now holds the edit's changes: running block 1 as written replays first
    assert session.run(1)["verified"] is True
