"""The benchmark's arithmetic and its report (booktools/bench/measure.py); it measures nothing here."""

from __future__ import annotations

from booktools.bench.measure import budgets, markdown, summary
from booktools.site.server import BUDGET_GZIPPED_BYTES


def stats(wall: float, rss: float = 100.0) -> dict:
    return summary([{"wall": wall, "cpu": wall, "max_rss_mb": rss}])


def report(build_s: float = 4.0, test_s: float = 3.0, weight: int = 90_000) -> dict:
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
                    "requests": 12,
                    "raw_bytes": 400_000,
                    "gzipped_bytes": 100_000,
                    "budgeted_gzipped_bytes": weight,
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


def test_budgets_within_limits():
    results = {b["name"]: b for b in budgets(report())}
    build = results["clean build (warm notebook cache), s"]
    assert build["limit"] == 4.0  # start-up 2 s + 0.1 s × 20 pages
    assert build["passed"]
    tests = results["test run, s"]
    assert tests["limit"] == 2.5  # 1.5 × floor 1 s + start-up 1 s
    assert not tests["passed"]  # 3 s
    weight = results["first load of core/engines.html, HTML/CSS/JS/fonts gzipped bytes"]
    assert weight["limit"] == BUDGET_GZIPPED_BYTES and weight["passed"]


def test_budgets_missed():
    results = budgets(report(build_s=4.01, test_s=2.5, weight=BUDGET_GZIPPED_BYTES + 1))
    assert [b["passed"] for b in results] == [False, True, False]


def test_markdown_table():
    data = report()
    data["budgets"] = budgets(data)
    table = markdown(data)
    assert table.startswith("# Benchmark 2026-01-02 (abc1234)\n")
    assert "| Clean build, warm notebook cache | 4.00 s (median 4.00; CPU 4.00 s) |" in table
    assert "| … per page | 0.200 s |" in table
    assert "| Clean build, cold notebook cache (1 run) | not measured |" in table
    assert "| Test run ÷ floor | 3.0 |" in table
    # (1.5 s - 0.5 s) / 20 pages for the floor, (4 s - 2 s) / 20 pages for the book
    assert "| … per page beyond its start-up | 0.050 s |" in table
    assert "| Clean build per page beyond start-up (warm notebook cache) | 0.100 s |" in table
    assert (
        "| test run, s | 3.00 | 2.50 (1.5 × floor 1.00 s + pytest start-up 1.00 s) | **fail** |"
    ) in table
    assert (
        "| first load of core/engines.html, HTML/CSS/JS/fonts gzipped bytes | 90,000 "
        "| 150,000 (the site's budget) | pass |"
    ) in table
