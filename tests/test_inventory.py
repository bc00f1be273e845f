"""booktools.sphinxext.inventory: an objects.inv from the built docs in SQLAlchemy's sdist, offline."""

from __future__ import annotations

import io
import json
import tarfile
import zlib
from pathlib import Path

import pytest
from sphinx.util.inventory import InventoryFile

from booktools.sphinxext import inventory

# The shape of Sphinx's searchindex.js: objects grouped by prefix, anchors shortened to ""
# (the full name) or "-" (role-fullname), names HTML-escaped, a title per page.
SEARCH_INDEX = {
    "docnames": ["core/selectable", "orm/relationship_api", "orm/session_api", "index"],
    "filenames": [
        "core/selectable.rst",
        "orm/relationship_api.rst",
        "orm/session_api.rst",
        "index.rst",
    ],
    "titles": [
        "SELECT and Related Constructs",
        "Relationships API",
        "Session API",
        "SQLAlchemy &amp; you",
    ],
    "objtypes": {
        "0": "py:module",
        "1": "py:function",
        "2": "py:class",
        "3": "py:method",
        "4": "py:parameter",
    },
    "objnames": {},
    "objects": {
        "sqlalchemy.sql.expression": [[0, 1, 1, "", "select"]],
        "sqlalchemy.orm": [[1, 1, 1, "", "relationship"], [2, 2, 1, "", "Session"]],
        "sqlalchemy.orm.Session": [[2, 3, 1, "", "execute"]],
        "sqlalchemy.orm.Session.params": [[2, 4, 1, "", "expire_on_commit"]],
        "sqlalchemy": [[2, 0, 0, "-", "orm"]],
        "sqlalchemy.sql.expression.ColumnOperators": [
            [0, 3, 1, "", "__lt__"],
            [0, 3, 1, "custom-anchor", "op"],
        ],
    },
    "alltitles": {},
    "terms": {},
    "titleterms": {},
    "indexentries": {},
    "envversion": {},
}
PAGES = {
    "orm/session_api.html": '<section id="session-api"><dt id="sqlalchemy.orm.Session">',
    "core/selectable.html": '<p id="sqlalchemy.sql.expression.select">x</p>',
}


def fake_sdist(path: Path, version: str = "9.9.9") -> Path:
    """A tarball laid out like SQLAlchemy's sdist, with a tiny built documentation."""
    files = {"doc/searchindex.js": "Search.setIndex(" + json.dumps(SEARCH_INDEX) + ")"}
    files |= {f"doc/{page}": html for page, html in PAGES.items()}
    files["doc/_static/skipped.html"] = '<p id="not-a-page">'
    files["lib/sqlalchemy/__init__.py"] = ""
    with tarfile.open(path, "w:gz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"sqlalchemy-{version}/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def read_lines(path: Path) -> list[str]:
    header, _, body = path.read_bytes().partition(b"zlib.\n")
    assert header.startswith(b"# Sphinx inventory version 2\n# Project: SQLAlchemy\n")
    return zlib.decompress(body).decode().splitlines()


@pytest.fixture
def docs(tmp_path: Path) -> inventory.LocalDocs:
    folder = tmp_path / "9.9.9"
    folder.mkdir()
    fake_sdist(folder / "sqlalchemy-9.9.9.tar.gz")  # in the cache: nothing is downloaded
    return inventory.LocalDocs(
        "9.9.9", "https://example.invalid/", folder / "objects.inv", folder / "anchors.json"
    )


def test_published_docs_of_the_series() -> None:
    assert inventory.local_docs("2.1.9").url == "https://docs.sqlalchemy.org/en/21/"
    assert inventory.local_docs("2.0.44").url == "https://docs.sqlalchemy.org/en/20/"
    assert inventory.local_docs("2.1.9").inventory.parts[-3:] == (
        "sqlalchemy-docs",
        "2.1.9",
        "objects.inv",
    )


def test_inventory_lines(docs: inventory.LocalDocs) -> None:
    assert inventory.make(docs)
    assert read_lines(docs.inventory) == [
        "core/selectable std:doc -1 core/selectable.html SELECT and Related Constructs",
        "index std:doc -1 index.html SQLAlchemy & you",
        "orm/relationship_api std:doc -1 orm/relationship_api.html Relationships API",
        "orm/session_api std:doc -1 orm/session_api.html Session API",
        "sqlalchemy.orm py:module 0 orm/session_api.html#module-$ -",
        "sqlalchemy.orm.Session py:class 1 orm/session_api.html#$ -",
        "sqlalchemy.orm.Session.execute py:method 1 orm/session_api.html#$ -",
        ("sqlalchemy.orm.Session.params.expire_on_commit py:parameter 1 orm/session_api.html#$ -"),
        "sqlalchemy.orm.relationship py:function 1 orm/relationship_api.html#$ -",
        ("sqlalchemy.sql.expression.ColumnOperators.__lt__ py:method 1 core/selectable.html#$ -"),
        (
            "sqlalchemy.sql.expression.ColumnOperators.op py:method 1 "
            "core/selectable.html#custom-anchor -"
        ),
        "sqlalchemy.sql.expression.select py:function 1 core/selectable.html#$ -",
    ]


def test_anchors_of_every_page(docs: inventory.LocalDocs) -> None:
    inventory.make(docs)
    assert json.loads(docs.anchors.read_text()) == {
        "core/selectable.html": ["sqlalchemy.sql.expression.select"],
        "orm/session_api.html": ["session-api", "sqlalchemy.orm.Session"],
    }


def test_made_once(docs: inventory.LocalDocs) -> None:
    assert inventory.make(docs)
    docs.inventory.write_bytes(b"kept")
    assert not inventory.make(docs)
    assert docs.inventory.read_bytes() == b"kept"
    assert inventory.make(docs, force=True)
    assert docs.inventory.read_bytes() != b"kept"


def test_round_trip_through_sphinx(docs: inventory.LocalDocs) -> None:
    inventory.make(docs)
    loaded = InventoryFile.loads(
        docs.inventory.read_bytes(), uri="https://docs.sqlalchemy.org/en/21/"
    )
    data = getattr(loaded, "data", loaded)  # a plain dict before Sphinx 9

    def uri(role: str, name: str) -> str:
        item = data[role][name]
        return getattr(item, "uri", None) or item[2]  # a tuple before Sphinx 8.2

    base = "https://docs.sqlalchemy.org/en/21/"
    assert uri("py:method", "sqlalchemy.orm.Session.execute") == (
        base + "orm/session_api.html#sqlalchemy.orm.Session.execute"
    )
    assert uri("py:function", "sqlalchemy.orm.relationship") == (
        base + "orm/relationship_api.html#sqlalchemy.orm.relationship"
    )
    assert uri("py:function", "sqlalchemy.sql.expression.select") == (
        base + "core/selectable.html#sqlalchemy.sql.expression.select"
    )
    assert uri("py:module", "sqlalchemy.orm") == (
        base + "orm/session_api.html#module-sqlalchemy.orm"
    )
    assert uri("std:doc", "orm/session_api") == base + "orm/session_api.html"
    title = data["std:doc"]["index"]
    assert (getattr(title, "display_name", None) or title[3]) == "SQLAlchemy & you"


def test_an_sdist_without_docs_is_an_error(tmp_path: Path) -> None:
    with tarfile.open(tmp_path / "empty.tar.gz", "w:gz"):
        pass
    with pytest.raises(SystemExit, match="no doc/searchindex.js"):
        inventory.read_docs(tmp_path / "empty.tar.gz")
