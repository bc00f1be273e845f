"""An intersphinx inventory of the SQLAlchemy documentation, made offline from the sdist.

The book links SQLAlchemy names to the official API documentation of the version it is
tested with. Sphinx resolves such links with intersphinx, which needs that documentation's
``objects.inv``; the site publishes one, but the book must build without network. The
source distribution on the package index carries the *built* HTML documentation, including
Sphinx's search index (``doc/searchindex.js``), which lists every documented Python object
with its page and anchor, and every page. This module turns that into an ``objects.inv``::

    python -m booktools.sphinxext.inventory

It downloads the sdist of the installed SQLAlchemy with pip (once, into
``build/sqlalchemy-docs/<version>/``), then writes next to it

* ``objects.inv``: the ``py`` objects (classes, functions, methods, attributes, ...) with
  their roles and anchors, and a ``std:doc`` entry per page;
* ``anchors.json``: every page and the ids in it, which the ``{sqla}`` role checks links to
  narrative sections against (see :mod:`booktools.sphinxext.api_links`).

Nothing third-party is committed: both files are derived, under ``build/``.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import subprocess
import sys
import tarfile
import tempfile
import zlib
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "build" / "sqlalchemy-docs"
COMMAND = "python -m booktools.sphinxext.inventory"


class Entry(NamedTuple):
    """One line of an ``objects.inv``: name, ``domain:role``, priority, URI, display name."""

    name: str
    role: str
    priority: int
    uri: str
    display: str = "-"


class LocalDocs(NamedTuple):
    """Where the published documentation of one SQLAlchemy version is, and our copies."""

    version: str
    url: str  # the published documentation, e.g. https://docs.sqlalchemy.org/en/21/
    inventory: Path
    anchors: Path


def local_docs(version: str | None = None) -> LocalDocs:
    version = version or installed_version("sqlalchemy")
    major, minor = version.split(".")[:2]
    folder = CACHE / version
    return LocalDocs(
        version,
        f"https://docs.sqlalchemy.org/en/{major}{minor}/",
        folder / "objects.inv",
        folder / "anchors.json",
    )


def download_sdist(version: str, folder: Path) -> Path:
    """The sdist of SQLAlchemy ``version`` in ``folder``, downloaded with pip if missing."""
    name = f"sqlalchemy-{version}.tar.gz"
    if not (folder / name).exists():
        folder.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"]
        command += ["--no-binary", ":all:", "--dest", str(folder), f"sqlalchemy=={version}"]
        subprocess.run(command, check=True)
    return folder / name


def search_index(text: str) -> dict:
    """The data of a Sphinx ``searchindex.js``: the JSON inside ``Search.setIndex(...)``."""
    return json.loads(text[text.index("(") + 1 : text.rindex(")")])


def read_docs(sdist: Path) -> tuple[dict, dict[str, list[str]]]:
    """The search index of the sdist's built docs, and the ids of each of its HTML pages."""
    index, anchors = None, {}
    with tarfile.open(sdist) as tar:
        for member in tar:
            top, _, path = member.name.partition("/doc/")
            if not path or "/" in top or not member.isfile():
                continue
            if path == "searchindex.js":
                index = search_index(tar.extractfile(member).read().decode())
            elif path.endswith(".html") and not path.startswith("_"):
                page = tar.extractfile(member).read().decode()
                anchors[path] = sorted(set(re.findall(r'\sid="([^"]+)"', page)))
    if index is None:
        raise SystemExit(f"{sdist} has no doc/searchindex.js: cannot make an inventory from it")
    return index, anchors


def entries(index: dict) -> list[Entry]:
    """Inventory entries for what a Sphinx search index lists: objects and pages.

    The index groups objects by prefix (``sqlalchemy.orm.Session``: [..., "execute"]) and
    shortens anchors: "" is the full name, "-" is ``role-fullname`` (modules); see
    ``IndexBuilder.get_objects`` in ``sphinx/search/__init__.py``.
    """
    docs = index["docnames"]
    result = []
    for prefix, objects in index["objects"].items():
        for doc, kind, priority, anchor, name in objects:
            fullname = html.unescape(f"{prefix}.{name}" if prefix else name)
            role = index["objtypes"][str(kind)]
            if anchor == "":
                anchor = fullname
            elif anchor == "-":
                anchor = f"{role.partition(':')[2]}-{fullname}"
            result.append(Entry(fullname, role, priority, f"{docs[doc]}.html#{anchor}"))
    for doc, title in zip(docs, index["titles"], strict=True):
        result.append(Entry(doc, "std:doc", -1, f"{doc}.html", html.unescape(title)))
    return sorted(result)


def write_inventory(path: Path, project: str, version: str, items: list[Entry]) -> None:
    """Write ``items`` as a Sphinx inventory, version 2 (the format ``objects.inv`` has)."""
    lines = []
    for name, role, priority, uri, display in items:
        if "#" in uri and uri.endswith(name):  # shortened as Sphinx does it
            uri = uri.removesuffix(name) + "$"
        display = "-" if display == name else re.sub(r"\s+", " ", display)
        lines.append(f"{name} {role} {priority} {uri} {display}\n")
    header = (
        f"# Sphinx inventory version 2\n# Project: {project}\n# Version: {version}\n"
        "# The remainder of this file is compressed using zlib.\n"
    )
    path.write_bytes(header.encode() + zlib.compress("".join(lines).encode(), 9))


def make(docs: LocalDocs, *, force: bool = False) -> bool:
    """Write ``docs.inventory`` and ``docs.anchors`` unless present; True if it wrote them."""
    if not force and docs.inventory.exists() and docs.anchors.exists():
        return False
    index, anchors = read_docs(download_sdist(docs.version, docs.inventory.parent))
    with tempfile.TemporaryDirectory(dir=docs.inventory.parent) as tmp:
        # written aside, then moved: an interrupted run leaves no half-written files
        inventory, pages = Path(tmp, "objects.inv"), Path(tmp, "anchors.json")
        write_inventory(inventory, "SQLAlchemy", docs.version, entries(index))
        pages.write_text(json.dumps(anchors, sort_keys=True) + "\n", "utf-8")
        pages.replace(docs.anchors)
        inventory.replace(docs.inventory)
    return True


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", help="SQLAlchemy version (default: the installed one)")
    parser.add_argument("--force", action="store_true", help="remake the files if present")
    args = parser.parse_args(argv)
    docs = local_docs(args.version)
    state = "written" if make(docs, force=args.force) else "up to date"
    print(f"SQLAlchemy {docs.version} inventory {state}: {docs.inventory.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
