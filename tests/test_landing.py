"""The landing page presents every chapter, and every chapter says what it teaches.

The tables of contents of ``docs/index.md`` are hidden: they make the sidebar and the
previous and next links, while the landing page lists each part itself. These checks keep
the two lists in step and each chapter's "What you will learn" in its place.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
INDEX = (DOCS / "index.md").read_text(encoding="utf-8")

_TOCTREE = re.compile(r"```\{toctree\}\n(.*?)```", re.DOTALL)
_PARTS = ("core/", "orm/", "production/", "reference/")


def toctree_pages() -> list[str]:
    pages = []
    for body in _TOCTREE.findall(INDEX):
        assert ":hidden:" in body.splitlines(), "the landing page presents the parts itself"
        pages += [line for line in body.splitlines() if line and not line.startswith(":")]
    return pages


CHAPTERS = [page for page in toctree_pages() if page.startswith(_PARTS)]
# Pages read from top to bottom; the cheat sheet and the errors page are looked up.
LOOKUP_PAGES = {"reference/cheat-sheet", "reference/errors"}


def test_the_landing_page_lists_every_chapter_of_parts_one_to_four():
    prose = _TOCTREE.sub("", INDEX).split("## Part I ", 1)[1]  # after the routes' cards
    listed = re.findall(r"^- \{doc\}`([^`]+)`", prose, re.MULTILINE)
    assert listed == CHAPTERS  # one line per chapter, in the sidebar's order
    assert len(CHAPTERS) > 20


@pytest.mark.parametrize("page", [p for p in CHAPTERS if p not in LOOKUP_PAGES])
def test_each_chapter_opens_with_what_you_will_learn(page):
    lines = (DOCS / f"{page}.md").read_text(encoding="utf-8").splitlines()
    title = next(i for i, line in enumerate(lines) if line.startswith("# "))
    assert lines[title + 1 : title + 4] == [
        "",
        ":::{admonition} What you will learn",
        ":class: what-you-will-learn",
    ]
    end = lines.index(":::", title + 4)
    bullets = [line for line in lines[title + 4 : end] if line.startswith("- ")]
    assert 3 <= len(bullets) <= 5, bullets
