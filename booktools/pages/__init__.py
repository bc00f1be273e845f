"""The book's pages as data: see :mod:`booktools.pages.model` (blocks, run tags, steps) and
:mod:`booktools.pages.pycon` (the syntax of a ``pycon`` block). Neither imports pytest,
Sybil, SQLAlchemy or Sphinx."""

from pathlib import Path

from .model import (
    BACKENDS,
    RUN_TAG,
    SCHEMA_DIAGRAM,
    Block,
    Fence,
    Page,
    PageError,
    Skip,
    Snippet,
    parse_page,
    read_page,
    runs_on,
)
from .pycon import Segment, Step

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def book_pages(docs: Path = DOCS) -> list[Path]:
    """Every page of the book (Sphinx's copies under ``_build`` are not pages)."""
    return sorted(p for p in docs.rglob("*.md") if "_build" not in p.relative_to(docs).parts)


__all__ = [
    "BACKENDS",
    "DOCS",
    "ROOT",
    "RUN_TAG",
    "SCHEMA_DIAGRAM",
    "Block",
    "Fence",
    "Page",
    "PageError",
    "Segment",
    "Skip",
    "Snippet",
    "Step",
    "book_pages",
    "parse_page",
    "read_page",
    "runs_on",
]
