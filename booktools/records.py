"""Records of test runs, so that the book states what it was verified with.

Each complete, green run of the book's snippets writes one JSON record per backend and
SQLAlchemy series into ``build/verification/``. The Sphinx build reads them back and shows
only the records made from exactly the sources it is building, so the versions printed in
the book are never typed by hand and never stale.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import platform
import sqlite3
from pathlib import Path

from .pages import book_pages

ROOT = Path(__file__).resolve().parent.parent
RECORDS = ROOT / "build" / "verification"


def sources_digest() -> str:
    """A fingerprint of everything whose change could change a test outcome."""
    files = book_pages() + sorted((ROOT / "booktools").rglob("*.py"))
    files += sorted((ROOT / "booktools").rglob("*.mjs"))  # the Pyodide run's JavaScript
    files += sorted((ROOT / "examples").rglob("*.py"))
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def write_record(
    backend: str,
    backend_version: str,
    series: str,
    counts: dict[str, int],
    python: str | None = None,
    extra: dict[str, str] | None = None,
) -> Path:
    """Write the record of a green run; ``python`` is the version the run used (this
    interpreter's unless given: the Pyodide run's is not), ``extra`` more facts about it."""
    import sqlalchemy

    record = {
        "backend": backend,
        "backend_version": backend_version,
        "sqlalchemy": sqlalchemy.__version__,
        "series": series,
        "python": python or platform.python_version(),
        "date": datetime.datetime.now(datetime.UTC).date().isoformat(),
        "sources": sources_digest(),
        **counts,
        **(extra or {}),
    }
    RECORDS.mkdir(parents=True, exist_ok=True)
    path = RECORDS / f"{backend}-{series}.json"
    path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return path


def current_records() -> list[dict]:
    """Green records made from the current sources, SQLite first, newest series first."""
    if not RECORDS.is_dir():
        return []
    digest = sources_digest()
    records = [json.loads(p.read_text(encoding="utf-8")) for p in RECORDS.glob("*.json")]
    records = [r for r in records if r["sources"] == digest and r["failed"] == 0]
    return sorted(records, key=lambda r: (r["backend"] != "sqlite", r["backend"], r["series"]))


#: The backend of the records of ``nox -s pyodide``: the examples that run in the reader's
#: browser, run on Pyodide in Node (its own Python and SQLite), see booktools/runner/check.py.
PYODIDE = "pyodide"


def backend_name(record: dict) -> str:
    if record["backend"] == PYODIDE:
        return (
            f"Pyodide {record['backend_version']} (SQLite {record.get('sqlite', '?')}) "
            f"in {record.get('runtime', 'Node')}"
        )
    name = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(record["backend"])
    return f"{name or record['backend']} {record['backend_version']}"


def summary(records: list[dict]) -> str:
    """One sentence naming the versions and backends of ``records`` (from current_records),
    and one more for the browser's examples when a Pyodide run is among them."""
    tests = [r for r in records if r["backend"] != PYODIDE] or records
    browser = [r for r in records if r["backend"] == PYODIDE and r is not tests[0]]
    backends = sorted({backend_name(r) for r in tests})
    versions = sorted({r["sqlalchemy"] for r in tests})
    text = (
        f"Verified on {tests[0]['date']} with SQLAlchemy {' and '.join(versions)} "
        f"on {' and '.join(backends)}, Python {tests[0]['python']}."
    )
    if browser:
        text += (
            " The examples that run in the browser were also verified on Pyodide's Python "
            f"{browser[0]['python']} (SQLite {browser[0].get('sqlite', '?')}) in Node."
        )
    return text


def sqlite_version() -> str:
    return sqlite3.sqlite_version
