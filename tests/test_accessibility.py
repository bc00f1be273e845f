"""The accessibility fixes of booktools/sphinxext/accessibility.py, on the markup they fix
(the browser tests run axe-core on every built page)."""

from __future__ import annotations

from bs4 import BeautifulSoup

from booktools.sphinxext.accessibility import name_toggles

# pydata-sphinx-theme's sidebar for a chapter with pages under it, as it writes it (its
# toctree.add_collapse_checkboxes), and a part heading that folds, whose summary has text.
SIDEBAR = """<ul class="nav bd-sidenav">
<li class="toctree-l1 has-children"><a class="reference internal" href="errors.html">Errors
 &amp; "fixes"</a><details open="open"><summary><span class="toctree-toggle" role="presentation"><i
 class="fa-solid fa-chevron-down"></i></span></summary><ul>
<li class="toctree-l2"><a class="reference internal" href="errors/asyncio.html">asyncio</a></li>
</ul></details></li>
<li class="toctree-l0 has-children"><details><summary><p class="caption">Part I</p><span
 class="toctree-toggle" role="presentation"></span></summary><ul></ul></details></li>
</ul>"""


def test_the_sidebars_nameless_toggles_are_named_after_their_chapter_once():
    soup = BeautifulSoup(SIDEBAR, "html.parser")
    name_toggles(soup)
    name_toggles(soup)  # the theme caches the tree: a second page gets the same one
    labels = [summary.get("aria-label") for summary in soup.select("summary")]
    assert labels == ['Pages under Errors & "fixes"', None]  # the part's has its text
    # and the page as written says the same (the title's & and quotes escaped)
    written = BeautifulSoup(str(soup), "html.parser")
    assert written.select_one("summary")["aria-label"] == 'Pages under Errors & "fixes"'
