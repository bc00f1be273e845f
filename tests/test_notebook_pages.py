"""Pages that the build executes as notebooks run here, the way the build runs them.

A page written as a MyST-NB text notebook (``{code-cell}`` blocks, and front matter that
turns execution on, see ``test_code_fences.executes_as_notebook``) is not run by the snippet
harness: Sphinx executes it with a Jupyter kernel when it builds the book. These tests do the
same: they read each such page into a notebook with myst-nb's own reader, run it on its
kernel with nbclient at the reduced problem size (``BOOK_PERF_SCALE=small``), and fail on an
error or on anything written to stderr, where warnings would appear.

For the performance chapter they also check that the statement counts it measures for the
loading chapter's three customers are the counts verified in docs/orm/loading.md, so that
the two chapters cannot drift apart.
"""

from __future__ import annotations

import functools
import os
import re
import runpy
from pathlib import Path

import pytest
from myst_nb.core.read import read_myst_markdown_notebook
from myst_parser.config.main import MdParserConfig
from nbclient import NotebookClient
from nbformat import NotebookNode
from test_code_fences import executes_as_notebook

from booktools.pages import DOCS as PAGES
from booktools.pages import book_pages, read_page

LOADING = PAGES / "orm" / "loading.md"
PERFORMANCE = PAGES / "orm" / "performance.md"
REDUCED_SIZE = {"BOOK_PERF_SCALE": "small"}

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("BOOK_DATABASE_URL")),
    reason="notebook pages measure in-memory SQLite only; the SQLite run already executes them",
)


def notebook_pages() -> list[Path]:
    return [page for page in book_pages() if executes_as_notebook(read_page(page).front_matter)]


@functools.cache
def executed(page: Path) -> NotebookNode:
    """The page as a notebook, executed in its own directory, as the build executes it."""
    conf = runpy.run_path(str(PAGES / "conf.py"))
    config = MdParserConfig(enable_extensions=set(conf["myst_enable_extensions"]))
    notebook = read_myst_markdown_notebook(page.read_text("utf-8"), config, path=page)
    client = NotebookClient(
        notebook,
        timeout=conf["nb_execution_timeout"],
        kernel_name=notebook.metadata.kernelspec.name,
        resources={"metadata": {"path": str(page.parent)}},
    )
    client.execute(env={**os.environ, **REDUCED_SIZE})
    return notebook


def outputs(notebook: NotebookNode) -> list[NotebookNode]:
    return [
        output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs
    ]


@pytest.mark.parametrize("page", notebook_pages(), ids=lambda p: str(p.relative_to(PAGES.parent)))
def test_notebook_page_runs_without_errors_or_warnings(page: Path) -> None:
    stderr = [o.text for o in outputs(executed(page)) if o.get("name") == "stderr"]
    assert stderr == []


def test_the_performance_chapter_is_an_executed_notebook() -> None:
    assert PERFORMANCE in notebook_pages()


def glued(notebook: NotebookNode) -> dict[str, str]:
    """The values a notebook published with ``myst_nb.glue()``, as their text/plain form."""
    values = {}
    for output in outputs(notebook):
        record = output.get("metadata", {}).get("scrapbook")
        if record:
            values[record["name"]] = output.data[record["mime_prefix"] + "text/plain"]
    return values


GLUE_ROLE = re.compile(r"\{glue(?::\w+)?\}`(?P<key>[^`:]+)")


@pytest.mark.parametrize("page", notebook_pages(), ids=lambda p: str(p.relative_to(PAGES.parent)))
def test_numbers_in_the_prose_are_published_by_the_notebook(page: Path) -> None:
    used = set(GLUE_ROLE.findall(page.read_text("utf-8")))
    assert used - set(glued(executed(page))) == set()


#: A loading-chapter example that loads every customer with one loader option on
#: Customer.invoices, or none (lazy loading), then reads each customer's invoices.
REPORT = re.compile(
    r"select\(Customer\)(?:\.options\((?P<loader>\w+)\(Customer\.invoices\)\))?"
    r"\.order_by\(Customer\.id\)"
)
STRATEGIES = {
    None: "lazy",
    "joinedload": "joined",
    "selectinload": "selectin",
    "subqueryload": "subquery",
}
COUNT = re.compile(r"SELECT statements: (\d+)")


def verified_loading_counts() -> dict[str, set[int]]:
    """For each strategy, the SELECT counts printed by count_selects() in the loading
    chapter's verified examples of the customer report."""
    counts: dict[str, set[int]] = {}
    for step in (step for block in read_page(LOADING).code for step in block.steps):
        source = step.source
        match = REPORT.search(source)
        if not (match and "count_selects()" in source and "report(" in source):
            continue
        if match["loader"] not in STRATEGIES:
            continue  # raiseload, noload: not measured by the performance chapter
        printed = [
            line
            for segment in step.expected
            if segment.kind == "out"
            for line in segment.lines
        ]
        found = {int(m[1]) for line in printed if (m := COUNT.fullmatch(line))}
        counts.setdefault(STRATEGIES[match["loader"]], set()).update(found)
    return counts


def test_loading_counts_agree_with_the_loading_chapter() -> None:
    verified = verified_loading_counts()
    # every strategy is found, with one count (both SQLAlchemy series' tabs agree)
    assert sorted(verified) == sorted(STRATEGIES.values())
    assert all(len(counts) == 1 for counts in verified.values()), verified

    values = glued(executed(PERFORMANCE))
    measured = {strategy: int(values[f"chapter_{strategy}"]) for strategy in STRATEGIES.values()}
    assert measured == {strategy: counts.pop() for strategy, counts in verified.items()}
