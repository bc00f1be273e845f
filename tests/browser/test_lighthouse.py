"""Lighthouse's accessibility, best-practices and SEO audits on three representative pages.

These three categories do not depend on timing, so they are tested; performance is not (it
is a simulation from timings, which the benchmark reports: bench/README.md). The pages:
the landing page (cards, no sidebar table of contents), a chapter with backend and series
tabs and SQL panels, and the heaviest page, the cheat sheet. Every page's four scores
are in the benchmark's report.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

if not os.environ.get("BOOK_SITE"):
    pytest.skip(
        "browser tests run in `nox -s browser`, which builds the site and sets BOOK_SITE",
        allow_module_level=True,
    )

from booktools.bench.measure import LIGHTHOUSE_SCRIPT, ROOT, measure_lighthouse
from booktools.site.server import CHROMIUM, CHROMIUM_ARGS

PAGES = ["index.html", "core/engines.html", "reference/cheat-sheet.html"]
CATEGORIES = ["accessibility", "best-practices", "seo"]


def _needs_lighthouse() -> None:
    if not shutil.which("node") or not (ROOT / "node_modules" / "lighthouse").is_dir():
        pytest.fail(
            f"{LIGHTHOUSE_SCRIPT.name} needs Node.js and the npm packages of package.json, "
            "Lighthouse included: `npm ci` (nox -s browser runs it)"
        )


def test_lighthouse_scores_accessibility_best_practices_and_seo_100(site_dir):
    _needs_lighthouse()
    result = measure_lighthouse(site_dir, PAGES, CATEGORIES)
    assert result["failed"] == [], {page: result["pages"][page]["error"] for page in PAGES}
    below = {
        f"{page} {category} {score}": [
            f"{audit['id']}: {audit['title']} {audit['value']}".strip()
            for audit in result["pages"][page]["failing"][category]
        ]
        for page in PAGES
        for category, score in result["pages"][page]["scores"].items()
        if score != 100
    }
    assert below == {}, "Lighthouse (mobile): the audits that lost points"
    assert all(result["pages"][page]["runtimeError"] is None for page in PAGES)


def test_the_lighthouse_script_records_a_page_that_throws_and_goes_on():
    """Lighthouse throws on an address it cannot open (INVALID_URL, before any loading): each
    such page gets its line with the error, the next page still runs, and the script's exit
    status says that a page failed."""
    _needs_lighthouse()
    request = {
        "chromePath": CHROMIUM,
        "chromeFlags": [*CHROMIUM_ARGS, "--no-sandbox"],
        "urls": ["not an address", "ftp://127.0.0.1/page.html"],
        "categories": ["seo"],
    }
    done = subprocess.run(
        ["node", str(LIGHTHOUSE_SCRIPT)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(line["url"], line["error"], line["scores"]) for line in lines] == [
        ("not an address", "INVALID_URL", {}),
        ("ftp://127.0.0.1/page.html", "INVALID_URL", {}),
    ], done.stderr
    assert done.returncode == 1
    assert "not an address: LighthouseError: INVALID_URL" in done.stderr  # with its stack
