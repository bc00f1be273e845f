"""booktools.sphinxext.accessibility: markup of the theme and extensions that axe rejects,
written so that every control has a name (the browser tests run axe on the built pages)."""

from bs4 import BeautifulSoup

from booktools.sphinxext.accessibility import name_sidebar_toggles

# What pydata-sphinx-theme's generate_toctree_html gives for a chapter with pages of its own.
SIDEBAR = """<ul><li class="toctree-l1 has-children"><a class="reference internal"
href="errors.html">Errors and their fixes</a><details open="open"><summary><span
class="toctree-toggle" role="presentation"><i class="fa-solid fa-chevron-down"></i></span>
</summary><ul><li class="toctree-l2"><a href="errors/connections.html">Connection and pool
errors</a></li></ul></details></li></ul>"""


def test_a_sidebar_toggle_is_named_after_its_chapter():
    context = {"generate_toctree_html": lambda **kwargs: BeautifulSoup(SIDEBAR, "html.parser")}
    name_sidebar_toggles(None, "index", "page.html", context, None)
    toctree = context["generate_toctree_html"](kind="sidebar")
    assert toctree.select_one("summary")["aria-label"] == "Pages of Errors and their fixes"


def test_a_summary_with_text_and_a_page_without_the_theme_are_left_alone():
    with_text = SIDEBAR.replace("<summary>", "<summary>Part I")
    context = {"generate_toctree_html": lambda **kwargs: BeautifulSoup(with_text, "html.parser")}
    name_sidebar_toggles(None, "index", "page.html", context, None)
    assert not context["generate_toctree_html"]().select_one("summary").has_attr("aria-label")
    empty: dict = {}
    name_sidebar_toggles(None, "index", "page.html", empty, None)
    assert empty == {}
