"""Fixtures shared by the harness's own tests."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def run_page(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch):
    """Run the book's harness on one page; return pytest's result."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.delenv("BOOK_DATABASE_URL", raising=False)
    pytester.makeconftest(
        "from booktools.verify.collect import book_sybil\n"
        "pytest_plugins = ['booktools.verify.plugin']\n"
        f"pytest_collect_file = book_sybil(path={str(pytester.path)!r}).pytest()\n"
    )

    def run(page: str, *args: str) -> pytest.RunResult:
        (pytester.path / "page.md").write_text(page, encoding="utf-8")
        return pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:logging", *args)

    return run
