"""Sphinx configuration of SQLAlchemy by Example."""

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

from sphinx.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # booktools.sphinxext: the book's own Sphinx extensions

from booktools.sphinxext import inventory

project = "SQLAlchemy by Example"
author = "The SQLAlchemy by Example authors"
copyright = "2026, " + author
REPOSITORY_URL = "https://github.com/sqlalchemy-by-example/sqlalchemy-by-example"
# Where the book is published. The sitemap, the OpenGraph tags and the 404 page need
# absolute URLs; Read the Docs supplies its own, and BOOK_BASE_URL overrides both.
BASE_URL = (
    os.environ.get("BOOK_BASE_URL")
    or os.environ.get("READTHEDOCS_CANONICAL_URL")
    or "https://sqlalchemy-by-example.github.io/sqlalchemy-by-example/"
)

extensions = [
    "myst_nb",
    "sphinx.ext.intersphinx",
    "sphinx_copybutton",
    "sphinx_design",
    "booktools.sphinxext.sql_panels",  # SQL panels in pycon blocks
    "booktools.sphinxext.verified_with",  # what the book was verified with
    "booktools.sphinxext.pages",  # every page read by the page model: tags checked
    "booktools.sphinxext.highlighting",  # one Pygments formatter per set of options
    "booktools.sphinxext.api_links",
    "booktools.sphinxext.theme",
    "booktools.sphinxext.schema_diagrams",  # {schema-diagram}: a page's tables, drawn as SVG
    "booktools.sphinxext.tabs",  # a chosen backend or series tab is remembered across pages
    "notfound.extension",
    "sphinx_sitemap",
    "sphinxext.opengraph",
    "booktools.sphinxext.downloads",  # each page with snippets as a notebook and a script
    "booktools.sphinxext.run_buttons",  # Run, Edit, Reset: the examples run in the browser
    "booktools.sphinxext.search",  # the search index (Pagefind) and the search-as-you-type box
    "booktools.sphinxext.accessibility",  # hidden notebook cells and sidebar toggles named
]
# labels such as SQLAlchemy's error codes, (7s2a)=, keep their exact name as their id
extensions.append("booktools.sphinxext.label_ids")

exclude_patterns = ["_build"]
nitpicky = True

myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
# Pages are not executed, except notebook pages that opt in with `mystnb: execution_mode:
# cache` in their front matter (docs/orm/performance.md). Those run once, and again only
# when their code changes; the cache lives outside the output directory, one per problem
# size, so that a reduced-size run (BOOK_PERF_SCALE=small) never stands in for a full one.
nb_execution_mode = "off"
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_execution_timeout = 180  # seconds per cell
nb_execution_cache_path = str(
    ROOT / "build" / "jupyter-cache" / os.environ.get("BOOK_PERF_SCALE", "full")
)

# Links into the official documentation of the SQLAlchemy version installed here, all checked
# offline against that version's own docs: its API through intersphinx, with an inventory made
# from its source distribution, e.g. {py:func}`create_engine() <sqlalchemy.create_engine>`
# (and inline code naming an API object links by itself); its narrative pages with the
# {sqla} role, e.g. {sqla}`Cascades <orm/cascades.html>`. See booktools/sphinxext/api_links.py.
SQLALCHEMY_DOCS = inventory.local_docs()
if not SQLALCHEMY_DOCS.inventory.exists() or not SQLALCHEMY_DOCS.anchors.exists():
    raise ConfigError(
        f"The inventory of the SQLAlchemy {SQLALCHEMY_DOCS.version} documentation is missing "
        f"({SQLALCHEMY_DOCS.inventory.relative_to(ROOT)}). Make it with "
        f"'{inventory.COMMAND}' (it downloads SQLAlchemy's source distribution with pip, "
        "once), or build with 'nox -s docs', which does that first."
    )
intersphinx_mapping = {"sqlalchemy": (SQLALCHEMY_DOCS.url, str(SQLALCHEMY_DOCS.inventory))}
intersphinx_disabled_reftypes = ["std:*"]  # {doc} and {ref} never fall back to SQLAlchemy's
sqla_url = SQLALCHEMY_DOCS.url
sqla_anchors = str(SQLALCHEMY_DOCS.anchors)

# Copy only the Python input of a session: prompts stripped, output and SQL left out.
copybutton_prompt_text = r">>> |\.\.\.(?: |$)"
copybutton_prompt_is_regexp = True
copybutton_only_copy_prompt_lines = True
copybutton_selector = "div:not(.output-only):not(.sql-echo) > div.highlight > pre"

html_theme = "sphinx_book_theme"
html_title = project
templates_path = ["_templates"]
html_static_path = ["_static"]
html_css_files = ["book.css"]
html_favicon = "_static/favicon.svg"
html_baseurl = BASE_URL
html_last_updated_fmt = None

# Sharing and discovery: a sitemap, OpenGraph tags and a description for every page (from
# its first paragraph), and a 404 page whose links work from any missing URL.
sitemap_url_scheme = "{link}"
ogp_site_url = BASE_URL
ogp_site_name = project
ogp_social_cards = {"enable": False}  # drawn with matplotlib at build time; not worth it
notfound_urls_prefix = urlsplit(BASE_URL).path
html_theme_options = {
    "repository_url": REPOSITORY_URL,
    "repository_branch": "main",
    "path_to_docs": "docs",
    "use_repository_button": True,
    "use_edit_page_button": True,
    "use_download_button": True,
    "home_page_in_toc": True,
    "show_toc_level": 2,
    # The sidebar lists chapters, not their sections. Not collapsing it made Sphinx copy
    # every chapter's sections into every page's sidebar, only to drop them again: a tenth
    # of the build. No chapter has chapters under it, so nothing else collapses.
    "collapse_navbar": True,
    # No top bar: pydata-sphinx-theme 0.20 fills its header with a second search field
    # unless this is set, and the header holds nothing else. The book's own header (the
    # article header: sidebar toggle, repository and download buttons, theme switch,
    # search button on narrow screens) and the sidebar's search field remain.
    "navbar_persistent": [],
    # The landing page lays its routes out in three cards: it needs the width more than
    # a list of its own sections.
    "secondary_sidebar_items": {"**": ["page-toc.html"], "index": []},
}
# With no default, the theme's script logs "Got invalid theme mode"; "auto" follows the OS.
html_context = {"default_mode": "auto"}
