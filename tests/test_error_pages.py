"""The errors part: ``reference/errors.md`` and one page per part in ``reference/errors/``.

Readers arrive at ``reference/errors.html#7s2a`` with a code from a traceback. The section is
on the page of its part; the first page's tables link every section, and a few lines of
script on that page follow the link whose fragment is the address's (the browser test
``test_an_error_code_in_the_address_of_the_errors_page_leads_to_its_section`` proves it).
So every label of those pages must be linked from the first page, or the address with that
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


@pytest.mark.parametrize("part", PARTS, ids=lambda path: path.stem)
def test_the_first_page_links_every_labelled_section_of_each_part(part: Path):
    lines = part.read_text(encoding="utf-8").splitlines()
    labels = [found[1] for found in map(_LABEL.match, lines) if found]
    assert labels, f"{part.name} has no labelled sections"
    unlinked = sorted(set(labels) - set(_REF.findall(INDEX)))
    assert unlinked == [], f"labels of {part.name} that reference/errors.md does not link"
