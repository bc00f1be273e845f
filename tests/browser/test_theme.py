"""The theme's behaviour after the site's weight work (docs/maintaining.md, "The site's
weight"): the header's menus, both sidebars on a phone, and each script loaded only where
and when it is used. Search, the light/dark switch, tabs, copy buttons and the desktop
sidebar have their own tests (test_search.py, test_site.py, test_reading.py)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

if not os.environ.get("BOOK_SITE"):
    pytest.skip(
        "browser tests run in `nox -s browser`, which builds the site and sets BOOK_SITE",
        allow_module_level=True,
    )

from booktools.site.server import site_pages

DOCS = Path(__file__).resolve().parents[2] / "docs"
DESKTOP = {"width": 1400, "height": 900}
PHONE = {"width": 375, "height": 812}
MENUS = [".dropdown-source-buttons", ".dropdown-download-buttons", ".theme-switch-container"]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_header_menus_open_on_click_and_close_on_escape_outside_or_a_choice(
    watched, base_url, viewport
):
    page = watched.new_page()
    page.set_viewport_size(viewport)
    page.goto(base_url + "orm/session.html", wait_until="networkidle")
    page.mouse.move(0, viewport["height"] - 1)  # no menu is open by hovering its button
    header = page.locator(".bd-header-article")
    for menu in MENUS:
        button = header.locator(f"{menu} .dropdown-toggle")
        items = header.locator(f"{menu} .dropdown-menu")
        assert not items.is_visible(), menu
        button.click()
        assert items.is_visible() and button.get_attribute("aria-expanded") == "true", menu
        # inside the window, whole
        box = items.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], (menu, box)
        page.keyboard.press("Escape")
        page.mouse.move(0, viewport["height"] - 1)
        assert not items.is_visible() and button.get_attribute("aria-expanded") == "false", menu
        button.click()
        page.mouse.click(5, viewport["height"] - 5)  # elsewhere
        assert not items.is_visible(), menu
        # the arrow keys open a menu and move through its items
        button.focus()
        page.keyboard.press("ArrowDown")
        assert items.is_visible(), menu
        focused = page.evaluate("document.activeElement.className")
        assert "dropdown-item" in focused, (menu, focused)
        page.keyboard.press("Escape")

    # A choice closes its menu: the dark mode, from the theme switch.
    header.locator(".theme-switch-button").click()
    header.locator(".theme-change-button[data-mode=dark]").click()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    page.mouse.move(0, viewport["height"] - 1)
    assert not header.locator(".theme-switch-container .dropdown-menu").is_visible()
    assert watched.errors == []


def test_on_a_phone_each_sidebar_opens_as_a_drawer_and_closes(watched, base_url):
    page = watched.new_page()
    page.set_viewport_size(PHONE)
    page.goto(base_url + "orm/loading.html", wait_until="networkidle")
    for toggle, drawer, link in [
        (".primary-toggle", "pst-primary-sidebar-modal", "a[href$='session.html']"),
        (".secondary-toggle", "pst-secondary-sidebar-modal", "a.nav-link[href^='#']"),
    ]:
        page.locator(f".bd-header-article {toggle}").click()
        page.wait_for_function(f"document.getElementById('{drawer}').open")
        assert page.locator(f"#{drawer} {link}").first.is_visible(), drawer
        page.keyboard.press("Escape")
        page.wait_for_function(f"!document.getElementById('{drawer}').open")
    assert watched.errors == []


def _scripts(html: str) -> set[str]:
    return {Path(src.split("?")[0]).name for src in re.findall(r'<script[^>]* src="([^"]+)"', html)}


def test_no_page_loads_bootstrap_or_scripts_that_nothing_uses(site_dir):
    never = {
        "bootstrap.js",
        "fontawesome.js",
        "doctools.js",
        "sphinx_highlight.js",
        "clipboard.min.js",
        "searchtools.js",
        "searchindex.js",
        "design-tabs.js",
        "copybutton.js",  # loaded on the reader's first interaction, not by the page
    }
    pages = [site_dir / page for page in site_pages(site_dir)]
    assert len(pages) > 30
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert not _scripts(html) & never, page
        # the one purged stylesheet, and myst-nb's rules apart for the notebook pages
        notebook = bool(re.search(r'<link href="[^"]*_static/site-notebook\.css"', html))
        source = DOCS / page.relative_to(site_dir).with_suffix(".md")
        assert notebook == (source.is_file() and "\nkernelspec:" in source.read_text()), page
        assert html.count('rel="stylesheet"') == 1 + notebook, page
        has_tabs = 'class="sd-tab-set' in html
        assert ("book-tabs.js" in _scripts(html)) == has_tabs, page
        has_code = 'class="highlight"' in html
        assert ('data-on-interaction="' in html and "copybutton.js" in html) == has_code, page


def test_the_copy_buttons_script_loads_on_the_first_interaction_only(browser, base_url):
    context = browser.new_context()
    page = context.new_page()
    fetched = []
    page.on("request", lambda request: fetched.append(request.url))
    page.goto(base_url + "orm/session.html", wait_until="networkidle")
    assert not any("copybutton.js" in url for url in fetched)
    assert page.locator("button.copybtn").count() == 0
    page.keyboard.press("Tab")  # a keyboard reader's first key
    page.locator("button.copybtn").first.wait_for(state="attached", timeout=5_000)
    assert [url for url in fetched if "copybutton.js" in url]
    context.close()


def test_back_to_top_shows_when_scrolling_up_and_goes_to_the_top(watched, base_url):
    page = watched.new_page()
    page.set_viewport_size(PHONE)
    page.goto(base_url + "orm/loading.html", wait_until="networkidle")
    button = page.locator("#pst-back-to-top")
    page.evaluate("scrollTo(0, 3000)")
    page.wait_for_timeout(200)
    assert not button.is_visible()
    page.evaluate("scrollTo(0, 2800)")
    button.wait_for(state="visible", timeout=5_000)
    button.click()
    page.wait_for_function("scrollY === 0", timeout=5_000)
    assert watched.errors == []
