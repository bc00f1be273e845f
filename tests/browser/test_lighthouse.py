"""Lighthouse's accessibility, best-practices and SEO audits on three representative pages.

These three categories do not depend on timing, so they are tested; performance is not (it
is a simulation from timings, which the benchmark reports: bench/README.md). The pages:
the landing page (cards, no sidebar table of contents), a chapter with backend and series
tabs and SQL panels, and the heaviest page, the cheat sheet. Every page's four scores
are in the benchmark's report.
"""

from __future__ import annotations

import os
import shutil

import pytest

if not os.environ.get("BOOK_SITE"):
    pytest.skip(
        "browser tests run in `nox -s browser`, which builds the site and sets BOOK_SITE",
        allow_module_level=True,
    )

from booktools.bench.measure import LIGHTHOUSE_SCRIPT, ROOT, measure_lighthouse

PAGES = ["index.html", "core/engines.html", "reference/cheat-sheet.html"]
CATEGORIES = ["accessibility", "best-practices", "seo"]


def test_lighthouse_scores_accessibility_best_practices_and_seo_100(site_dir):
    if not shutil.which("node") or not (ROOT / "node_modules" / "lighthouse").is_dir():
        pytest.fail(
            f"{LIGHTHOUSE_SCRIPT.name} needs Node.js and the npm packages of package.json, "
            "Lighthouse included: `npm ci` (nox -s browser runs it)"
        )
    result = measure_lighthouse(site_dir, PAGES, CATEGORIES)
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
