"""Sphinx configuration of SQLAlchemy by Example."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # booktools: the SQL panels and the "verified with" directive

project = "SQLAlchemy by Example"
author = "The SQLAlchemy by Example authors"
copyright = "2026, " + author
REPOSITORY_URL = "https://github.com/sqlalchemy-by-example/sqlalchemy-by-example"

extensions = [
    "myst_nb",
    "sphinx.ext.extlinks",
    "sphinx_copybutton",
    "sphinx_design",
    "booktools.sphinx_ext",
]

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

# Links into the official documentation of the newest SQLAlchemy series, e.g.
# {sqla}`create_engine() <core/engines.html#sqlalchemy.create_engine>`.
extlinks = {"sqla": ("https://docs.sqlalchemy.org/en/21/%s", "%s")}

# Copy only the Python input of a session: prompts stripped, output and SQL left out.
copybutton_prompt_text = r">>> |\.\.\.(?: |$)"
copybutton_prompt_is_regexp = True
copybutton_only_copy_prompt_lines = True
copybutton_selector = "div:not(.output-only):not(.sql-echo) > div.highlight > pre"

html_theme = "sphinx_book_theme"
html_title = project
html_static_path = ["_static"]
html_css_files = ["book.css"]
html_theme_options = {
    "repository_url": REPOSITORY_URL,
    "repository_branch": "main",
    "path_to_docs": "docs",
    "use_repository_button": True,
    "use_edit_page_button": True,
    "use_download_button": True,
    "home_page_in_toc": True,
    "show_toc_level": 2,
}
