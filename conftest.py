"""Every ``python`` and ``pycon`` block under docs/ is a test: see booktools/harness.py."""

from pathlib import Path

from booktools.harness import book_sybil

pytest_plugins = ["booktools.pytest_plugin"]

pytest_collect_file = book_sybil(path=str(Path(__file__).parent / "docs")).pytest()
