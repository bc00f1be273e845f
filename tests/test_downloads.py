"""booktools.sphinxext.downloads: every page's notebook and script run from top to bottom.

The downloads target SQLite and the installed SQLAlchemy series, so the nox ``tests``
sessions run them for both series; on a server run (``BOOK_DATABASE_URL`` set) running
them again would only repeat the SQLite run, so those tests skip.
"""

import asyncio
import os
import runpy
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbclient
import nbformat
import pytest

from booktools.pages import book_pages
from booktools.sphinxext import inventory
from booktools.sphinxext.downloads import (
    SERIES,
    Links,
    chapter_cells,
    clean_markdown,
    file_stem,
    notebook,
    script,
    write_downloads,
)

DOCS = Path(__file__).resolve().parent.parent / "docs"
CONF = runpy.run_path(str(DOCS / "conf.py"))
LINKS = Links(DOCS, CONF["sqla_url"], CONF["html_baseurl"], inventory.local_docs().inventory)
RUN_TAGS = {"sqlite", SERIES}


def docname(path: Path) -> str:
    return path.relative_to(DOCS).with_suffix("").as_posix()


PAGES = [
    page
    for page in book_pages(DOCS)
    if any(c.kind == "code" for c in chapter_cells(page, docname(page), LINKS))
]
on_server = pytest.mark.skipif(
    bool(os.environ.get("BOOK_DATABASE_URL")),
    reason="the downloads target SQLite; the SQLite runs of the suite execute them",
)


# --- every page, for real -----------------------------------------------------------------

KINDS = {"script": ".py", "notebook": ".ipynb"}
WORKERS = max(4, os.cpu_count() or 1)  # mostly waiting for kernels and interpreters to start


def run_script(path: Path, cwd: Path) -> str:
    """What went wrong when the script ran in a fresh interpreter; "" if nothing."""
    done = subprocess.run(
        [sys.executable, str(path)], cwd=cwd, capture_output=True, text=True, timeout=300,
        check=False,
    )
    return f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}" if done.returncode else ""


def run_notebook(path: Path, cwd: Path) -> str:
    """What went wrong when the notebook ran in a python3 Jupyter kernel; "" if nothing."""
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    # Minimal tracebacks: IPython's coloured, annotated ones take most of the time of a
    # page full of errors, and what is checked here is only that nothing else fails.
    client = nbclient.NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(cwd)}},
        extra_arguments=["--InteractiveShell.xmode=Minimal"],
    )
    try:
        asyncio.run(client.async_execute())  # a loop of its own, closed after, in any thread
    except nbclient.exceptions.CellExecutionError as error:
        return str(error)
    for cell in nb.cells:
        tagged = "raises-exception" in cell.metadata.get("tags", [])
        if tagged and not any(o.output_type == "error" for o in cell.outputs):
            return f"a cell tagged raises-exception ran without an error:\n{cell.source}"
    return ""


@pytest.fixture(scope="module")
def failures(request, tmp_path_factory) -> dict[tuple[str, Path], str]:
    """Runs the downloads that this session selected, several at a time."""
    jobs = [
        (item.callspec.params["kind"], item.callspec.params["page"])
        for item in request.session.items
        if getattr(item, "originalname", "") == "test_download_runs_to_the_end"
    ]
    out = tmp_path_factory.mktemp("downloads")
    for page in {page for _, page in jobs}:
        write_downloads(page, docname(page), out, LINKS)

    def run(job: tuple[str, Path]) -> str:
        kind, page = job
        path = out / f"{file_stem(docname(page))}{KINDS[kind]}"
        cwd = tmp_path_factory.mktemp(path.stem)
        failure = (run_script if kind == "script" else run_notebook)(path, cwd)
        return failure and f"{path.name} (from docs/{docname(page)}.md) failed:\n{failure}"

    # Part IV's pages import the book's example programs (examples/), as a reader who runs
    # them from a clone of the repository does: the downloads run with its root on the path.
    saved = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(DOCS.parent), saved]))
    try:
        with ThreadPoolExecutor(WORKERS) as pool:
            return dict(zip(jobs, pool.map(run, jobs), strict=True))
    finally:
        if saved is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = saved


@on_server
@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("page", PAGES, ids=docname)
def test_download_runs_to_the_end(page, kind, failures):
    if failures[kind, page]:
        pytest.fail(failures[kind, page], pytrace=False)


def test_every_page_with_code_has_downloads():
    assert {docname(p) for p in PAGES} >= {"orm/asyncio", "reference/errors", "core/engines"}


# --- MyST to Markdown ---------------------------------------------------------------------


def test_roles_become_text_or_links():
    md = (
        "See {doc}`/core/engines`, {doc}`the session </orm/session>`, {ref}`error-detached-lazy`,"
        " {sqla}`Cascades <orm/cascades.html>` and"
        " {py:meth}`Session.get() <sqlalchemy.orm.Session.get>`; "
        "``{doc}`/core/engines` `` stays code."
    )
    unpublished = Links(DOCS, CONF["sqla_url"], "", inventory.local_docs().inventory)
    plain = clean_markdown(md, "intro/how-to-read", unpublished, RUN_TAGS)
    docs = CONF["sqla_url"]
    assert plain == (
        "See 1. Engines, connections and transactions, the session, DetachedInstanceError (bhk3): "
        "Parent instance is not bound to a Session; lazy load operation cannot proceed, "
        f"[Cascades]({docs}orm/cascades.html) and "
        f"[`Session.get()`]({docs}orm/session_api.html#sqlalchemy.orm.Session.get); "
        "``{doc}`/core/engines` `` stays code."
    )
    published = Links(DOCS, "", "https://book.example/")
    assert clean_markdown("{doc}`installing`", "intro/how-to-read", published, RUN_TAGS) == (
        "[Installing, and choosing a database](https://book.example/intro/installing.html)"
    )


TABS = """\
(my-label)=
## Heading

% a comment, which goes
::::{tab-set}
:::{tab-item} SQLite
:sync: sqlite
SQLite prose.
:::
:::{tab-item} PostgreSQL
:sync: postgresql
PostgreSQL prose.
:::
::::

:::{note} Mind this
A note.
:::

````text
:::{tab-item} literal
% kept
````"""


def test_tabs_of_other_runs_go_other_directives_are_unwrapped():
    assert clean_markdown(TABS, "x", LINKS, {"sqlite", "sqlalchemy-2.1"}) == (
        "## Heading\n\nSQLite prose.\n\n**Mind this**\n\nA note.\n\n"
        "````text\n:::{tab-item} literal\n% kept\n````"
    )


# --- a page's cells, the notebook and the script ------------------------------------------

PAGE = """\
# A page

Set up:

```pycon
>>> import asyncio
>>> total = 1
>>> total, total + 1
(1, 2)
>>> print("printed")
printed
```

::::{tab-set}
:::{tab-item} SQLAlchemy 2.0
:sync: sqlalchemy-2.0
```pycon
>>> old = True
```
:::
:::{tab-item} SQLAlchemy 2.1
:sync: sqlalchemy-2.1
```pycon
>>> new = True
```
:::
::::

% only: postgresql
```pycon
>>> server_only = True
```

This fails on purpose:

```pycon
>>> 1 / 0
Traceback (most recent call last):
...
ZeroDivisionError: division by zero
>>> async def answer():
...     return 42
>>> asyncio.run(answer())
42
```
"""


@pytest.fixture
def page(tmp_path) -> Path:
    path = tmp_path / "page.md"
    path.write_text(PAGE)
    return path


def test_cells_follow_the_page_for_this_run(page):
    cells = chapter_cells(page, "page", LINKS, {"sqlite", "sqlalchemy-2.1"})

    assert [(c.kind, c.source) for c in cells] == [
        ("markdown", "# A page\n\nSet up:"),
        ("code", "import asyncio\ntotal = 1\ntotal, total + 1"),  # ends where output shows
        ("code", 'print("printed")'),
        ("code", "new = True"),
        (
            "markdown",
            "*(The page shows an example for PostgreSQL here.)*\n\nThis fails on purpose:",
        ),
        ("code", "1 / 0"),  # alone, so that an error stops nothing else
        ("code", "async def answer():\n    return 42\n\nasyncio.run(answer())"),
    ]
    assert [c.raises for c in cells if c.kind == "code"] == [False, False, False, True, False]
    assert [c.shows_value for c in cells if c.kind == "code"] == [True, False, False, False, True]


def test_notebook_tags_errors_and_awaits_coroutines(page):
    cells = chapter_cells(page, "page", LINKS, {"sqlite", "sqlalchemy-2.1"})

    nb = notebook(cells, "A page", "https://book.example/page.html")

    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code[3].source == "1 / 0"
    assert code[3].metadata.tags == ["raises-exception"]
    assert code[4].source.endswith("\nawait answer()")
    assert "[A page](https://book.example/page.html)" in nb.cells[0].source


def test_script_shows_values_and_prints_expected_errors(page, tmp_path):
    cells = chapter_cells(page, "page", LINKS, {"sqlite", "sqlalchemy-2.1"})
    text = script(cells, "A page", "")

    assert "show((total, total + 1))" in text
    assert (
        "# The book shows this error on purpose.\ntry:\n    1 / 0\n"
        'except Exception as error:\n    print(f"{type(error).__name__}: {error}")'
    ) in text
    (tmp_path / "page.py").write_text(text)
    done = subprocess.run(
        [sys.executable, "page.py"], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert done.stdout == "(1, 2)\nprinted\nZeroDivisionError: division by zero\n42\n"

