"""Sphinx extension: every page is read by the page model, so the build fails as the tests do.

A page the model refuses (an unknown run tag, a ``% only:`` inside a tab-item, a malformed
``pycon`` block; see :mod:`booktools.pages.model`) is a warning at its page and line, which
``-W`` turns into a failed build.
"""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.util import logging

from booktools.pages import PageError, parse_page

logger = logging.getLogger(__name__)


def check_page(app: Sphinx, docname: str, source: list[str]) -> None:
    path = app.env.doc2path(docname)
    if str(path).endswith(".md"):
        try:
            # kept while the page is read, for the directives that need it (schema diagrams)
            app.env.temp_data["book_page"] = parse_page(path, source[0])
        except PageError as error:
            logger.warning(error.message, location=(docname, error.line))


def setup(app: Sphinx) -> dict:
    app.connect("source-read", check_page)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
