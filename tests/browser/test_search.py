"""Search as readers use it: typed or pasted into the search dialog, on the built site.

The queries, and the page that answers each, are in ``search_queries.toml``; every one must
have its answer among the first three results. The shares in the first result and in the
first three are reported at the end of the run (see ``conftest.py``).
"""

from __future__ import annotations

import html
import os
import re
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import pytest

if not os.environ.get("BOOK_SITE"):
    pytest.skip(
        "browser tests run in `nox -s browser`, which builds the site and sets BOOK_SITE",
        allow_module_level=True,
    )

QUERIES = tomllib.loads((Path(__file__).with_name("search_queries.toml")).read_text())["query"]
TOP = 3

# Each result of the dialog: the page's title link (to its best section) and its section links.
_RESULTS = """() => [...document.querySelectorAll('#pst-search-dialog .book-search-result')]
    .map(r => [...r.querySelectorAll('a')].map(a => a.href))"""


def search(page, base_url: str, query: dict) -> list[list[str]]:
    """Open the search dialog with Ctrl+K, type or paste the query, return the results."""
    page.goto(base_url + "index.html")
    page.keyboard.press("Control+k")
    field = page.locator("#pst-search-dialog input[name=q]")
    if query["kind"] == "pasted":
        field.fill(query["text"])
    else:
        field.press_sequentially(query["text"])
    status = page.locator("#pst-search-dialog .book-search-status")
    status.filter(has_text=" for ").wait_for(timeout=10_000)
    return page.evaluate(_RESULTS)


def rank_of_answer(results: list[list[str]], query: dict) -> int | None:
    """1-based rank of the first result that answers ``query``, or None."""
    pages = query["page"] if isinstance(query["page"], list) else [query["page"]]
    for rank, links in enumerate(results, 1):
        if not any(urlsplit(links[0]).path.endswith("/" + p) for p in pages):
            continue
        section = query.get("section")
        if section is None or any(urlsplit(link).fragment == section for link in links):
            return rank
    return None


def test_the_table_has_enough_queries_of_each_kind():
    assert len(QUERIES) >= 40
    assert {"everyday", "legacy", "pasted", "api"} <= {q["kind"] for q in QUERIES}


def test_every_query_has_its_answer_in_the_top_three(watched, base_url, record_property):
    page = watched.new_page()
    ranks = {q["text"]: rank_of_answer(search(page, base_url, q), q) for q in QUERIES}
    # The shares, for the summary at the end of the run (conftest.py prints them).
    record_property("search_queries", len(ranks))
    record_property("search_first", sum(rank == 1 for rank in ranks.values()))
    record_property("search_top3", sum(rank is not None and rank <= TOP for rank in ranks.values()))
    missed = {text[:80]: rank for text, rank in ranks.items() if rank is None or rank > TOP}
    assert missed == {}, "queries whose answer is not in the top three (query: its rank)"
    assert watched.errors == [] and watched.external == []


def test_the_search_page_shows_results_for_its_query(watched, base_url):
    page = watched.new_page()
    page.goto(base_url + "search.html?q=selectinload")
    first = page.locator(".bd-search-container .book-search-result a").first
    assert urlsplit(first.get_attribute("href")).path.endswith("/orm/loading.html")
    assert "selectinload" in page.locator(".bd-search-container mark").first.inner_text()
    assert watched.errors == []


def test_enter_opens_the_first_result_at_its_section(watched, base_url):
    page = watched.new_page()
    page.goto(base_url + "core/engines.html")
    page.keyboard.press("Control+k")
    page.keyboard.type("MultipleResultsFound")
    page.locator("#pst-search-dialog .book-search-result").first.wait_for()
    page.keyboard.press("Enter")
    page.wait_for_url("**/reference/errors/queries.html#error-multiple-results-found")


def test_nothing_is_fetched_for_search_before_the_reader_types(watched, base_url):
    page = watched.new_page()
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    page.goto(base_url + "orm/session.html")
    page.keyboard.press("Control+k")
    page.locator("#pst-search-dialog[open]").wait_for()
    assert not [url for url in fetched if "_pagefind" in url]
    page.keyboard.type("rollback")
    page.locator("#pst-search-dialog .book-search-result").first.wait_for()
    assert [url for url in fetched if "_pagefind/pagefind.js" in url]


# The error pages' sections named by SQLAlchemy's error codes (reference/errors/<part>.html):
# the section's id is the code, and its heading names the exception, the code and the first
# words of the message.
_CODE_SECTION = re.compile(
    r'<section id="(?P<code>[a-z0-9]{4,5})">\s*(?:<span id="[^"]*"></span>\s*)*'
    r"<h2>(?P<heading>.*?)<a class=\"headerlink\"",
    re.DOTALL,
)


def error_pages() -> dict[str, str]:
    """The pages of the errors part, by path in the site: their HTML."""
    site = Path(os.environ["BOOK_SITE"])
    return {
        path.relative_to(site).as_posix(): path.read_text("utf-8")
        for path in sorted((site / "reference" / "errors").glob("*.html"))
    }


def error_code_queries() -> list[dict]:
    """For each code section: the code alone, and the first words of its message, each
    answered by that section; for each code no longer raised, its code."""
    queries = []
    for path, page in error_pages().items():
        for found in _CODE_SECTION.finditer(page):
            code = found["code"]
            heading = html.unescape(re.sub(r"<[^>]+>", "", found["heading"]))
            if f"({code})" not in heading:
                continue
            where = {"page": path, "section": code}
            queries.append({"kind": "code", "text": code, **where})
            message = heading.split("): ", 1)[1] if "): " in heading else ""
            if len(message.split()) >= 3:
                first_words = " ".join(message.split()[:6])
                queries.append({"kind": "pasted", "text": first_words, **where})
        if '<section id="codes-no-longer-raised">' in page:
            retired = page[page.index('<section id="codes-no-longer-raised">') :]
            retired = retired[: retired.index("</section>")]
            for code in re.findall(r'<span id="([a-z0-9]{4})"></span>', retired):
                where = {"page": path, "section": "codes-no-longer-raised"}
                queries.append({"kind": "code", "text": code, **where})
    return queries


def test_every_error_code_and_message_leads_to_its_section(watched, base_url):
    queries = error_code_queries()
    assert len(queries) >= 40  # the page has a section for each code a reader can hit
    page = watched.new_page()
    missed = {}
    for query in queries:
        rank = rank_of_answer(search(page, base_url, dict(query, kind="pasted")), query)
        if rank is None or rank > TOP:
            missed[query["text"]] = rank
    assert missed == {}, "codes or messages whose section is not in the top three (query: rank)"
