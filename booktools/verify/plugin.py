"""The pytest plugin of the book: ``--update-examples`` and the verification record.

Its state belongs to the session: the pending page rewrites (:class:`.updates.Updates`)
and the count of the pages' outcomes live in one :class:`BookSession`, on ``config.stash``.
"""

from __future__ import annotations

import gc
import os

import pytest
import sqlalchemy

from booktools import records
from booktools.pages import PageError, book_pages, read_page

from .backend import current_run
from .collect import OutputDiffers
from .updates import Update, Updates


class BookSession:
    """The plugin's state and hooks for one pytest session (``config.stash[BOOK]``): the
    pending page rewrites, and what the run saw of the book's pages."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.updates = Updates(enabled=config.getoption("--update-examples"))
        self.counts = dict.fromkeys(("passed", "failed", "skipped"), 0)
        self.complete = False  # every page with code was collected, none deselected

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        gc.freeze()
        collected = {item.path for item in session.items if _is_page(item.nodeid)}
        unvisited = [page for page in book_pages() if page not in collected and _has_code(page)]
        self.complete = bool(collected) and not unvisited

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        if any(_is_page(item.nodeid) for item in items):
            self.complete = False

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        report = yield
        error = call.excinfo.value if call.excinfo else None
        if isinstance(error, OutputDiffers) and error.updatable:
            code = error.step
            self.updates.record(
                Update(code.path, code.step.expected_line, code.step.expected_count, error.actual)
            )
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if not _is_page(report.nodeid):
            return
        if report.failed:
            self.counts["failed"] += 1
        elif report.skipped:
            self.counts["skipped"] += 1
        elif report.when == "call":
            self.counts["passed"] += 1

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        summary = self.updates.apply()
        if reporter and summary:
            reporter.ensure_newline()
            reporter.section("--update-examples", sep="-")
            for line in summary:
                reporter.write_line(line)
        if self.updates.refused:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
        ran = not self.config.option.collectonly  # collecting verifies nothing
        if ran and self.complete and self.counts["failed"] == 0 and exitstatus == 0:
            run = current_run()
            path = records.write_record(run.backend, _backend_version(), run.series, self.counts)
            if reporter:
                reporter.ensure_newline()
                reporter.write_line(f"verification record: {os.path.relpath(path)}")


BOOK = pytest.StashKey[BookSession]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-examples",
        action="store_true",
        help="rewrite the expected output of failing pycon examples with what they printed",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.stash[BOOK] = BookSession(config)
    config.pluginmanager.register(config.stash[BOOK], "booktools-session")


def _is_page(nodeid: str) -> bool:
    return nodeid.startswith("docs/")


def _has_code(page) -> bool:
    try:
        return bool(read_page(page).code)
    except PageError:  # a page that cannot be parsed certainly was not verified
        return True


@pytest.hookimpl(tryfirst=True)
def pytest_collection(session: pytest.Session) -> None:
    # Python's cyclic garbage collector walks every object it tracks, each time it runs;
    # freezing moves the ones that live for the whole run (modules, SQLAlchemy, pytest's
    # plugins and, below, the collected pages) out of its way. Objects the pages make are
    # not frozen, so cycles among them are still found, and their __del__ methods run.
    gc.freeze()


def _backend_version() -> str:
    run = current_run()
    if not run.url:
        return records.sqlite_version()
    engine = sqlalchemy.create_engine(run.url)
    with engine.connect() as conn:
        version = conn.exec_driver_sql("SHOW server_version").scalar_one()
    engine.dispose()
    return str(version).split()[0]
