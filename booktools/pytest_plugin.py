"""pytest hooks for the book: ``--update-examples`` and the verification record."""

from __future__ import annotations

import gc
import os
from pathlib import Path

import pytest
import sqlalchemy
from sybil import Sybil

from . import verification
from .harness import RUN, UPDATES, book_sybil


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-examples",
        action="store_true",
        help="rewrite the expected output of failing pycon examples with what they printed",
    )


class _PageRun:
    """What the run saw of the book's pages: counts, and whether every page was collected."""

    def __init__(self) -> None:
        self.counts = {"passed": 0, "failed": 0, "skipped": 0}
        self.complete = False


_run = _PageRun()


def pytest_configure(config: pytest.Config) -> None:
    UPDATES.enabled = config.getoption("--update-examples")


def _is_page(nodeid: str) -> bool:
    return nodeid.startswith("docs/")


@pytest.hookimpl(tryfirst=True)
def pytest_collection(session: pytest.Session) -> None:
    # Python's cyclic garbage collector walks every object it tracks, each time it runs;
    # freezing moves the ones that live for the whole run (modules, SQLAlchemy, pytest's
    # plugins and, below, the collected pages) out of its way. Objects the pages make are
    # not frozen, so cycles among them are still found, and their __del__ methods run.
    gc.freeze()


def pytest_collection_finish(session: pytest.Session) -> None:
    gc.freeze()
    collected = {item.path for item in session.items if _is_page(item.nodeid)}
    unvisited = [page for page in verification.book_pages() if page not in collected]
    if unvisited:
        sybil = book_sybil(path=str(verification.PAGES))
        unvisited = [page for page in unvisited if _has_examples(sybil, page)]
    _run.complete = bool(collected) and not unvisited


def _has_examples(sybil: Sybil, page: Path) -> bool:
    try:
        return any(True for _ in sybil.parse(page))
    except ValueError:  # a page that cannot be parsed certainly was not verified
        return True


def pytest_deselected(items: list[pytest.Item]) -> None:
    if any(_is_page(item.nodeid) for item in items):
        _run.complete = False


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if not _is_page(report.nodeid):
        return
    if report.failed:
        _run.counts["failed"] += 1
    elif report.skipped:
        _run.counts["skipped"] += 1
    elif report.when == "call":
        _run.counts["passed"] += 1


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    changed = UPDATES.apply()
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    for path in changed:
        if reporter:
            reporter.write_line(f"updated expected output in {os.path.relpath(path)}")
    if _run.complete and _run.counts["failed"] == 0 and exitstatus == 0:
        path = verification.write_record(RUN.backend, _backend_version(), RUN.series, _run.counts)
        if reporter:
            reporter.ensure_newline()
            reporter.write_line(f"verification record: {os.path.relpath(path)}")


def _backend_version() -> str:
    if not RUN.url:
        return verification.sqlite_version()
    engine = sqlalchemy.create_engine(RUN.url)
    with engine.connect() as conn:
        version = conn.exec_driver_sql("SHOW server_version").scalar_one()
    engine.dispose()
    return str(version).split()[0]
