"""What a reader meets on every page: the header's controls, one way into search, the
landing page's routes, the links to the next and previous chapters, and tabs that remember
the reader's choice from one page to the next."""

from __future__ import annotations

import os
import re

import pytest

if not os.environ.get("BOOK_SITE"):
    pytest.skip(
        "browser tests run in `nox -s browser`, which builds the site and sets BOOK_SITE",
        allow_module_level=True,
    )

DESKTOP = {"width": 1400, "height": 900}
PHONE = {"width": 375, "height": 812}
# Everything that opens the search dialog: the sidebar's search field and the header's
# search button (the theme's top bar had a third, which the book removes).
SEARCH_ENTRIES = ".search-button, .search-button-field"

_VISIBLE = """sel => [...document.querySelectorAll(sel)].filter(e => {
    const box = e.getBoundingClientRect(), style = getComputedStyle(e);
    return box.width > 0 && box.height > 0 && style.visibility !== 'hidden'
        && e.checkVisibility({opacityProperty: true, visibilityProperty: true})
        && box.right > 0 && box.left < window.innerWidth;
}).map(e => e.className)"""


def _visible(page, selector: str) -> list[str]:
    return page.evaluate(_VISIBLE, selector)


def _search_opens(page, open_it) -> None:
    dialog = page.locator("#pst-search-dialog")
    assert not dialog.evaluate("d => d.open")
    open_it()
    page.wait_for_function("document.getElementById('pst-search-dialog').open", timeout=5_000)
    field = dialog.locator("input[type=search]")
    assert field.evaluate("f => f === document.activeElement")
    field.fill("identity map")
    dialog.locator(".book-search-result").first.wait_for(timeout=10_000)
    page.keyboard.press("Escape")
    page.wait_for_function("!document.getElementById('pst-search-dialog').open", timeout=5_000)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_no_top_bar_and_one_search_entry_point_that_opens_the_dialog(watched, base_url, viewport):
    page = watched.new_page()
    page.set_viewport_size(viewport)
    page.goto(base_url + "orm/session.html", wait_until="networkidle")

    # The theme's top bar is empty: nothing in it takes any room.
    assert page.locator("#pst-header").evaluate("h => h.getBoundingClientRect().height") == 0
    entries = _visible(page, SEARCH_ENTRIES)
    assert len(entries) == 1, entries
    _search_opens(page, lambda: page.locator(SEARCH_ENTRIES).locator("visible=true").click())
    _search_opens(page, lambda: page.keyboard.press("Control+k"))
    _search_opens(page, lambda: page.keyboard.press("/"))

    # The book's own header keeps its controls.
    header = page.locator(".bd-header-article")
    for control in (
        ".primary-toggle",
        ".dropdown-source-buttons > button",
        ".dropdown-download-buttons > button",
        ".theme-switch-button",
    ):
        assert header.locator(control).first.is_visible(), control
    header.locator(".dropdown-download-buttons > button").click()
    assert header.locator(".dropdown-download-buttons a[href$='session.md']").is_visible()
    page.keyboard.press("Escape")
    assert watched.errors == []


def test_the_sidebar_toggle_hides_and_shows_the_sidebar_and_search_stays_one_click_away(
    watched, base_url
):
    page = watched.new_page()
    page.set_viewport_size(DESKTOP)
    page.goto(base_url + "orm/session.html", wait_until="networkidle")
    sidebar = page.locator("#pst-primary-sidebar")
    toggle = page.locator(".bd-header-article .primary-toggle")
    assert sidebar.is_visible()
    toggle.click()
    page.wait_for_function(
        "getComputedStyle(document.getElementById('pst-primary-sidebar')).visibility === 'hidden'"
    )
    # With the sidebar and its search field gone, the header's search button shows.
    entries = _visible(page, SEARCH_ENTRIES)
    assert len(entries) == 1 and "search-button__button" in entries[0], entries
    _search_opens(page, lambda: page.locator(SEARCH_ENTRIES).locator("visible=true").click())
    _search_opens(page, lambda: page.keyboard.press("/"))
    toggle.click()
    page.wait_for_function(
        "getComputedStyle(document.getElementById('pst-primary-sidebar')).visibility === 'visible'"
    )
    assert len(_visible(page, SEARCH_ENTRIES)) == 1

    # On a phone the same button opens the sidebar as a drawer.
    page.set_viewport_size(PHONE)
    page.reload(wait_until="networkidle")
    page.locator(".bd-header-article .primary-toggle").click()
    drawer = page.locator("#pst-primary-sidebar-modal")
    page.wait_for_function("document.getElementById('pst-primary-sidebar-modal').open")
    assert drawer.locator("a[href$='querying.html']").first.is_visible()
    assert watched.errors == []


def test_slash_opens_search_except_in_a_field_or_with_ctrl_alt_or_meta(watched, base_url):
    """The "/" key opens the search dialog, as Ctrl+K does (docs/_static/book-theme.js), but
    in an example's editor it is a "/" of the reader's code, and Ctrl+/ and the like are not
    it."""
    page = watched.new_page()
    page.set_viewport_size(DESKTOP)
    page.goto(base_url + "core/expressions.html", wait_until="networkidle")
    is_open = "document.getElementById('pst-search-dialog').open"
    page.get_by_role("button", name="Edit", exact=True).first.click()
    editor = page.locator("textarea.run-editor")
    editor.wait_for()  # the first click loads book-run.js, which then makes the editor
    code = editor.input_value()
    editor.focus()
    page.keyboard.press("Control+End")
    page.keyboard.type("\n1 / 2")
    assert editor.input_value() == code + "\n1 / 2"
    assert not page.evaluate(is_open)

    page.locator("article h1").click()  # out of the editor
    for chord in ("Control+/", "Alt+/", "Meta+/"):
        page.keyboard.press(chord)
        assert not page.evaluate(is_open), chord
    _search_opens(page, lambda: page.keyboard.press("/"))
    # the dialog's field takes a "/" as any other character
    page.keyboard.press("/")
    page.wait_for_function(is_open, timeout=5_000)
    field = page.locator("#pst-search-dialog input[type=search]")
    field.fill("")
    page.keyboard.type("a/b")
    assert field.input_value() == "a/b"
    assert watched.errors == []


def test_the_landing_page_routes_readers_three_ways(watched, base_url):
    page = watched.new_page()
    page.goto(base_url + "index.html", wait_until="networkidle")
    cards = page.locator(".sd-card")
    assert cards.count() == 3
    routes = {
        "New to SQLAlchemy": ["intro/how-to-read.html", "intro/installing.html"],
        "Coming from 1.x": ["reference/migrating.html", "production/upgrading.html"],
        "Looking up an error or a recipe": [
            "reference/errors.html",
            "reference/cheat-sheet.html",
            "search.html",
        ],
    }
    for title, targets in routes.items():
        card = cards.filter(has_text=title)
        assert card.count() == 1, title
        hrefs = card.locator("a").evaluate_all("links => links.map(a => a.href)")
        for target in targets:
            assert any(href.startswith(base_url + target) for href in hrefs), (title, target)
    assert page.locator(".verified-line").first.inner_text().startswith("Verified")
    # Parts I to IV list every chapter that the sidebar lists.
    sidebar = page.locator("#pst-primary-sidebar nav a.reference").evaluate_all(
        "links => links.map(a => a.href)"
    )
    article = page.locator("article a.reference.internal").evaluate_all(
        "links => links.map(a => a.href)"
    )
    chapters = [h for h in sidebar if re.search(r"/(core|orm|production|reference)/", h)]
    assert chapters and set(chapters) <= set(article)
    assert watched.errors == []


def test_each_chapter_says_what_you_will_learn_and_links_its_neighbours(watched, base_url):
    page = watched.new_page()
    page.goto(base_url + "orm/session.html", wait_until="networkidle")
    learn = page.locator("article .what-you-will-learn")
    assert learn.locator(".admonition-title").inner_text() == "What you will learn"
    assert 3 <= learn.locator("li").count() <= 5
    # It comes right after the title and the downloads line.
    first = page.evaluate(
        """() => [...document.querySelector('article section').children]
                 .filter(e => e.tagName !== 'SPAN')  // the section's anchor
                 .slice(0, 3).map(e => e.tagName + '.' + e.className)"""
    )
    assert first[0] == "H1." and first[1] == "P.chapter-downloads", first
    assert first[2].startswith("DIV.what-you-will-learn admonition"), first
    previous = page.locator(".prev-next-area a.left-prev")
    following = page.locator(".prev-next-area a.right-next")
    assert previous.text_content().split() == ["previous", "7.", "Declarative", "mapping"]
    assert following.text_content().split()[:2] == ["next", "9."]
    following.click()
    assert page.title().startswith("9. Querying")
    assert watched.errors == []


def _pages_with_tab(site_dir, sync_id: str) -> list[str]:
    found = []
    for path in sorted(site_dir.rglob("*.html")):
        if f'data-sync-id="{sync_id}"' in path.read_text(encoding="utf-8"):
            found.append(path.relative_to(site_dir).as_posix())
    return found


def _selected(page, sync_id: str) -> list[bool]:
    return page.evaluate(
        """id => [...document.querySelectorAll(`.sd-tab-label[data-sync-id="${id}"]`)]
                 .map(l => document.getElementById(l.getAttribute('for')).checked)""",
        sync_id,
    )


def test_a_chosen_tab_is_remembered_on_other_pages(watched, base_url, site_dir):
    backend_pages = _pages_with_tab(site_dir, "postgresql")
    series_pages = _pages_with_tab(site_dir, "sqlalchemy-2.0")
    assert len(backend_pages) >= 2 and series_pages
    first, other = backend_pages[0], backend_pages[-1]
    page = watched.new_page()
    page.goto(base_url + other, wait_until="networkidle")
    assert not any(_selected(page, "postgresql"))  # SQLite, the first tab, by default

    page.goto(base_url + first, wait_until="networkidle")
    page.locator('.sd-tab-label[data-sync-id="postgresql"]').first.click()
    assert all(_selected(page, "postgresql"))
    # Choosing a series elsewhere does not forget the backend.
    page.goto(base_url + series_pages[0], wait_until="networkidle")
    page.locator('.sd-tab-label[data-sync-id="sqlalchemy-2.0"]').first.click()

    page.goto(base_url + other, wait_until="networkidle")
    assert _selected(page, "postgresql") and all(_selected(page, "postgresql")), other
    tab = page.locator('.sd-tab-label[data-sync-id="postgresql"]').first
    content = page.locator("#" + tab.get_attribute("aria-controls"))
    assert content.is_visible()
    page.goto(base_url + series_pages[-1], wait_until="networkidle")
    assert all(_selected(page, "sqlalchemy-2.0"))
    assert watched.errors == []


def test_an_error_code_in_the_address_of_the_errors_page_leads_to_its_section(
    watched, base_url, site_dir
):
    """reference/errors.html#7s2a, as readers type it from a traceback's code: each section is
    on the page of its part, and the first page's few lines of script follow its link there."""
    first_page = (site_dir / "reference" / "errors.html").read_text(encoding="utf-8")
    links = re.findall(r'href="errors/([a-z]+)\.html#([a-z0-9-]+)"', first_page)
    targets = {section: part for part, section in links}
    assert {"7s2a", "3o7r", "xd2s", "s9r1", "error-stale-data"} <= set(targets)
    page = watched.new_page()
    for section, part in targets.items():
        page.goto(f"{base_url}reference/errors.html#{section}")
        page.wait_for_url(f"{base_url}reference/errors/{part}.html#{section}")
        assert page.locator(f"[id='{section}']").count() == 1, section
    # Codes as readers may type them: in capitals, or in SQLAlchemy's own form of the anchor.
    for typed, part, section in [("8S2B", "connections", "8s2b"), ("error-xd2s", "asyncio", "xd2s")]:
        page.goto(f"{base_url}reference/errors.html#{typed}")
        page.wait_for_url(f"{base_url}reference/errors/{part}.html#{section}")
    # A malformed fragment is left alone, without a script error.
    page.goto(base_url + "reference/errors.html#100%")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("reference/errors.html#100%")
    # On the first page, a code typed into its address (no new load) leads there too.
    page.goto(base_url + "reference/errors.html")
    page.evaluate("location.hash = '#xd2s'")
    page.wait_for_url(f"{base_url}reference/errors/asyncio.html#xd2s")
    # A section of the first page itself stays where it is.
    page.goto(base_url + "reference/errors.html#error-codes-at-a-glance")
    page.wait_for_load_state("networkidle")
    assert page.url == base_url + "reference/errors.html#error-codes-at-a-glance"
    assert watched.errors == []
