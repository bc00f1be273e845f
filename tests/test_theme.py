"""booktools.sphinxext.theme: the theme's icons drawn from a small stylesheet instead of FontAwesome."""

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
