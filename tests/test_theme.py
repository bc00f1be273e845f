"""booktools.sphinxext.theme: the theme's icons drawn from a small stylesheet instead of
FontAwesome, and every stylesheet in one, purged of what no page uses."""

import shutil
from types import SimpleNamespace

import pytest
from sphinx.builders.html._assets import _CascadingStyleSheet
from sphinx.errors import ExtensionError

from booktools.sphinxext import theme
from booktools.sphinxext.theme import fontawesome_outlines, icons_css, icons_in, without_icon_rules


def test_outlines_come_from_the_installed_theme_with_their_aliases():
    outlines = fontawesome_outlines()
    width, height, path = outlines["magnifying-glass"]
    assert (width, height) == (512, 512) and path.startswith("M")
    assert outlines["search"] == outlines["magnifying-glass"]  # an alias
    assert "sun" in outlines and "github" in outlines  # unquoted names, brands


def test_icons_in_a_page_are_the_fa_names_not_the_style_classes():
    html = '<i class="fa-solid fa-sun fa-lg fa-fw me-1"></i><i class="fab fa-github"></i>'
    assert icons_in(html) == {"sun", "github"}


def test_icons_css_draws_each_icon_and_reports_unknown_ones():
    css, missing = icons_css({"sun", "no-such-icon"}, {"sun": (10, 20, "M0 0z")})
    assert missing == {"no-such-icon"}
    assert ".fa-sun{--book-icon:url(\"data:image/svg+xml," in css
    assert "viewBox=%270 0 10 20%27" in css and "d=%27M0 0z%27" in css
    assert "no-such-icon" not in css


def test_only_the_per_icon_rules_leave_the_theme_stylesheet():
    css = '.btn{color:red}.fa-house,.fa-home{--fa:"\\f015"}.fa-lg{font-size:1.25em}\n'
    css += "/*# sourceMappingURL=theme.css.map*/"
    assert without_icon_rules(css) == ".btn{color:red}.fa-lg{font-size:1.25em}\n"


# --- The one stylesheet: PurgeCSS, minified ----------------------------------------------

needs_node = pytest.mark.skipif(
    not shutil.which("node") or not (theme.ROOT / "node_modules" / "purgecss").is_dir(),
    reason="PurgeCSS runs under Node: install Node.js and run `npm ci`",
)


def test_minify_drops_comments_and_spaces_but_keeps_licences():
    css = "/*! Bootstrap | MIT */\n/* a note */\n.a > .b ,\n.c {\n  color : red;\n}\n"
    assert theme.minify(css) == "/*! Bootstrap | MIT */ .a>.b,.c{color : red}\n"


@needs_node
def test_purge_keeps_what_pages_and_scripts_use_and_drops_the_rest(tmp_path):
    page = tmp_path / "page.html"
    page.write_text('<div class="used">menu shown hidden</div>', encoding="utf-8")
    script = tmp_path / "app.js"
    script.write_text('el.classList.add("shown")', encoding="utf-8")
    css = ".used{a:1}.shown{b:2}.hidden{c:3}.menu{d:4}.tooltip{e:5}div{f:6}"
    (page.parent / "tooltip.html").write_text('<i class="tooltip"></i>', encoding="utf-8")
    pages = [page, page.parent / "tooltip.html"]
    kept = theme.minify(theme.purge(css, pages, [script]))
    # classes in the markup and strings in scripts stay; words of the prose do not count;
    # the blocklist (Bootstrap's tooltips) wins over a page that names the class
    assert kept == ".used{a:1}.shown{b:2}div{f:6}\n"


def test_a_build_without_purgecss_stops_at_once_and_says_run_npm_ci(tmp_path, monkeypatch):
    monkeypatch.setattr(theme, "ROOT", tmp_path)
    with pytest.raises(ExtensionError, match="run `npm ci`"):
        theme._node()


def test_the_site_stylesheet_holds_every_stylesheet_in_the_order_pages_linked_them():
    css = [
        _CascadingStyleSheet("_static/book.css", priority=800),
        _CascadingStyleSheet("_static/pygments.css", priority=200),
        _CascadingStyleSheet("https://example.org/remote.css"),
    ]
    app = SimpleNamespace(builder=SimpleNamespace(_css_files=css))
    assert theme.stylesheets(app) == [*theme.THEME_STYLESHEETS, "pygments.css", "book.css"]
