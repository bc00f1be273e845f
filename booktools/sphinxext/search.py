"""The book's search index: Pagefind, built from the finished HTML at the end of each build.

Readers search in the theme's search dialog (the search button, Ctrl+K) and on
``search.html``; ``docs/_static/book-search.js`` shows results as they type (the page's
layout loads that script when a reader first puts the cursor in a search field, so it adds
nothing to a page's first load). Pagefind (from PyPI, with its indexing binary) splits the
index into small chunks: a query fetches those of its words and the excerpts of the sections
it shows (tens of kilobytes, where Sphinx's index is loaded whole), and nothing is fetched
before the first keystroke. It stems words (``types`` finds ``type``), matches word prefixes as the reader
types, and returns the sections of a page, each with its anchor and a highlighted excerpt.

Compared, before choosing: Sphinx's own index must be loaded whole (about 200 KB gzipped for
this book), requires every word and ranks poorly; a client library such as MiniSearch or
Lunr ranks well but loads the whole index too, with the text of every section for excerpts.

Pagefind is given one record per *section*, not per page: a chapter is long, and a word in
its headings or in one of its sections should bring the reader to that section. Ranked per
page, a long chapter loses to a short page that mentions the word once. Each record is:

* the section's heading as the record's ``<h1>`` (headings weigh most in Pagefind's ranking),
  its text up to the next section, and its URL with the section's anchor; the chapter's own
  introduction is the record of the page itself;
* without the SQL panels (SQL keywords in every example would drown the prose), the
  downloads line and the heading permalinks;
* with inline code, which names the API, weighed more than prose, so that ``selectinload``
  finds the sections about it before the ones that mention it;
* with the chapter's title as metadata (``page``), which the browser script groups by.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import html as html_lib
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

INDEX_DIR = "_pagefind"
#: Pages that are not reading matter. The landing page routes readers to chapters and the
#: changelog announces them, each with a line on every chapter that would outrank the
#: chapter's own sections.
NOT_INDEXED = {"search.html", "genindex.html", "404.html", "index.html", "changelog.html"}
#: Pagefind's ready-made interfaces, which the book does not use (it has its own).
UNUSED_BUNDLE_FILES = [
    f"pagefind-{ui}.{ext}"
    for ui in ("ui", "modular-ui", "component-ui", "highlight")
    for ext in ("js", "css")
]
EXCLUDED = [
    "details.sql-panel",  # the SQL panels (booktools/sphinx_ext.py)
    ".chapter-downloads",  # "Run this chapter yourself: notebook, script"
    ".run-bar",  # Run, Edit, Reset under each block (booktools/sphinxext/run_buttons.py)
    ".run-reason",  # "Not runnable in the browser: ..."
    ".what-you-will-learn",  # a summary of the page's sections, which are indexed themselves
    # the schema diagrams' captions ("The schema: the tables ..."): the same words in every
    # chapter that defines tables, which outranked the sections about tables
    "figure.schema-diagram",
    "a.headerlink",
    ".copybtn",
]

_ARTICLE = re.compile(r'<article class="bd-article"[^>]*>(.*)</article>', re.DOTALL)
# A section as Sphinx writes it: its id on <section>, label targets, then the heading.
_SECTION = re.compile(
    r'<section id="(?P<id>[^"]+)">\s*(?:<span id="[^"]*"></span>)*\s*'
    r"<h(?P<level>[1-6])>(?P<heading>.*?)</h(?P=level)>",
    re.DOTALL,
)
_PERMALINK = re.compile(r'<a class="headerlink"[^>]*>.*?</a>', re.DOTALL)
_WEIGHT = ' data-pagefind-weight="3"'
_INLINE_CODE = re.compile(r'<code class="(docutils literal notranslate|xref[^"]*)">')


@dataclass(frozen=True)
class SectionRecord:
    url: str  # the page's URL, with the section's anchor except for the page's introduction
    html: str  # what Pagefind indexes


def section_records(page_url: str, html: str) -> list[SectionRecord]:
    """The records of one built page: its introduction and each of its sections."""
    article = _ARTICLE.search(html)
    if article is None:
        return []
    body = _INLINE_CODE.sub(rf'<code class="\1"{_WEIGHT}>', article.group(1))
    sections = list(_SECTION.finditer(body))
    if not sections:
        return []
    chapter = _text(sections[0]["heading"])
    records = []
    for index, section in enumerate(sections):
        end = sections[index + 1].start() if index + 1 < len(sections) else len(body)
        # A heading weighs most already; a weight inside it would leak into its title.
        heading = _PERMALINK.sub("", section["heading"]).replace(_WEIGHT, "")
        url = page_url if section["level"] == "1" else f"{page_url}#{section['id']}"
        # Metadata from attributes, so that a comma in a title is not a separator.
        records.append(
            SectionRecord(
                url,
                '<html lang="en"><body><main>'
                f'<span data-pagefind-meta="page[data-value]" data-value="{_attribute(chapter)}">'
                f'</span><span data-pagefind-meta="target[data-value]" data-value="{_attribute(url)}">'
                f"</span><h1>{heading}</h1>{body[section.end() : end]}</main></body></html>",
            )
        )
    return records


def _text(html: str) -> str:
    return html_lib.unescape(re.sub(r"<[^>]+>", "", _PERMALINK.sub("", html)))


def _attribute(text: str) -> str:
    return html_lib.escape(text, quote=True)


async def _write_index(outdir: Path) -> int:
    from pagefind.index import IndexConfig, PagefindIndex

    config = IndexConfig(
        root_selector="main",
        exclude_selectors=EXCLUDED,
        force_language="en",
        output_path=str(outdir / INDEX_DIR),
    )
    records = [
        record
        for page in sorted(outdir.rglob("*.html"))
        if (path := page.relative_to(outdir).as_posix())[0] != "_" and path not in NOT_INDEXED
        for record in section_records("/" + path, page.read_text(encoding="utf-8"))
    ]
    # The records go to Pagefind as the files of one folder, in one call: its Python API
    # waits 0.1 s before reading each reply, so a call per record cost a minute. Each file's
    # address is its `target` metadata, which the browser script links to.
    with tempfile.TemporaryDirectory() as folder:
        for number, record in enumerate(records):
            Path(folder, f"{number}.html").write_text(record.html, encoding="utf-8")
        async with PagefindIndex(config=config) as index:
            await index.add_directory(path=folder)
    for unused in UNUSED_BUNDLE_FILES:
        (outdir / INDEX_DIR / unused).unlink(missing_ok=True)
    return len(records)


def write_index(outdir: Path) -> int:
    """Write the index of the site in ``outdir``; returns the number of records.

    Pagefind's Python API is asynchronous. It runs in a thread of its own, with a new event
    loop, because the build's thread may already have one (myst-nb executes notebook pages
    through nbclient, which can leave its loop installed)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, _write_index(outdir)).result()


def build_index(app: Sphinx, exception: Exception | None) -> None:
    if exception or app.builder.format != "html" or not app.config.book_search_index:
        return
    try:
        import pagefind.index  # noqa: F401
    except ImportError as error:
        raise ExtensionError(
            "The search index needs Pagefind: pip install 'pagefind[bin]' "
            "(it is in pyproject.toml's docs group, which nox -s docs installs)"
        ) from error
    write_index(Path(app.outdir))


def setup(app: Sphinx) -> dict[str, object]:
    # -D book_search_index=0: no index (nox -s live, where it would be most of a rebuild)
    app.add_config_value("book_search_index", True, "", types=frozenset({bool}))
    app.connect("build-finished", build_index)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
