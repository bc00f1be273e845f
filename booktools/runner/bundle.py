"""The runner bundle: a zip of exactly the modules that :mod:`booktools.runner.session` needs
inside Pyodide, which unpacks it into a folder on ``sys.path``.

The packages' ``__init__.py`` files are not the repository's (``booktools.pages`` imports
markdown-it, for one): the bundle gives each a one-line docstring instead.
"""

from __future__ import annotations

import io
import zipfile

from booktools.pages import ROOT

#: The modules the session imports, besides the standard library and SQLAlchemy.
MODULES = (
    "booktools/pages/pycon.py",
    "booktools/verify/backend.py",
    "booktools/verify/capture.py",
    "booktools/verify/compare.py",
    "booktools/runner/session.py",
)
PACKAGES = ("booktools", "booktools/pages", "booktools/verify", "booktools/runner")
#: A fixed date for every member, so the same sources make the same bytes.
DATE = (2024, 1, 1, 0, 0, 0)


def runner_bundle() -> bytes:
    """The zip, with paths relative to the folder that goes on ``sys.path``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for package in PACKAGES:
            text = f'"""{package.replace("/", ".")}: the part that the browser runs."""\n'
            archive.writestr(zipfile.ZipInfo(f"{package}/__init__.py", DATE), text)
        for module in MODULES:
            info = zipfile.ZipInfo(module, DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, (ROOT / module).read_bytes())
    return buffer.getvalue()
