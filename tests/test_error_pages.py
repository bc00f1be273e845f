"""The errors part: ``reference/errors.md`` and one page per part in ``reference/errors/``.

Readers arrive at ``reference/errors.html#7s2a`` with a code from a traceback. The section is
on the page of its part; the first page's tables link every section, and a few lines of
script on that page follow the link whose fragment is the address's (the browser test
``test_an_error_code_in_the_address_of_the_errors_page_leads_to_its_section`` proves it).
So every section that has a label must be linked from those tables, or the address with its
label would lead nowhere.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
INDEX = (DOCS / "reference" / "errors.md").read_text(encoding="utf-8")
PARTS = sorted((DOCS / "reference" / "errors").glob("*.md"))

_LABEL = re.compile(r"^\(([a-z0-9-]+)\)=$")
_REF = re.compile(r"\{ref\}`[^`<]*<([a-z0-9-]+)>`")


def label_groups(text: str) -> list[set[str]]:
    """The labels of a page, grouped when they stand together above one target."""
    groups: list[set[str]] = []
    previous_was_label = False
    for line in text.splitlines():
        found = _LABEL.match(line)
        if found and previous_was_label:
            groups[-1].add(found[1])
        elif found:
            groups.append({found[1]})
        previous_was_label = bool(found)
    return groups


@pytest.mark.parametrize("part", PARTS, ids=lambda path: path.stem)
def test_the_first_page_links_every_section_of_each_part(part: Path):
    linked = set(_REF.findall(INDEX))
    groups = label_groups(part.read_text(encoding="utf-8"))
    assert groups, f"{part.name} has no labelled sections"
    unlinked = [sorted(group) for group in groups if not group & linked]
    assert unlinked == [], f"sections of {part.name} that reference/errors.md does not link"


def test_labels_are_grouped_by_the_target_they_stand_above():
    text = "(a)=\n(b)=\n## A\n\n(c)=\n## C\n"
    assert label_groups(text) == [{"a", "b"}, {"c"}]
