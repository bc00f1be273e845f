"""The search index: one record per section, from Sphinx's HTML, written by Pagefind."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from types import SimpleNamespace

from booktools.sphinxext.search import INDEX_DIR, build_index, section_records, write_index

# The shape of a page as sphinx-book-theme writes it: sections carry the ids, headings the
# permalinks, and a label target may stand between a section and its heading.
PAGE = """<html><body><nav>Chapters: Sessions, Engines</nav>
<article class="bd-article">
<section id="sessions"><h1>8. Sessions, in depth<a class="headerlink" href="#sessions">#</a></h1>
<p>A session keeps objects.</p>
<section id="rollback"><h2>Rollback<a class="headerlink" href="#rollback">#</a></h2>
<p>Use <code class="docutils literal notranslate"><span class="pre">Session.rollback()</span></code>.</p>
<details class="sql-panel" open><summary>SQL emitted</summary><pre>ROLLBACK</pre></details>
<section id="error-pending">
<span id="pendingrollbackerror"></span><h3>PendingRollbackError<a class="headerlink" href="#error-pending">#</a></h3>
<p>After a failed flush.</p>
</section>
</section>
</section>
</article><footer>Verified</footer></body></html>"""


def test_each_section_is_a_record_at_its_anchor_with_the_chapter_as_metadata():
    records = section_records("/orm/sessions.html", PAGE)
    assert [r.url for r in records] == [
        "/orm/sessions.html",
        "/orm/sessions.html#rollback",
        "/orm/sessions.html#error-pending",
    ]
    intro, rollback, error = (r.html for r in records)
    assert 'data-pagefind-meta="page[data-value]" data-value="8. Sessions, in depth"' in intro
    assert 'data-pagefind-meta="target[data-value]" data-value="/orm/sessions.html"' in intro
    assert "<h1>8. Sessions, in depth</h1>" in intro
    assert 'data-value="/orm/sessions.html#rollback"' in rollback
    assert "A session keeps objects." in intro and "Rollback" not in intro
    assert "<h1>Rollback</h1>" in rollback and "After a failed flush" not in rollback
    assert '<code class="docutils literal notranslate" data-pagefind-weight="3">' in rollback
    assert "<h1>PendingRollbackError</h1>" in error
    assert "Chapters" not in "".join(r.html for r in records)  # the sidebar is not content


def test_a_page_without_an_article_has_no_records():
    assert section_records("/genindex.html", "<html><body><p>Index</p></body></html>") == []


def test_the_index_is_written_without_pagefinds_own_interfaces(tmp_path: Path):
    (tmp_path / "orm").mkdir()
    (tmp_path / "orm" / "sessions.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "search.html").write_text(PAGE, encoding="utf-8")  # not reading matter

    assert write_index(tmp_path) == 3
    bundle = tmp_path / INDEX_DIR
    assert (bundle / "pagefind.js").is_file()
    assert (
        json.loads((bundle / "pagefind-entry.json").read_text())["languages"]["en"]["page_count"]
        == 3
    )
    assert not list(bundle.glob("pagefind-ui.*")) and not list(bundle.glob("*modular-ui*"))


def test_the_index_is_written_from_a_thread_that_has_an_event_loop_running(tmp_path: Path):
    (tmp_path / "page.html").write_text(PAGE, encoding="utf-8")

    async def inside_a_running_loop() -> int:
        return write_index(tmp_path)

    assert asyncio.run(inside_a_running_loop()) == 3


def test_the_live_preview_builds_no_index(tmp_path: Path):
    """``-D book_search_index=0`` (nox -s live): the build ends without indexing every page."""
    (tmp_path / "sessions.html").write_text(PAGE, encoding="utf-8")

    def app(index: bool) -> SimpleNamespace:
        config = SimpleNamespace(book_search_index=index)
        return SimpleNamespace(
            builder=SimpleNamespace(format="html"), config=config, outdir=tmp_path
        )

    build_index(app(False), None)
    assert not (tmp_path / INDEX_DIR).exists()
    build_index(app(True), None)
    assert (tmp_path / INDEX_DIR / "pagefind.js").is_file()
