"""No Python code on a page escapes the tests.

The harness runs ```python and ```pycon blocks. A block in another Python-like language, or
with no language at all (Sphinx would still highlight it as Python), would be shown to
readers without ever being run; this test fails on every such block.

The one exception is ``{code-cell}`` on a page that the build executes as a notebook (see
``executes_as_notebook``); tests/test_notebook_pages.py runs those pages.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from booktools.pages import book_pages, parse_page
from booktools.pages.model import CODE_DIRECTIVES, RUNNABLE

PYTHON_LIKE = {
    "py", "py3", "python3", "python2", "pycon3", "ipython", "ipython3", "ipython2",
    "pytb", "py3tb", "pytb3", "default", "ipythonconsole",
}
#: the MyST-NB execution modes that run a text notebook (docs/conf.py sets "off" for the rest)
EXECUTING_MODES = {"auto", "cache", "force", "inline"}


def executes_as_notebook(front_matter: str) -> bool:
    """Whether the build executes the page's ``{code-cell}`` blocks: a MyST-NB text
    notebook with a kernel whose front matter turns execution on for itself."""
    meta = yaml.safe_load(front_matter) or {} if front_matter else {}
    mode = (meta.get("mystnb") or {}).get("execution_mode")
    return meta.get("file_format") == "mystnb" and "kernelspec" in meta and mode in EXECUTING_MODES


def uncollected_blocks(path: Path) -> list[str]:
    page = parse_page(path)
    is_notebook = executes_as_notebook(page.front_matter)
    where = str(path.relative_to(path.parents[1]))
    problems = []
    for fence in page.fences:  # the page model never looks inside a literal block
        directive, lang = fence.directive, fence.language
        at = f"{where}:{fence.line}"
        if fence.marker == ":::" and directive in CODE_DIRECTIVES:
            problems.append(f"{at}: a :::-fenced code directive is never run")
        elif directive is None and lang == "":
            problems.append(f"{at}: a fence without a language (use python, pycon or text)")
        elif directive == "code-cell" and not is_notebook:
            problems.append(
                f"{at}: {{code-cell}} is never run on a page that the build does not execute "
                "(front matter: file_format: mystnb, a kernelspec, mystnb: execution_mode: cache)"
            )
        elif directive in CODE_DIRECTIVES - {"code-cell"} and lang not in RUNNABLE:
            if lang in PYTHON_LIKE:
                problems.append(f"{at}: {{{directive}}} {lang} is never run; use pycon or python")
        elif directive is None and lang in PYTHON_LIKE:
            problems.append(f"{at}: ```{lang} is never run; use ```python or ```pycon")
    return problems


@pytest.mark.parametrize("page", book_pages(), ids=lambda p: str(p.relative_to(p.parents[1])))
def test_every_python_block_is_run(page: Path) -> None:
    assert uncollected_blocks(page) == []


def test_the_check_catches_what_it_should(tmp_path: Path) -> None:
    page = tmp_path / "docs" / "page.md"
    page.parent.mkdir()
    page.write_text(
        "```py\nx = 1\n```\n\n```\ny = 2\n```\n\n```{code-block} python3\nz = 3\n```\n\n"
        "```pytb\nTraceback\n```\n\n:::{code-block} python\nw = 4\n:::\n\n"
        "````text\n```py\nshown as an example\n```\n````\n\n```python\nfine = True\n```\n",
        encoding="utf-8",
    )
    problems = uncollected_blocks(page)
    assert [p.split(": ", 1)[0] for p in problems] == [
        "docs/page.md:1", "docs/page.md:5", "docs/page.md:9", "docs/page.md:13", "docs/page.md:17"
    ]


NOTEBOOK = "---\nfile_format: mystnb\nkernelspec:\n  name: python3\n{extra}---\n\n# Page\n\n"


@pytest.mark.parametrize(
    ("extra", "executed"),
    [
        ("mystnb:\n  execution_mode: cache\n", True),
        ("mystnb:\n  execution_mode: force\n", True),
        ('mystnb:\n  execution_mode: "off"\n', False),
        ("", False),  # the book's global nb_execution_mode is "off"
    ],
)
def test_code_cells_only_on_executed_notebook_pages(tmp_path: Path, extra: str, executed: bool):
    page = tmp_path / "docs" / "page.md"
    page.parent.mkdir()
    page.write_text(
        NOTEBOOK.format(extra=extra) + "```{code-cell} ipython3\nx = 1\n```\n", encoding="utf-8"
    )
    problems = uncollected_blocks(page)
    if executed:
        assert problems == []
    else:
        assert len(problems) == 1
        assert "{code-cell} is never run" in problems[0]


def test_code_cells_outside_notebooks_are_reported(tmp_path: Path) -> None:
    page = tmp_path / "docs" / "page.md"
    page.parent.mkdir()
    page.write_text("# Page\n\n```{code-cell} ipython3\nx = 1\n```\n", encoding="utf-8")
    assert [p.split(": ", 1)[0] for p in uncollected_blocks(page)] == ["docs/page.md:3"]
