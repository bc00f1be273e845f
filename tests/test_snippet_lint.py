"""The code on every page is lint-clean, and no code line is wider than 100 columns.

Each page's code (its ``python`` blocks and ``pycon`` inputs, visible or not, in page order)
is one namespace, so it is checked as one module per page with the pinned ruff; findings are
reported at their page and line. The width is checked on the page itself, prompts included,
since that is what readers see and copy.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from booktools.pages import DOCS, book_pages, read_page

WIDTH = 100
#: ruff's defaults (E4, E7, E9, F), whitespace (W) and bugbear (B), less what a page does
#: on purpose
SELECT = ["E4", "E7", "E9", "F", "W", "B"]
IGNORE = [
    "E402",  # a page imports where its text needs the name, not at the top
    "F811",  # a page redefines names on purpose: a pitfall, then its fix; 2.0 and 2.1 tabs
    "F401",  # an import may be the example itself (a legacy name that fails to import)
    "E711",  # `column == None` builds SQL (IS NULL) in SQLAlchemy; `is None` would not
    "E712",  # likewise `column == False`
    "B015",  # at a prompt, a bare comparison shows its value
    "B018",  # and so does a bare expression
]


def page_modules(pages: list[Path], out: Path, docs: Path) -> dict[str, tuple[Path, list[int]]]:
    """Write each page's code as one module; its name to (page, page line of each line)."""
    modules = {}
    for page in pages:
        lines, where = [], []
        for snippet in read_page(page).snippets():
            source = snippet.source.rstrip("\n").split("\n")
            lines += source
            where += range(snippet.line, snippet.line + len(source))
        if lines:
            name = page.relative_to(docs).as_posix().replace("/", "__").replace(".md", ".py")
            (out / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
            modules[name] = (page, where)
    return modules


def lint(pages: list[Path], out: Path, docs: Path = DOCS) -> list[str]:
    modules = page_modules(pages, out, docs)
    ruff = [sys.executable, "-m", "ruff", "check", "--isolated", "--target-version", "py311"]
    options = ["--select", ",".join(SELECT), "--ignore", ",".join(IGNORE)]
    done = subprocess.run(
        [*ruff, *options, "--output-format", "json", str(out)],
        capture_output=True, text=True, check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    findings = []
    for finding in json.loads(done.stdout):
        page, where = modules[Path(finding["filename"]).name]
        line = where[finding["location"]["row"] - 1]
        where_ = f"{page.relative_to(docs.parent)}:{line}"
        findings.append((where_, line, f"{where_}: {finding['code']} {finding['message']}"))
    return [text for *_, text in sorted(findings, key=lambda f: (f[0].split(':')[0], f[1]))]


def too_wide(page: Path, docs: Path = DOCS) -> list[str]:
    model = read_page(page)
    lines = model.text.split("\n")
    found = []
    for snippet in model.snippets():
        for line in range(snippet.line, snippet.line + snippet.source.rstrip("\n").count("\n") + 1):
            if len(lines[line - 1]) > WIDTH:
                found.append(
                    f"{page.relative_to(docs.parent)}:{line}: {len(lines[line - 1])} columns "
                    f"(at most {WIDTH}, prompt included)"
                )
    return found


def test_the_code_of_every_page_is_lint_clean(tmp_path):
    assert lint(book_pages(), tmp_path) == []


@pytest.mark.parametrize("page", book_pages(), ids=lambda p: str(p.relative_to(DOCS.parent)))
def test_no_code_line_is_wider_than_100_columns(page):
    assert too_wide(page) == []


def test_findings_name_page_and_line(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    page = docs / "page.md"
    wide = "x" * (WIDTH - 3)
    page.write_text(
        f"# Page\n\n```python\nimport os\n\nvalue = undefined_name\n```\n\n"
        f"```pycon\n>>> {wide} = 1\n>>> try:\n...     pass\n... except:\n...     pass\n```\n",
        encoding="utf-8",
    )
    out = tmp_path / "modules"
    out.mkdir()
    findings = lint([page], out, docs)
    wide_lines = too_wide(page, docs)
    assert [f.split(": ")[0:2] for f in findings] == [
        ["docs/page.md:6", "F821 Undefined name `undefined_name`"],
        ["docs/page.md:13", "E722 Do not use bare `except`"],
    ]
    assert [w.split(": ")[0] for w in wide_lines] == ["docs/page.md:10"]
