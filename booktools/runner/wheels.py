"""The pure-Python wheels that Pyodide installs: the SQLAlchemy series being built, and its one
pure-Python dependency, typing-extensions.

They are the ``py3-none-any`` wheels of exactly the versions installed here, downloaded once
from the package index into ``build/pyodide-wheels/`` (never committed), so that the browser,
the Node check and the tests all run the SQLAlchemy that the book was verified with.
"""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

from booktools.pages import ROOT

WHEELS = ROOT / "build" / "pyodide-wheels"
PACKAGES = ("SQLAlchemy", "typing_extensions")


class WheelsUnavailable(RuntimeError):
    """A wheel could not be downloaded; the message says which, and what to do."""


def pure_python_wheels() -> list[Path]:
    """The wheels of the installed SQLAlchemy and typing-extensions, downloading any missing."""
    wheels = []
    for name in PACKAGES:
        pinned = f"{name}=={version(name)}"
        folder = WHEELS / pinned
        found = sorted(folder.glob("*-py3-none-any.whl"))
        if not found:
            command = [
                sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                "--only-binary=:all:", "--platform", "any", "--python-version", "3.14",
                "--dest", str(folder), pinned,
            ]
            try:
                result = subprocess.run(
                    command, capture_output=True, text=True, check=False, timeout=300
                )
            except subprocess.TimeoutExpired:
                raise WheelsUnavailable(f"downloading {pinned} took over 300 s") from None
            found = sorted(folder.glob("*-py3-none-any.whl"))
            if result.returncode or not found:
                raise WheelsUnavailable(
                    f"could not download the pure-Python wheel of {pinned} for Pyodide "
                    f"(pip said: {result.stderr.strip() or 'no such wheel'}); the package "
                    "index must be reachable once, after which build/pyodide-wheels/ holds it"
                )
        wheels.append(found[-1])
    return wheels
