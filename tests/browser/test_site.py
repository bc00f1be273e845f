"""The published site in a real browser: clean, self-contained, accessible, light, working.

Every page is served from a sub-path, as GitHub Pages serves a project site, and opened
in Chromium in the light and the dark theme. The numbers in the budget are the ones the
issue tracker set for the site; see the contributing page.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urljoin

import pytest

from booktools.pages import read_page
from booktools.site.server import BUDGET_GZIPPED_BYTES, BUDGET_REQUESTS, first_load, site_pages

if not os.environ.get("BOOK_SITE"):
    pytest.skip(
        "browser tests run in `nox -s browser`, which builds the site and sets BOOK_SITE",
        allow_module_level=True,
    )

from axe_playwright_python.sync_playwright import Axe

DOCS = Path(__file__).resolve().parents[2] / "docs"
SITE = Path(os.environ["BOOK_SITE"])
PAGES = site_pages(SITE)
PHONE = {"width": 375, "height": 812}
AXE = Axe()

# The outermost elements that stick out of a phone's screen (content inside a scrolling
# box, such as a wide code block, does not count), to name them when a page overflows.
_OVERFLOWING = """() => {
    const scrolls = e => ['auto', 'scroll', 'hidden'].includes(getComputedStyle(e).overflowX);
    const contained = e => { for (let a = e.parentElement; a; a = a.parentElement)
                                 if (scrolls(a)) return true; return false; };
    return [...document.querySelectorAll('body *')]
        .filter(e => (e.getBoundingClientRect().right > window.innerWidth + 1
                      || e.scrollWidth > e.clientWidth + 1 && !scrolls(e)) && !contained(e))
        .slice(0, 5)
        .map(e => e.tagName.toLowerCase() + [...e.classList].map(c => '.' + c).join('')
                  + ' "' + e.textContent.slice(0, 40) + '"');
}"""
# axe fetches stylesheets itself and resolves their @import against the page, not the
# stylesheet, so it would request files that do not exist; the browser has them already.
# Only violations are needed; collecting the passes' details doubles the time.
AXE_OPTIONS = {"preload": False, "resultTypes": ["violations"]}
# Every rule axe-core has: each tag of each of its rules, read from the axe-core the page
# runs. By default axe leaves out its experimental rules (label-content-name-mismatch, WCAG
# 2.5.3, is one) and its WCAG AAA rules (color-contrast-enhanced, 7:1); naming every tag
# runs them too, best practices included.
_ALL_TAGS = "[...new Set(axe.getRules().flatMap(rule => rule.tags))].sort()"
_RUN_AXE = "options => axe.run(document, options)"


def _axe_violations(page) -> list[dict]:
    """axe-core's violations on ``page``, with all its rules."""
    page.evaluate(AXE.axe_script)
    tags = page.evaluate(_ALL_TAGS)
    assert {"best-practice", "experimental", "wcag2aaa"} <= set(tags), tags
    options = {**AXE_OPTIONS, "runOnly": {"type": "tag", "values": tags}}
    return page.evaluate(_RUN_AXE, options)["violations"]


def _findings(violations: list[dict], where: str) -> list[str]:
    """A readable line per violation, whatever its impact (minor and moderate ones too: no
    page has any): rule, impact, page, what axe says, and the selectors of the first
    elements it found it on."""
    lines = []
    for v in violations:
        first = v["nodes"][0]
        messages = [c["message"] for kind in ("any", "all", "none") for c in first[kind]]
        targets = ", ".join(" ".join(n["target"]) for n in v["nodes"][:5])
        more = f" and {len(v['nodes']) - 5} more" if len(v["nodes"]) > 5 else ""
        lines.append(
            f"{v['id']} ({v['impact']}) on {where}: {v['help']}\n"
            f"    at {targets}{more}\n    {'; '.join(messages)}"
        )
    return lines


@pytest.mark.parametrize("path", PAGES)
def test_page_is_clean_self_contained_accessible_and_fits_a_phone(watched, base_url, path):
    findings = []
    for scheme in ("light", "dark"):  # the theme follows the reader's system
        page = watched.new_page(color_scheme=scheme)
        page.goto(base_url + path, wait_until="networkidle")
        # Colours are checked as they end up, not halfway through the theme's transitions.
        page.add_style_tag(content="*, *::before, *::after { transition: none !important; }")
        # The theme's script turns the page's data-theme="auto" into the system's theme.
        page.wait_for_function(f"document.documentElement.dataset.theme === '{scheme}'")
        findings += _findings(_axe_violations(page), f"{path}, {scheme} theme")
    assert findings == [], "axe-core, all rules:\n" + "\n".join(findings)

    page.set_viewport_size(PHONE)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{overflow}px wider than a phone: {page.evaluate(_OVERFLOWING)}"

    assert watched.errors == []
    assert watched.external == [], "the site must work offline: no other host is contacted"


@pytest.mark.parametrize("path", PAGES)
def test_first_load_within_budget(browser, base_url, path):
    context = browser.new_context()
    load = first_load(context, base_url + path)
    context.close()
    assert load.gzipped_bytes <= BUDGET_GZIPPED_BYTES, load.table()
    assert load.requests <= BUDGET_REQUESTS, load.table()


def test_every_page_has_title_description_sharing_tags_and_verified_footer(
    site_dir, watched, base_url
):
    page = watched.new_page()
    sitemap = (site_dir / "sitemap.xml").read_text(encoding="utf-8")
    for path in PAGES:
        page.goto(base_url + path)
        head = page.evaluate(
            """() => Object.fromEntries([...document.querySelectorAll(
                   'meta[name=description], meta[property^="og:"]')]
               .map(m => [m.getAttribute('name') || m.getAttribute('property'), m.content]))"""
        )
        title = page.title()
        assert title.endswith("SQLAlchemy by Example") and len(title) > 25, (path, title)
        assert page.locator("link[rel=icon]").count() == 1, path
        assert page.locator("footer .verified-line").inner_text().startswith("Verified on "), path
        assert len(head.get("description", "")) > 40, (path, head)
        if path in ("404.html", "search.html", "genindex.html"):
            continue  # not shared: no OpenGraph tags, and not in the sitemap
        assert head["og:title"] and head["og:url"].endswith(path), (path, head)
        assert head["og:url"] in sitemap, f"{path} missing from sitemap.xml"


def test_every_internal_link_and_download_resolves_under_the_sub_path(watched, base_url):
    page = watched.new_page()
    targets: dict[str, str] = {}
    for path in PAGES:
        page.goto(base_url + path)
        hrefs = page.eval_on_selector_all(
            "a[href], link[href], script[src], img[src]", "els => els.map(e => e.href || e.src)"
        )
        for href in hrefs:
            url = urljoin(base_url + path, href).split("#")[0]
            if url.startswith(base_url):
                targets.setdefault(url, path)
    broken = {
        url: found_on for url, found_on in targets.items() if page.request.get(url).status != 200
    }
    assert broken == {}, "broken links (URL: page that links to it)"
    assert len(targets) > 2 * len(PAGES)  # the crawl did crawl


# Runs copied sessions in order, as pasted into a REPL: an error is printed, the next one
# still runs. Prints the names of the errors raised, one per line.
_PASTE = """
import json, sys
namespace = {"__name__": "__main__"}
for chunk in json.load(sys.stdin):
    try:
        exec(compile(chunk, "<clipboard>", "exec"), namespace)
    except Exception as error:
        print("raised", type(error).__name__, file=sys.stderr)
"""


def test_copy_buttons_copy_exactly_the_input_and_it_runs(browser, base_url):
    """Copy every session of a chapter with its copy buttons: the clipboard holds the
    page's code, prompts and output stripped, and that code runs in a fresh Python,
    raising only where the page shows an error."""
    chapter = "orm/joins"
    snippets = read_page(DOCS / f"{chapter}.md").snippets()
    assert not any(s.tags for s in snippets)  # one version of each block: no tabs to pick
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(f"{base_url}{chapter}.html", wait_until="networkidle")
    # The buttons' script loads on the reader's first interaction (book-theme.js), not before.
    buttons = page.locator("button.copybtn")
    assert buttons.count() == 0
    page.locator("div.highlight pre").first.hover()
    buttons.first.wait_for(state="attached", timeout=5_000)
    copied = []
    for i in range(buttons.count()):
        buttons.nth(i).click()
        copied.append(page.evaluate("navigator.clipboard.readText()"))
    context.close()

    def code_lines(text: str) -> list[str]:
        return [line for line in text.splitlines() if line.strip()]

    assert code_lines("\n".join(copied)) == code_lines("".join(s.source for s in snippets))

    result = subprocess.run(
        [sys.executable, "-c", _PASTE],
        check=False,
        input=json.dumps(copied),
        capture_output=True,
        text=True,
        timeout=120,
    )
    raised = [line for line in result.stderr.splitlines() if line.startswith("raised ")]
    assert result.returncode == 0 and len(raised) == sum(s.raises for s in snippets), result.stderr


def test_sql_panels_collapse_and_expand(watched, base_url):
    page = watched.new_page()
    page.goto(base_url + "orm/session.html")
    panel = page.locator("details.sql-panel").first
    sql = panel.locator("pre")
    assert sql.is_visible()
    panel.locator("summary").click()
    assert not sql.is_visible()
    assert "collapsed" in panel.locator("summary").evaluate(
        "s => getComputedStyle(s, '::after').content"
    )
    panel.locator("summary").click()
    assert sql.is_visible()
    assert watched.errors == []


def test_light_dark_switch_changes_the_theme_and_is_remembered(watched, base_url):
    page = watched.new_page(color_scheme="light")
    page.goto(base_url + "orm/session.html")

    def look() -> list[str]:
        return page.evaluate(
            """() => [document.documentElement.dataset.theme,
                      getComputedStyle(document.body).backgroundColor]"""
        )

    theme, light_background = look()
    assert theme == "light"  # "auto" follows the reader's system, light here
    page.locator("button.theme-switch-button:visible").first.click()
    page.locator(".theme-change-button[data-mode=dark]:visible").first.click()
    theme, dark_background = look()
    assert theme == "dark" and dark_background != light_background
    page.reload()
    assert look() == [theme, dark_background]
    assert watched.errors == []


def test_missing_pages_get_the_404_page_with_working_links(watched, base_url):
    page = watched.new_page()
    failed = []
    page.on("requestfinished", lambda r: r.response().status >= 400 and failed.append(r.url))
    missing = base_url + "no/such/chapter.html"
    response = page.goto(missing, wait_until="networkidle")
    assert response.status == 404
    assert "not found" in page.title().lower()
    assert failed == [missing], "the 404 page's assets must load"
    page.locator("a.navbar-brand").first.click()
    assert page.url.rstrip("/") in (base_url.rstrip("/"), base_url + "index.html")
    assert [e for e in watched.errors if missing not in e] == []


def test_the_site_opens_from_files_too(browser, site_dir):
    """Readers may download the built site; from file:// the pages and links still work."""
    context = browser.new_context()
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((site_dir / "index.html").as_uri())
    page.locator("nav a[href$='orm/session.html']").first.click()
    assert page.title().startswith("8. The Session")
    assert page.locator("details.sql-panel").count() > 5
    context.close()
    assert errors == []
