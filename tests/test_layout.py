"""The layout keeps its promises: building the book loads no test machinery.

``docs/conf.py`` and every Sphinx extension of the book are imported in a fresh interpreter,
as ``sphinx-build`` imports them; pytest, Sybil and the harness (``booktools.verify``) must
not be among the modules that loaded. The page model they share imports none of them either.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEST_MACHINERY = ("pytest", "_pytest", "sybil", "booktools.verify")

PROBE = textwrap.dedent(
    """\
    import importlib, importlib.util, runpy, sys
    conf = runpy.run_path({conf!r})
    for name in conf["extensions"]:
        # The docs group's extensions (sitemap, 404 page...) are not in every test session;
        # the book's own are, and each of them is imported.
        if name.startswith("booktools.") or importlib.util.find_spec(name.split(".")[0]):
            importlib.import_module(name)
    import booktools.pages
    loaded = sorted(
        m for m in sys.modules if m.split(".")[0] in {machinery!r} or m.startswith({machinery!r})
    )
    print(",".join(loaded))
    print("booktools.sphinxext.downloads" in sys.modules)
    """
)


def test_building_the_book_imports_no_test_machinery():
    probe = PROBE.format(conf=str(ROOT / "docs" / "conf.py"), machinery=TEST_MACHINERY)
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    loaded, downloads_loaded = done.stdout.splitlines()
    assert downloads_loaded == "True"  # the probe did import the extensions
    assert loaded == ""


def test_the_probe_sees_test_machinery_when_it_is_loaded():
    probe = "import booktools.verify.collect\n" + PROBE.format(
        conf=str(ROOT / "docs" / "conf.py"), machinery=TEST_MACHINERY
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    loaded = done.stdout.splitlines()[0].split(",")
    assert {"pytest", "sybil", "booktools.verify.collect"} <= set(loaded)
