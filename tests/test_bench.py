"""The benchmark's arithmetic and its report (booktools/bench/measure.py); it measures nothing here."""

from __future__ import annotations

import shutil

import pytest

from booktools.bench import measure
from booktools.bench.measure import (
    FIRST_LOAD_GZIPPED_BYTES,
    FIRST_LOAD_REQUESTS,
    budgets,
    lighthouse_verdicts,
    markdown,
    measure_lighthouse,
    summary,
)
from booktools.site.server import BUDGET_GZIPPED_BYTES


def stats(wall: float, rss: float = 100.0) -> dict:
    return summary([{"wall": wall, "cpu": wall, "max_rss_mb": rss}])


def report(
    build_s: float = 4.0, test_s: float = 3.0, gzipped: int = 60_000, requests: int = 12
) -> dict:
    return {
        "date": "2026-01-02",
        "commit": "abc1234",
        "repeat": 1,
        "machine": {
            "cpus": 2,
            "load_average_start": [1.0, 1.0, 1.0],
            "load_average_end": [2.0, 1.0, 1.0],
            "python": "3.11.7",
            "sphinx": "9.0.4",
            "sqlalchemy": "2.1.9",
        },
        "build": {
            "pages": 20,
            "startup": stats(2.0),
            "clean_warm": stats(build_s, rss=250.0),
            "incremental": stats(1.5),
            "live": summary([{"wall": 2.5}]),
            "floor": {"startup": stats(0.5), "build": stats(1.5)},
        },
        "tests": {
            "run": stats(test_s),
            "startup": stats(1.0),
            "examples": 1000,
            "skipped": 10,
            "examples_per_second": 333.3,
        },
        "floor": {"exec": stats(1.0), "snippets": 1000, "unexpected_errors": 0},
        "site": {
            "budget_gzipped_bytes": BUDGET_GZIPPED_BYTES,
            "searchindex": {"raw_bytes": 1000, "gzipped_bytes": 300},
            "first_load": {
                "core/engines.html": {
                    "requests": requests,
                    "raw_bytes": 400_000,
                    "gzipped_bytes": gzipped,
                    "budgeted_gzipped_bytes": 50_000,
                }
            },
        },
    }


def test_summary_takes_minimum_median_and_peak_memory():
    runs = [
        {"wall": 3.0, "cpu": 2.0, "max_rss_mb": 90.0},
        {"wall": 1.0, "cpu": 1.0, "max_rss_mb": 120.0},
        {"wall": 2.0, "cpu": 5.0, "max_rss_mb": 100.0},
    ]
    assert summary(runs) == {
        "runs": [3.0, 1.0, 2.0],
        "wall": 1.0,
        "wall_median": 2.0,
        "cpu": 1.0,
        "cpu_median": 2.0,
        "max_rss_mb": 120.0,
    }


def test_budgets_are_ratios_to_floors_of_the_same_run():
    results = {b["name"]: b for b in budgets(report())}
    # per page beyond start-up: the book (4 s - 2 s) / 20 = 0.1 s, the floor (1.5 s - 0.5 s)
    # / 20 = 0.05 s; 2 × the floor
    build = results["clean build, per page beyond start-up"]
    assert (build["measured"], build["limit"], build["passed"]) == (2.0, 1.5, False)
    # (3 s - pytest start-up 1 s) / floor 1 s
    tests = results["test run less pytest's start-up"]
    assert (tests["measured"], tests["limit"], tests["passed"]) == (2.0, 1.5, False)
    weight = results["first load of core/engines.html, gzipped bytes"]
    assert (weight["measured"], weight["limit"], weight["passed"]) == (60_000, 70_000, True)
    requests = results["first load of core/engines.html, requests"]
    assert (requests["measured"], requests["limit"], requests["passed"]) == (12, 14, True)


def test_budgets_pass_and_fail_at_their_limits():
    # 1.5 × the floor exactly: build (3.5 s - 2 s) / 20 = 0.075 s per page; tests 2.5 s - 1 s
    within = budgets(report(3.5, 2.5, FIRST_LOAD_GZIPPED_BYTES, FIRST_LOAD_REQUESTS))
    assert [b["passed"] for b in within] == [True, True, True, True]
    over = budgets(report(3.51, 2.51, FIRST_LOAD_GZIPPED_BYTES + 1, FIRST_LOAD_REQUESTS + 1))
    assert [b["passed"] for b in over] == [False, False, False, False]


def test_no_time_budget_without_its_floor():
    data = report()
    del data["floor"], data["build"]["floor"]
    names = [b["name"] for b in budgets(data)]
    assert names == [
        "first load of core/engines.html, gzipped bytes",
        "first load of core/engines.html, requests",
    ]


def test_markdown_table():
    data = report()
    data["budgets"] = budgets(data)
    table = markdown(data)
    assert table.startswith("# Benchmark 2026-01-02 (abc1234)\n")
    assert "| Clean build, warm notebook cache | 4.00 s (median 4.00; CPU 4.00 s) |" in table
    assert "| … per page | 0.200 s |" in table
    assert "| Clean build, cold notebook cache (1 run) | not measured |" in table
    assert "| Test run ÷ floor | 3.0 |" in table
    assert (
        "| Save to rebuilt page: incremental `sphinx-build` after touching core/engines.md "
        "| 1.50 s (median 1.50; CPU 1.50 s) |"
    ) in table
    assert (
        "| Save to rebuilt page in `nox -s live`: a paragraph added to core/engines.md, until "
        "sphinx-autobuild serves it | 2.50 s (median 2.50) |"
    ) in table
    # (1.5 s - 0.5 s) / 20 pages for the floor, (4 s - 2 s) / 20 pages for the book
    assert "| … per page beyond its start-up | 0.050 s |" in table
    assert "| Clean build per page beyond start-up (warm notebook cache) | 0.100 s |" in table
    assert (
        "| clean build, per page beyond start-up | 2.00 "
        "| 1.50 (× the build floor's 50.0 ms per page) | **fail** |"
    ) in table
    assert (
        "| test run less pytest's start-up | 2.00 | 1.50 (× the floor's 1.00 s) | **fail** |"
        in (table)
    )
    assert (
        "| first load of core/engines.html, gzipped bytes | 60,000 "
        "| 70,000 (everything fetched) | pass |"
    ) in table
    assert (
        "| first load of core/engines.html, requests | 12 | 14 (everything fetched) | pass |"
    ) in table


def test_running_in_the_browser_is_reported_against_its_targets():
    data = report()
    data["site"]["run"] = {
        "chapter": "orm/session",
        "block": 4,
        "verdicts": ["Same as the verified output."],
        "cold_seconds": summary([{"wall": 6.5}, {"wall": 7.0}]),
        "again_milliseconds": summary([{"wall": 150.0}, {"wall": 180.0}]),
    }
    results = {b["name"]: b for b in budgets(data)}
    cold = results[
        "run in the browser, first click to first result (cold), orm/session.html, block 4, seconds"
    ]
    assert (cold["measured"], cold["limit"], cold["passed"]) == (6.5, 5.0, False)
    again = results["run in the browser, a block run again, orm/session.html, block 4, milliseconds"]
    assert (again["measured"], again["limit"], again["passed"]) == (150.0, 200.0, True)
    data["budgets"] = budgets(data)
    table = markdown(data)
    assert (
        "| Run in the browser (orm/session.html, block 4): first click to first result, cold "
        "| 6.50 s (median 6.75) |"
    ) in table
    assert "| … the same block run again | 150 ms (median 165) |" in table


def lighthouse_page(performance: int, accessibility: int = 100, failing=None) -> dict:
    return {
        "runtimeError": None,
        "warnings": [],
        "scores": {
            "performance": performance,
            "accessibility": accessibility,
            "best-practices": 100,
            "seo": 100,
        },
        "failing": {
            "performance": [],
            "accessibility": failing or [],
            "best-practices": [],
            "seo": [],
        },
        "metrics": {
            "largest-contentful-paint": {"value": 2100.0, "score": 0.9, "shown": "2.1 s"},
        },
        "diagnostics": [{"id": "unused-css-rules", "title": "Reduce unused CSS", "value": "9 KiB"}],
    }


def test_lighthouse_thresholds_per_page():
    contrast = [{"id": "color-contrast", "title": "Contrast", "score": 0, "value": ""}]
    lighthouse = {
        "version": "12.2.3",
        "seconds": 30.0,
        "pages": {
            "index.html": lighthouse_page(98),
            "orm/session.html": lighthouse_page(97),
            "orm/loading.html": lighthouse_page(100, accessibility=96, failing=contrast),
        },
    }
    assert lighthouse_verdicts(lighthouse) == {
        "index.html": [],
        "orm/session.html": ["performance"],
        "orm/loading.html": ["accessibility"],
    }
    data = report()
    data["lighthouse"] = lighthouse
    data["budgets"] = budgets(data)
    pages = {b["name"]: b for b in data["budgets"]}["Lighthouse mobile: pages below the thresholds"]
    assert (pages["measured"], pages["limit"], pages["passed"]) == (2, 0, False)
    table = markdown(data)
    assert "| index.html | 98 | 100 | 100 | 100 | pass |  |" in table
    assert "| orm/session.html | 97 | 100 | 100 | 100 | **fail**: performance |  |" in table
    assert (
        "| orm/loading.html | 100 | 96 | 100 | 100 | **fail**: accessibility "
        "| accessibility: color-contrast |"
    ) in table
    assert "| index.html | – | 2.1 s | – | – | – | unused-css-rules (9 KiB) |" in table


def failed_page(error: str) -> dict:
    """A page whose Lighthouse run threw, as booktools/bench/lighthouse.mjs writes it."""
    page = {key: {} for key in ("scores", "failing", "metrics")}
    return {**page, "error": error, "runtimeError": None, "warnings": [], "diagnostics": []}


def test_a_page_whose_lighthouse_run_threw_fails_with_its_message():
    lighthouse = {
        "version": "12.2.3",
        "seconds": 30.0,
        "pages": {
            "index.html": lighthouse_page(100),
            "orm/session.html": failed_page("PROTOCOL_TIMEOUT | waiting for\nDevTools"),
            "orm/loading.html": lighthouse_page(100),
        },
    }
    assert lighthouse_verdicts(lighthouse) == {
        "index.html": [],
        "orm/session.html": ["Lighthouse failed"],
        "orm/loading.html": [],
    }
    data = report()
    data["lighthouse"] = lighthouse
    data["budgets"] = budgets(data)
    pages = {b["name"]: b for b in data["budgets"]}["Lighthouse mobile: pages below the thresholds"]
    assert (pages["measured"], pages["passed"]) == (1, False)
    table = markdown(data)
    assert "3 pages in 30 s, 1 failed (orm/session.html). Thresholds:" in table
    assert (
        "| orm/session.html | – | – | – | – | **fail**: Lighthouse failed "
        "| Lighthouse failed: PROTOCOL_TIMEOUT \\| waiting for DevTools |"
    ) in table
    assert "| orm/loading.html | 100 | 100 | 100 | 100 | pass |  |" in table


# A stand-in for booktools/bench/lighthouse.mjs: reads the request as the script does and
# answers as it does, a line per page (a failed one for each URL with "bad" in it) and the
# exit status 1 when a page failed; or, with "crash" in a URL, stops there.
_FAKE_LIGHTHOUSE = """
const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
for (const url of JSON.parse(Buffer.concat(chunks).toString()).urls) {
  if (url.includes("crash")) { console.error("Chrome went away"); process.exit(1); }
  const bad = url.includes("bad");
  const line = {url, error: bad ? "INVALID_URL" : null, runtimeError: null, warnings: [],
                scores: bad ? {} : {seo: 100}, failing: {}, metrics: {}, diagnostics: [],
                seconds: 1.5};
  if (bad) process.exitCode = 1;
  process.stdout.write(JSON.stringify(line) + "\\n");
}
"""


@pytest.mark.skipif(
    not shutil.which("node") or not (measure.ROOT / "node_modules" / "lighthouse").is_dir(),
    reason="needs Node and node_modules/lighthouse (`npm ci`)",
)
def test_measure_lighthouse_goes_on_after_a_failed_page_and_names_it(tmp_path, monkeypatch, capsys):
    fake = tmp_path / "lighthouse.mjs"
    fake.write_text(_FAKE_LIGHTHOUSE)
    monkeypatch.setattr(measure, "LIGHTHOUSE_SCRIPT", fake)
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<title>book</title>")

    result = measure_lighthouse(site, ["index.html", "bad.html", "last.html"], ["seo"])
    assert result["failed"] == ["bad.html"]
    assert {page: r["error"] for page, r in result["pages"].items()} == {
        "index.html": None,
        "bad.html": "INVALID_URL",
        "last.html": None,
    }
    assert result["pages"]["last.html"]["scores"] == {"seo": 100}
    out = capsys.readouterr().out
    assert "  bad.html: FAILED in 2 s: INVALID_URL" in out
    assert "Lighthouse failed on 1 of 3 pages: ['bad.html']" in out

    # Lighthouse stopping before the last page is an error of the benchmark, not a page's.
    with pytest.raises(RuntimeError, match=r"after 1 of 3 pages:\n.*Chrome went away"):
        measure_lighthouse(site, ["index.html", "crash.html", "last.html"], ["seo"])
