"""Every ``python`` and ``pycon`` block under docs/ is a test: see booktools/verify/."""

from pathlib import Path

from booktools.verify.collect import book_sybil

pytest_plugins = ["booktools.verify.plugin"]

pytest_collect_file = book_sybil(path=str(Path(__file__).parent / "docs")).pytest()
