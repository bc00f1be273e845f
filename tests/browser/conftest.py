"""The built site, served from a sub-path on loopback, opened in Debian's Chromium.

These tests need the built book and a browser, so they run in ``nox -s browser``, which
builds the site, installs what is missing and sets ``BOOK_SITE``. Elsewhere they are
skipped with that reason.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from booktools.site.server import CHROMIUM, CHROMIUM_ARGS, served

SITE = os.environ.get("BOOK_SITE")


@pytest.fixture(scope="session")
def site_dir() -> Path:
    return Path(SITE or "").resolve()


@pytest.fixture(scope="session")
def base_url(site_dir: Path) -> Iterator[str]:
    """The site served at the sub-path it was built for (its canonical URLs say which)."""
    index = (site_dir / "index.html").read_text(encoding="utf-8")
    canonical = re.search(r'<link rel="canonical" href="([^"]+)"', index)
    prefix = urlsplit(canonical[1]).path.rsplit("/", 1)[0] + "/" if canonical else "/"
    with served(site_dir, prefix) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    if not shutil.which(CHROMIUM):
        pytest.fail(f"no Chromium at {CHROMIUM}: install it with `apt-get install chromium`")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Watched:
    """A browser context that records console errors, uncaught exceptions and every
    request to a host other than the local server."""

    def __init__(self, context, base_url: str) -> None:
        self.context = context
        self.errors: list[str] = []
        self.external: list[str] = []
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(base_url))

        def note(request) -> None:
            if not request.url.startswith((origin + "/", "data:", "blob:")):
                self.external.append(request.url)

        # Recorded rather than intercepted: Chromium resolves a stylesheet's @import
        # against the wrong base when its request is routed. Chromium is started with no
        # way out of this machine anyway (see CHROMIUM_ARGS).
        context.on("request", note)

    def new_page(self, color_scheme: str = "light"):
        page = self.context.new_page()
        page.emulate_media(color_scheme=color_scheme)
        page.on(
            "console",
            lambda m: m.type == "error" and self.errors.append(f"console: {m.text} {m.location}"),
        )
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        return page


@pytest.fixture
def watched(browser, base_url: str) -> Iterator[Watched]:
    context = browser.new_context()
    yield Watched(context, base_url)
    context.close()


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """The search-quality shares that tests/browser/test_search.py recorded."""
    for report in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get(
        "failed", []
    ):
        found = dict(getattr(report, "user_properties", []))
        if report.when == "call" and "search_queries" in found:
            total = found["search_queries"]
            terminalreporter.write_line(
                f"search quality: {total} queries, answer first for "
                f"{found['search_first'] / total:.0%}, in the top three for "
                f"{found['search_top3'] / total:.0%}"
            )
