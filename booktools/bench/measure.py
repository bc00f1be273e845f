"""The book's own costs on this machine, against its budgets: ``nox -s bench``.

    python -m booktools.bench [--repeat 3] [--no-cold] [--no-browser] [--no-lighthouse]
    python -m booktools.bench --site docs/_build/html   # the site's measures only

measures, in one run, and writes ``bench/history/<date>-<commit>.json`` and
``bench/latest.md`` (see bench/README.md for how to read them):

* **build**: a clean build of the whole book (fresh output directory; the executed notebook
  page from its jupyter-cache, "warm"; and once with an empty cache, "cold"), with the
  flags of ``nox -s docs``; Sphinx's start-up, a build of a two-page project with the book's
  configuration; the build floor, the same pages with Sphinx, MyST and sphinx-design alone;
* **save to rebuilt page**: an incremental ``sphinx-build`` after one page's modification
  time changes, and ``nox -s live``'s sphinx-autobuild serving the site: a paragraph added
  to the page, the time until the served page shows it;
* **tests**: ``pytest docs -q``, the examples it verified, and pytest's start-up (a run
  that selects a page without examples: interpreter, plugins, the harness, SQLAlchemy);
* **floor**: the same snippets run with no test machinery, page by page in fresh
  namespaces, as a reader's interpreter runs them (see :func:`floor`);
* **site**: the first load of the landing page, three chapters and the cheat sheet (the
  heaviest page) in Chromium, against the site's weight budget, and the search index;
* **run in the browser**: on a chapter, the time from the first click on Run to the first
  result shown (cold: Pyodide, SQLAlchemy and the page's earlier blocks), and a re-run of a
  typical block (the same block again, which replays the blocks before it);
* **lighthouse**: Lighthouse (npm, pinned in package.json) on every page, mobile preset,
  headless, in one Chrome, against the site served on loopback: each page's four category
  scores against item 2's thresholds, the audits that lost points, and the performance
  metrics and diagnostics (see :func:`measure_lighthouse`);
* **memory**: the peak resident set of each process tree (``wait4``).

Timed steps run ``--repeat`` times and report the minimum and the median. Each time budget
is a ratio to a floor measured in the same run, minima against minima (the least noisy
estimate of a cost on a shared machine), so that the load of the machine cancels out; the
first load has absolute limits. The benchmark reports and never fails on a missed budget:
tests never assert timings.
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import http.client
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from booktools.site.server import BUDGET_GZIPPED_BYTES, BUDGET_REQUESTS, site_pages

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
BENCH = ROOT / "bench"
#: The flags of the book's build; noxfile.py builds with these too.
SPHINX_OPTIONS = ["-W", "--keep-going", "-n", "-b", "html"]
#: ``nox -s live``'s sphinx-autobuild, on the loopback interface only, without -W (an edited
#: page has no green test run yet) and without the search index, which would be most of
#: each rebuild (every page indexed again); the session adds its port.
LIVE_OPTIONS = ["-n", "-D", "book_search_index=0", "--host", "127.0.0.1"]
PARALLEL = ["-j", "auto"]  # measured too: every extension declares itself parallel-safe
CHAPTERS = ["core/engines.html", "orm/session.html", "orm/loading.html"]
#: The pages whose first load is weighed: the landing page, three chapters, and the heaviest
#: page (the cheat sheet). The browser tests weigh every page.
FIRST_LOAD_PAGES = ["index.html", *CHAPTERS, "reference/cheat-sheet.html"]
TOUCHED = "core/engines.md"  # the page whose change the incremental rebuild measures
#: Budgets: a clean build's cost per page beyond its start-up, at most this many times the
#: build floor's; the test run less pytest's start-up, at most this many times the floor.
BUILD_FACTOR = 1.5
#: The build floor's configuration: what any Sphinx book of these pages pays, whatever its
#: theme and extensions (the directives and roles it lacks only warn, and cost less).
FLOOR_CONF = """\
extensions = ["myst_parser", "sphinx_design"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
exclude_patterns = ["_build"]
html_theme = "basic"
"""
TEST_FACTOR = 1.5
#: Budgets of a page's first load (issue 26, item 1): everything it fetches, gzipped, and
#: its requests; the site's own, which the browser tests enforce on every page.
FIRST_LOAD_GZIPPED_BYTES = BUDGET_GZIPPED_BYTES
FIRST_LOAD_REQUESTS = BUDGET_REQUESTS
#: Running a page's examples in the browser (issue 25): the chapter and the targets.
RUN_CHAPTER = "orm/session"
RUN_COLD_SECONDS = 5.0
RUN_AGAIN_MILLISECONDS = 200.0
#: Lighthouse's mobile scores every page must reach: performance at least 98, the other
#: three categories 100 (issue 26, item 2).
LIGHTHOUSE_THRESHOLDS = {"performance": 98, "accessibility": 100, "best-practices": 100, "seo": 100}
LIGHTHOUSE_SCRIPT = Path(__file__).with_name("lighthouse.mjs")
LIGHTHOUSE_TIMEOUT = 120  # seconds per page, at most
LIVE_TIMEOUT = 600  # seconds: the first build of sphinx-autobuild, then each rebuild
MB = 1024 * 1024


# --- Measuring ----------------------------------------------------------------------------


def run(args: list[str], ok: tuple[int, ...] = (0,), **kwargs: Any) -> dict[str, float]:
    """Run ``args``; its wall time, CPU time (user + system) and peak RSS of its process tree."""
    with tempfile.TemporaryFile() as output:
        start = time.perf_counter()
        process = subprocess.Popen(args, stdout=output, stderr=subprocess.STDOUT, **kwargs)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode not in ok:
            output.seek(0)
            tail = output.read().decode(errors="replace")[-3000:]
            raise RuntimeError(f"{' '.join(args)} exited with {process.returncode}:\n{tail}")
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "max_rss_mb": usage.ru_maxrss * 1024 / MB,  # Linux reports kilobytes
    }


def summary(runs: list[dict[str, float]]) -> dict[str, Any]:
    """Minimum and median of each measure of repeated runs, and the runs' wall times."""
    keys = runs[0].keys()
    result: dict[str, Any] = {"runs": [round(r["wall"], 3) for r in runs]}
    for key in keys:
        values = [r[key] for r in runs]
        result[key] = round(min(values), 3) if key != "max_rss_mb" else round(max(values), 1)
        if key != "max_rss_mb":
            result[f"{key}_median"] = round(statistics.median(values), 3)
    return result


def sphinx(
    source: Path, out: Path, *extra: str, options: list[str] = SPHINX_OPTIONS
) -> dict[str, float]:
    python = sys.executable
    return run([python, "-m", "sphinx", *options, "-q", *extra, str(source), str(out)])


def docnames(site: Path) -> list[str]:
    """The pages a build wrote, from its search index."""
    from booktools.sphinxext.inventory import search_index

    return search_index((site / "searchindex.js").read_text(encoding="utf-8"))["docnames"]


def measure_build(work: Path, repeat: int, cold: bool) -> tuple[dict[str, Any], Path]:
    """Clean builds, Sphinx's start-up, incremental rebuilds; returns a built site too."""
    empty = work / "empty"
    empty.mkdir()
    (empty / "index.md").write_text("# Start-up\n\n```{toctree}\npage\n```\n")
    (empty / "page.md").write_text("# Page\n\nA page.\n")
    startup = [sphinx(empty, work / f"empty-{i}", "-c", str(DOCS)) for i in range(repeat)]
    clean, parallel = [], []
    for i in range(repeat):  # alternately, so that both see the same load
        clean.append(sphinx(DOCS, work / f"html-{i}"))
        parallel.append(sphinx(DOCS, work / f"html-parallel-{i}", *PARALLEL))
    site = work / f"html-{repeat - 1}"
    conf = work / "floor-conf"
    conf.mkdir()
    (conf / "conf.py").write_text(FLOOR_CONF)
    floor_options = ["-b", "html"]  # no -W: the book's own directives and roles are unknown
    floor_startup, floor_build = [], []
    for i in range(repeat):
        floor_startup.append(
            sphinx(empty, work / f"floor-empty-{i}", "-c", str(conf), options=floor_options)
        )
        floor_build.append(
            sphinx(DOCS, work / f"floor-{i}", "-c", str(conf), options=floor_options)
        )
    result: dict[str, Any] = {
        "pages": len(docnames(site)),
        "startup": summary(startup),
        "clean_warm": summary(clean),
        "clean_warm_parallel": summary(parallel),
        "floor": {"startup": summary(floor_startup), "build": summary(floor_build)},
    }
    page = DOCS / TOUCHED
    stat = page.stat()
    incremental = []
    try:
        for _ in range(repeat):
            os.utime(page)  # now: newer than the build, so Sphinx reads the page again
            incremental.append(sphinx(DOCS, site))
    finally:
        os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    result["incremental"] = summary(incremental)
    if cold:  # the notebook page executes: an empty cache of its own, not the real one
        cache = work / "jupyter-cache"
        option = f"nb_execution_cache_path={cache}"
        result["clean_cold"] = summary([sphinx(DOCS, work / "html-cold", "-D", option)])
    return result, site


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _served(url: str) -> str | None:
    """The page at ``url``, or None while the server cannot give it whole (sphinx-autobuild
    rewrites the page as it serves it: a read can end short, ``IncompleteRead``)."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode()
    except (OSError, http.client.HTTPException):
        return None


def _until(condition: Any, process: subprocess.Popen, what: str) -> float:
    """Poll ``condition`` every 50 ms; the seconds it took, bounded by LIVE_TIMEOUT."""
    start = time.perf_counter()
    while not condition():
        if process.poll() is not None:
            raise RuntimeError(f"sphinx-autobuild exited with {process.returncode} {what}")
        if time.perf_counter() - start > LIVE_TIMEOUT:
            raise RuntimeError(f"sphinx-autobuild: no {what} within {LIVE_TIMEOUT} s")
        time.sleep(0.05)
    return time.perf_counter() - start


def measure_live(site: Path, repeat: int) -> dict[str, Any]:
    """``nox -s live``: the time from saving a page to sphinx-autobuild serving it rebuilt.

    sphinx-autobuild serves ``site`` (already built, so its first build is incremental) on a
    free loopback port; a paragraph is added to TOUCHED, and the served page is polled until
    it shows it. The page's text and modification time are restored afterwards, and the
    server stops once it serves the page without the paragraph again."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}/{TOUCHED.removesuffix('.md')}.html"
    page = DOCS / TOUCHED
    text, stat = page.read_text(encoding="utf-8"), page.stat()
    args = [sys.executable, "-m", "sphinx_autobuild", *LIVE_OPTIONS, "--port", str(port)]
    runs = []
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(
            [*args, str(DOCS), str(site)], stdout=output, stderr=subprocess.STDOUT, cwd=ROOT
        )
        try:
            _until(lambda: _served(url) is not None, process, "page served")
            for i in range(repeat):
                marker = f"Benchmark paragraph {i} {time.time_ns()}."
                page.write_text(f"{text}\n{marker}\n", encoding="utf-8")
                shown = lambda m=marker: m in (_served(url) or "")
                runs.append({"wall": _until(shown, process, "rebuilt page")})
                page.write_text(text, encoding="utf-8")
                _until(lambda m=marker: m not in (_served(url) or ""), process, "restored page")
        finally:
            page.write_text(text, encoding="utf-8")
            os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns))
            process.terminate()
            process.wait(timeout=30)
    return summary(runs)


def measure_tests(repeat: int) -> dict[str, Any]:
    python = sys.executable
    runs = [run([python, "-m", "pytest", "docs", "-q"], cwd=ROOT) for _ in range(repeat)]
    # a page with no examples: everything a run pays before its first example
    startup = [
        run([python, "-m", "pytest", "-q", "docs/index.md"], ok=(0, 5), cwd=ROOT)
        for _ in range(repeat)
    ]
    from booktools.verify.backend import current_run

    series = current_run().series
    record = json.loads((ROOT / "build" / "verification" / f"sqlite-{series}.json").read_text())
    wall = summary(runs)
    return {
        "run": wall,
        "startup": summary(startup),
        "examples": record["passed"],
        "skipped": record["skipped"],
        "examples_per_second": round(record["passed"] / wall["wall"], 1),
    }


def floor(result_file: str) -> None:
    """Run every page's snippets with no test machinery; write the time to ``result_file``.

    Each page runs top to bottom in a fresh namespace, as pasted into a fresh interpreter:
    a ``pycon`` input compiled as the prompt does (its value printed), a ``python`` block
    as a whole, invisible set-up included, only the snippets a run on SQLite with this
    SQLAlchemy series runs; an exception is caught and the page goes on. Printed values and
    the SQL log of ``echo=True`` engines go to stdout, which the caller sends to /dev/null.
    Parsing the pages and importing SQLAlchemy happen before the clock starts (pytest's
    start-up imports it too).
    """
    import sqlalchemy.orm  # noqa: F401 - imported before the clock, as pytest's start-up does

    from booktools.pages import book_pages, read_page
    from booktools.verify.backend import current_run, end_session

    series = current_run().series
    pages = [
        (page, [s for s in read_page(page).snippets() if s.runs_on("sqlite", series)])
        for page in book_pages()
    ]
    count = unexpected = 0
    start, cpu = time.perf_counter(), time.process_time()
    for page, snippets in pages:
        namespace: dict[str, Any] = {"__name__": "__main__"}
        for snippet in snippets:
            count += 1
            try:
                try:  # as the prompt runs it, printing an expression's value
                    code = compile(snippet.source, str(page), "single", dont_inherit=True)
                except SyntaxError:  # a python block of several statements
                    code = compile(snippet.source, str(page), "exec", dont_inherit=True)
                exec(code, namespace)  # noqa: S102 - the page's own code
            except Exception:  # noqa: BLE001 - pages show exceptions on purpose
                unexpected += not snippet.raises
        end_session(namespace)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    result = {"seconds": elapsed, "cpu": cpu, "snippets": count, "unexpected_errors": unexpected}
    Path(result_file).write_text(json.dumps(result))


def measure_floor(work: Path, repeat: int) -> dict[str, Any]:
    runs, last = [], {}
    for i in range(repeat):
        out = work / f"floor-{i}.json"
        process = run(
            [sys.executable, "-m", "booktools.bench", "--floor", str(out)],
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
        )
        last = json.loads(out.read_text())
        runs.append({"wall": last["seconds"], "cpu": last["cpu"], "process_wall": process["wall"]})
    return {
        "exec": summary(runs),
        "snippets": last["snippets"],
        "unexpected_errors": last["unexpected_errors"],
    }


def measure_site(site: Path, repeat: int = 3) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    from booktools.site.server import (
        CHROMIUM,
        CHROMIUM_ARGS,
        first_load,
        served,
    )

    index = (site / "searchindex.js").read_bytes()
    result: dict[str, Any] = {
        "budget_gzipped_bytes": BUDGET_GZIPPED_BYTES,
        "searchindex": {"raw_bytes": len(index), "gzipped_bytes": len(gzip.compress(index, 6))},
        "first_load": {},
    }
    with served(site) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for chapter in FIRST_LOAD_PAGES:
            context = browser.new_context()
            load = first_load(context, url + chapter)
            context.close()
            result["first_load"][chapter] = {
                "requests": load.requests,
                "raw_bytes": load.raw_bytes,
                "gzipped_bytes": load.gzipped_bytes,
                "budgeted_gzipped_bytes": load.budgeted_gzipped_bytes,
            }
        result["search"] = measure_search(browser, url, site)
        result["run"] = measure_run(browser, url, site, repeat)
        browser.close()
    return result


# In the page: click Run under a block; the milliseconds until its result (or failure) shows.
_TIME_TO_RESULT = """index => new Promise(resolve => {
    const bar = document.querySelector(`.run-bar[data-run-block="${index}"]`);
    const start = performance.now();
    const observer = new MutationObserver(() => {
        const output = bar.nextElementSibling;
        const done = output && output.classList.contains('run-output')
            && output.querySelector('.run-verdict, .run-failed');
        if (done) {
            observer.disconnect();
            resolve([performance.now() - start, done.textContent]);
        }
    });
    observer.observe(bar.parentElement, {childList: true, subtree: true});
    bar.querySelector('[data-run="run"]').click();
})"""


def measure_run(browser: Any, url: str, site: Path, repeat: int) -> dict[str, Any]:
    """Running a chapter's examples in the browser: the first click on Run to the first result,
    cold (a fresh browser context each time: Pyodide, the wheels and SQLAlchemy loaded,
    the blocks before it run), and the same block run again, ``repeat`` times each."""
    program = json.loads((site / "_static" / "run" / f"{RUN_CHAPTER}.json").read_text())
    # a typical block: the first shown one that runs and shows SQL
    index = next(
        b["index"]
        for b in program["blocks"]
        if b["shown"] and b["runnable"]
        and any(k == "sql" for s in b["steps"] for k, _ in s["expected"] or [])
    )
    cold, again, verdicts = [], [], set()
    for _ in range(repeat):
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{url}{RUN_CHAPTER}.html", wait_until="networkidle")
        milliseconds, verdict = page.evaluate(_TIME_TO_RESULT, index)
        cold.append(milliseconds / 1000)
        verdicts.add(verdict)
        for _ in range(repeat):
            milliseconds, verdict = page.evaluate(_TIME_TO_RESULT, index)
            again.append(milliseconds)
            verdicts.add(verdict)
        context.close()
    return {
        "chapter": RUN_CHAPTER,
        "block": index,
        "verdicts": sorted(verdicts),
        "cold_seconds": summary([{"wall": round(t, 3)} for t in cold]),
        "again_milliseconds": summary([{"wall": round(t, 1)} for t in again]),
    }


def measure_lighthouse(
    site: Path, pages: list[str] | None = None, categories: list[str] | None = None
) -> dict[str, Any]:
    """Lighthouse on every page of ``site``, served by :func:`served` on 127.0.0.1.

    Lighthouse's defaults, the mobile preset: a phone's screen and simulated throttling
    (slow 4G, a 4x slower CPU); Chrome headless, with the browser tests' flags, which
    resolve no host but loopback. The pages run one after another in one Chrome
    (booktools/bench/lighthouse.mjs): one page at a time, so that they do not share the CPU
    and skew each other's timings, and one Chrome start-up for the whole site. ``pages``
    and ``categories`` narrow the run (the browser tests check three pages' accessibility,
    best practices and SEO).

    A page whose Lighthouse run throws does not stop the others: its result has ``error``,
    the exception's message, and no scores (``error`` is None for the pages measured);
    ``failed`` lists those pages, which :func:`lighthouse_verdicts` counts as below the
    thresholds. Lighthouse itself failing (Chrome does not start, the script stops before
    the last page) raises :exc:`RuntimeError` with its error output.
    """
    from booktools.site.server import CHROMIUM, CHROMIUM_ARGS, served

    pages = pages or site_pages(site)
    with served(site) as url:
        request = {
            "chromePath": CHROMIUM,
            # As Playwright starts it for the browser tests: without the setuid sandbox,
            # which a root user (a CI container) cannot have.
            "chromeFlags": [*CHROMIUM_ARGS, "--no-sandbox"],
            "urls": [url + page for page in pages],
            "categories": categories,  # None: all four
        }
        start = time.perf_counter()
        results = {}
        with tempfile.TemporaryFile("w+") as errors:
            with subprocess.Popen(
                ["node", str(LIGHTHOUSE_SCRIPT)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=errors,
                text=True,
                cwd=ROOT,
            ) as process:
                process.stdin.write(json.dumps(request))
                process.stdin.close()
                for page, line in zip(pages, process.stdout, strict=False):  # a line per page
                    result = results[page] = json.loads(line)
                    result.pop("url")
                    took = result["seconds"]
                    if result.get("error"):
                        print(f"  {page}: FAILED in {took:.0f} s: {result['error']}", flush=True)
                    else:
                        print(f"  {page}: {result['scores']} in {took:.0f} s", flush=True)
            failed = [page for page, result in results.items() if result.get("error")]
            # The script exits with 1 when a page failed, and only then.
            if len(results) != len(pages) or bool(process.returncode) != bool(failed):
                errors.seek(0)
                raise RuntimeError(
                    f"Lighthouse exited with {process.returncode} after {len(results)} of "
                    f"{len(pages)} pages:\n{errors.read()[-3000:]}"
                )
        seconds = time.perf_counter() - start
    if failed:
        print(f"  Lighthouse failed on {len(failed)} of {len(pages)} pages: {failed}", flush=True)
    version = json.loads((ROOT / "node_modules/lighthouse/package.json").read_text())["version"]
    return {"version": version, "seconds": round(seconds, 1), "pages": results, "failed": failed}


def lighthouse_verdicts(lighthouse: dict[str, Any]) -> dict[str, list[str]]:
    """Per page, the categories below their threshold (empty when the page passes)."""
    return {
        page: [
            category
            for category, threshold in LIGHTHOUSE_THRESHOLDS.items()
            if not result.get("error") and (result["scores"].get(category) or 0) < threshold
        ]
        + (["Lighthouse failed"] if result.get("error") else [])
        + (["runtime error"] if result.get("runtimeError") else [])
        for page, result in lighthouse["pages"].items()
    }


#: Queries as readers type them: an API name, two words, a pasted error message.
SEARCH_QUERIES = [
    "selectinload",
    "expire on commit",
    (
        "sqlalchemy.exc.PendingRollbackError: This Session's transaction has been rolled back "
        "due to a previous exception during flush. (Background on this error at: "
        "https://sqlalche.me/e/20/7s2a)"
    ),
]

# In the page: the time from the input event to the first results shown, in milliseconds.
_TIME_TO_RESULTS = """query => new Promise(resolve => {
    const input = document.querySelector('#pst-search-dialog input[name=q]');
    const status = document.querySelector('#pst-search-dialog .book-search-status');
    const start = performance.now();
    new MutationObserver((_, observer) => {
        if (status.textContent.includes(' for ')) {
            observer.disconnect();
            resolve(performance.now() - start);
        }
    }).observe(status, {childList: true, characterData: true, subtree: true});
    input.value = query;
    input.dispatchEvent(new Event('input'));
})"""


def measure_search(browser: Any, url: str, site: Path) -> dict[str, Any]:
    """The search index's size; per query, what it fetches and how long until results show.

    Each query runs in a fresh browser context, so the first one pays for loading Pagefind
    (its script and WebAssembly) and the others show what a further query costs."""
    bundle = [p for p in (site / "_pagefind").rglob("*") if p.is_file()]
    result: dict[str, Any] = {
        "index_files": len(bundle),
        "index_raw_bytes": sum(p.stat().st_size for p in bundle),
        "queries": {},
    }
    context = browser.new_context()
    page = context.new_page()
    fetched: list[Any] = []
    page.on("requestfinished", lambda request: fetched.append(request))
    page.goto(url + CHAPTERS[0])
    page.keyboard.press("Control+k")
    # book-search.js makes the results' status line when it attaches to the opened dialog
    page.locator("#pst-search-dialog .book-search-status").wait_for(state="attached")
    for query in SEARCH_QUERIES:
        fetched.clear()
        milliseconds = page.evaluate(_TIME_TO_RESULTS, query)
        bundle_requests = [r for r in fetched if "/_pagefind/" in r.url]
        result["queries"][query[:40]] = {
            "milliseconds": round(milliseconds, 1),
            "requests": len(bundle_requests),
            "bytes": sum(r.sizes()["responseBodySize"] for r in bundle_requests),
        }
    context.close()
    return result


def machine() -> dict[str, Any]:
    from importlib.metadata import version

    return {
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "platform": platform.platform(),
        "python": platform.python_version(),
        "sphinx": version("sphinx"),
        "sqlalchemy": version("sqlalchemy"),
    }


def commit() -> str:
    """The short commit, or "worktree" when the sources differ from it."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()

    dirty = git("status", "--porcelain", "--", ".", ":(exclude)bench")
    return "worktree" if dirty else git("rev-parse", "--short", "HEAD") or "unknown"


# --- Reporting (pure) ---------------------------------------------------------------------


def budgets(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Each budget with its measured value, its limit and whether the value is within it."""
    result = []

    def check(name: str, measured: float, limit: float, how: str) -> None:
        result.append(
            {
                "name": name,
                "measured": measured,
                "limit": round(limit, 3),
                "how": how,
                "passed": measured <= limit,
            }
        )

    build = report.get("build")
    if build and build.get("floor"):
        pages = build["pages"]
        floor_page = _per_page(build["floor"]["build"], build["floor"]["startup"], pages)
        how = f"× the build floor's {floor_page * 1000:.1f} ms per page"
        for key, name in [("clean_warm", ""), ("clean_warm_parallel", " with `-j auto`")]:
            if key in build:
                book_page = _per_page(build[key], build["startup"], pages)
                ratio = round(book_page / floor_page, 2)
                check(f"clean build{name}, per page beyond start-up", ratio, BUILD_FACTOR, how)
    tests, floor_ = report.get("tests"), report.get("floor")
    if tests and floor_:
        exec_s, startup = floor_["exec"]["wall"], tests["startup"]["wall"]
        ratio = round((tests["run"]["wall"] - startup) / exec_s, 2)
        how = f"× the floor's {exec_s:.2f} s"
        check("test run less pytest's start-up", ratio, TEST_FACTOR, how)
    site = report.get("site")
    if site:
        for chapter, load in site["first_load"].items():
            how = "everything fetched"
            check(
                f"first load of {chapter}, gzipped bytes",
                load["gzipped_bytes"],
                FIRST_LOAD_GZIPPED_BYTES,
                how,
            )
            check(f"first load of {chapter}, requests", load["requests"], FIRST_LOAD_REQUESTS, how)
        run = site.get("run")
        if run:
            page = f"{run['chapter']}.html, block {run['block']}"
            check(
                f"run in the browser, first click to first result (cold), {page}, seconds",
                run["cold_seconds"]["wall"], RUN_COLD_SECONDS, "the issue's target",
            )
            check(
                f"run in the browser, a block run again, {page}, milliseconds",
                run["again_milliseconds"]["wall"], RUN_AGAIN_MILLISECONDS, "the issue's target",
            )
    lighthouse = report.get("lighthouse")
    if lighthouse:
        failing = [page for page, missed in lighthouse_verdicts(lighthouse).items() if missed]
        how = "pages; performance ≥ 98, accessibility, best practices and SEO 100"
        check("Lighthouse mobile: pages below the thresholds", len(failing), 0, how)
    return result


def _per_page(build: dict[str, Any], startup: dict[str, Any], pages: int) -> float:
    return (build["wall"] - startup["wall"]) / pages


def _seconds(stats: dict[str, Any] | None) -> str:
    if not stats:
        return "not measured"
    cpu = f"; CPU {stats['cpu']:.2f} s" if "cpu" in stats else ""
    return f"{stats['wall']:.2f} s (median {stats['wall_median']:.2f}{cpu})"


def markdown(report: dict[str, Any]) -> str:
    """The report as a Markdown table of measures and one of budgets."""
    m = report["machine"]
    lines = [
        f"# Benchmark {report['date']} ({report['commit']})",
        "",
        (
            f"{m['cpus']} CPUs, load average {' '.join(map(str, m['load_average_start']))} at "
            f"start and {' '.join(map(str, m['load_average_end']))} at the end; Python "
            f"{m['python']}, Sphinx {m['sphinx']}, SQLAlchemy {m['sqlalchemy']}. Times are the "
            f"minimum of {report['repeat']} runs, with their median."
        ),
        "",
        "| Measure | Value |",
        "| --- | --- |",
    ]

    def row(name: str, value: object) -> None:
        lines.append(f"| {name} | {value} |")

    build = report.get("build")
    if build:
        per_page = build["clean_warm"]["wall"] / build["pages"]
        row("Pages built", build["pages"])
        row("Clean build, warm notebook cache", _seconds(build["clean_warm"]))
        row("… per page", f"{per_page:.3f} s")
        if "clean_warm_parallel" in build:
            row("Clean build, warm cache, `-j auto`", _seconds(build["clean_warm_parallel"]))
        row("Clean build, cold notebook cache (1 run)", _seconds(build.get("clean_cold")))
        row("Sphinx start-up (two-page project, same configuration)", _seconds(build["startup"]))
        row(
            f"Save to rebuilt page: incremental `sphinx-build` after touching {TOUCHED}",
            _seconds(build["incremental"]),
        )
        if "live" in build:
            row(
                f"Save to rebuilt page in `nox -s live`: a paragraph added to {TOUCHED}, "
                "until sphinx-autobuild serves it",
                _seconds(build["live"]),
            )
        row("Peak memory of the build", f"{build['clean_warm']['max_rss_mb']:.0f} MB")
        build_floor = build.get("floor")
        if build_floor:
            row(
                "Build floor: the same pages with Sphinx, MyST and sphinx-design alone",
                _seconds(build_floor["build"]),
            )
            row("… its start-up (the two-page project)", _seconds(build_floor["startup"]))
            row(
                "… per page beyond its start-up",
                f"{_per_page(build_floor['build'], build_floor['startup'], build['pages']):.3f} s",
            )
            row(
                "Clean build per page beyond start-up (warm notebook cache)",
                f"{_per_page(build['clean_warm'], build['startup'], build['pages']):.3f} s",
            )
    tests, floor_ = report.get("tests"), report.get("floor")
    if tests:
        row("Test run, `pytest docs -q`", _seconds(tests["run"]))
        row("Verified examples (skipped)", f"{tests['examples']} ({tests['skipped']})")
        row("Examples per second", tests["examples_per_second"])
        row("pytest start-up (a page without examples)", _seconds(tests["startup"]))
        row("Peak memory of the test run", f"{tests['run']['max_rss_mb']:.0f} MB")
    if floor_:
        row("Floor: the snippets with no test machinery", _seconds(floor_["exec"]))
        row(
            "… snippets run (unexpected errors)",
            f"{floor_['snippets']} ({floor_['unexpected_errors']})",
        )
    if tests and floor_:
        row("Test run ÷ floor", f"{tests['run']['wall'] / floor_['exec']['wall']:.1f}")
    site = report.get("site")
    if site:
        for chapter, load in site["first_load"].items():
            row(
                f"First load of {chapter}",
                f"{load['requests']} requests, {load['raw_bytes']:,} B raw, "
                f"{load['gzipped_bytes']:,} B gzipped; HTML/CSS/JS/fonts "
                f"{load['budgeted_gzipped_bytes']:,} B gzipped",
            )
        index = site["searchindex"]
        row(
            "Sphinx's search index (built, no longer loaded)",
            f"{index['raw_bytes']:,} B raw, {index['gzipped_bytes']:,} B gzipped",
        )
        search = site.get("search")
        if search:
            row(
                "Search index (Pagefind)",
                f"{search['index_files']} files, {search['index_raw_bytes']:,} B",
            )
            for query, cost in search["queries"].items():
                row(
                    f"Search for `{query}`",
                    f"{cost['milliseconds']:.0f} ms from input to results; "
                    f"{cost['requests']} requests, {cost['bytes']:,} B fetched",
                )
        run = site.get("run")
        if run:
            cold, again = run["cold_seconds"], run["again_milliseconds"]
            where = f"{run['chapter']}.html, block {run['block']}"
            row(
                f"Run in the browser ({where}): first click to first result, cold",
                f"{cold['wall']:.2f} s (median {cold['wall_median']:.2f})",
            )
            row(
                "… the same block run again",
                f"{again['wall']:.0f} ms (median {again['wall_median']:.0f})",
            )
            row("… what the runs said", "; ".join(run["verdicts"]))
    lighthouse = report.get("lighthouse")
    if lighthouse:
        row(
            f"Lighthouse {lighthouse['version']}, mobile, {len(lighthouse['pages'])} pages",
            f"{lighthouse['seconds']:.0f} s in one Chrome",
        )
    lines += ["", "| Budget | Measured | Limit | Result |", "| --- | --- | --- | --- |"]
    for b in report["budgets"]:
        value = (
            f"{b['measured']:,.2f}" if isinstance(b["measured"], float) else f"{b['measured']:,}"
        )
        limit = f"{b['limit']:,}" if isinstance(b["limit"], int) else f"{b['limit']:,.2f}"
        verdict = "pass" if b["passed"] else "**fail**"
        lines.append(f"| {b['name']} | {value} | {limit} ({b['how']}) | {verdict} |")
    if lighthouse:
        lines += lighthouse_markdown(lighthouse)
    return "\n".join(lines) + "\n"


_METRICS = {
    "first-contentful-paint": "FCP",
    "largest-contentful-paint": "LCP",
    "total-blocking-time": "TBT",
    "cumulative-layout-shift": "CLS",
    "speed-index": "SI",
}


def lighthouse_markdown(lighthouse: dict[str, Any]) -> list[str]:
    """Lighthouse's scores per page with its verdict and the audits that lost points; then
    the performance metrics and the diagnostics behind them."""
    categories = list(LIGHTHOUSE_THRESHOLDS)
    failed = [page for page, result in lighthouse["pages"].items() if result.get("error")]
    lines = [
        "",
        f"Lighthouse {lighthouse['version']}, mobile preset (simulated throttling), "
        f"{len(lighthouse['pages'])} pages in {lighthouse['seconds']:.0f} s"
        + (f", {len(failed)} failed ({', '.join(failed)})" if failed else "")
        + ". Thresholds: "
        + ", ".join(f"{c} {t}" for c, t in LIGHTHOUSE_THRESHOLDS.items())
        + ".",
        "",
        "| Page | Performance | Accessibility | Best practices | SEO | Result | Audits that lost points |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    verdicts = lighthouse_verdicts(lighthouse)
    for page, result in lighthouse["pages"].items():
        scores = [str(result["scores"].get(c, "–")) for c in categories]
        missed = verdicts[page]
        audits = [
            f"{c}: {a['id']}" + (f" ({a['value']})" if a["value"] else "")
            for c in missed
            if c in result["failing"]
            for a in result["failing"][c]
        ]
        if result.get("runtimeError"):
            audits.insert(0, f"runtime error: {result['runtimeError']}")
        if result.get("error"):
            message = " ".join(result["error"].split()).replace("|", "\\|")
            audits.insert(0, f"Lighthouse failed: {message}")
        verdict = "**fail**: " + ", ".join(missed) if missed else "pass"
        lines.append(f"| {page} | {' | '.join(scores)} | {verdict} | {'; '.join(audits)} |")
    lines += [
        "",
        "| Page | " + " | ".join(_METRICS.values()) + " | Performance diagnostics |",
        "| --- | " + " | ".join("---" for _ in _METRICS) + " | --- |",
    ]
    for page, result in lighthouse["pages"].items():
        metrics = [result["metrics"].get(m, {}).get("shown", "–") for m in _METRICS]
        diagnostics = "; ".join(
            d["id"] + (f" ({d['value']})" if d["value"] else "") for d in result["diagnostics"]
        )
        lines.append(f"| {page} | {' | '.join(metrics)} | {diagnostics} |")
    return lines


# --- Command line -------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each timed step")
    parser.add_argument("--no-cold", action="store_true", help="skip the cold-cache build")
    parser.add_argument("--no-browser", action="store_true", help="skip the first loads")
    parser.add_argument(
        "--no-lighthouse", action="store_true", help="skip Lighthouse on every page"
    )
    parser.add_argument(
        "--site",
        type=Path,
        metavar="DIR",
        help="measure only the site (first loads, search, Lighthouse) of this built site",
    )
    parser.add_argument("--out", type=Path, default=BENCH, help="where to write the report")
    parser.add_argument("--floor", metavar="FILE", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.floor:
        floor(args.floor)
        return 0
    report: dict[str, Any] = {
        "date": datetime.date.today().isoformat(),
        "commit": commit(),
        "repeat": args.repeat,
        "machine": machine(),
    }
    report["machine"]["load_average_start"] = report["machine"].pop("load_average")
    with tempfile.TemporaryDirectory(prefix="book-bench-") as tmp:
        if args.site:
            site = args.site.resolve()
        else:
            site = measure_all(report, Path(tmp), args)
        if not args.no_browser:
            print("site ...", flush=True)
            report["site"] = measure_site(site, args.repeat)
        if not args.no_lighthouse:
            print("lighthouse ...", flush=True)
            report["lighthouse"] = measure_lighthouse(site)
    report["machine"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    report["budgets"] = budgets(report)
    history = args.out / "history"
    history.mkdir(parents=True, exist_ok=True)
    name = f"{report['date']}-{report['commit']}"
    (history / f"{name}.json").write_text(json.dumps(report, indent=2) + "\n")
    table = markdown(report)
    (args.out / "latest.md").write_text(table)
    print(table)
    return 0


def measure_all(report: dict[str, Any], work: Path, args: argparse.Namespace) -> Path:
    """The tests, the floor and the builds, into ``report``; returns the built site."""
    print("tests ...", flush=True)  # first: the build needs the verification record
    report["tests"] = measure_tests(args.repeat)
    print("floor ...", flush=True)
    report["floor"] = measure_floor(work, args.repeat)
    print("build ...", flush=True)
    report["build"], site = measure_build(work, args.repeat, cold=not args.no_cold)
    print("live ...", flush=True)
    report["build"]["live"] = measure_live(site, args.repeat)
    return site
