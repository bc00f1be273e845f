"""Every page with snippets, downloadable as a Jupyter notebook and as a Python script.

The files are generated at build time from the page itself, with the snippets that
:mod:`booktools.pages` finds: the prose between snippets becomes Markdown
cells (comments in the script), each snippet's input becomes code, in page order. They
target what a reader runs by default, SQLite and the SQLAlchemy series installed when they
are generated: blocks and tabs written for another backend or series are left out.

Differences from the page, each needed for the file to run from top to bottom:

* A snippet that the page expects to raise is a cell of its own. The notebook tags it
  ``raises-exception`` (Jupyter's "Run all" and nbclient then go on); the script wraps
  it in ``try``/``except`` and prints the error's type and message.
* The script passes the value of an example whose value the page shows to ``show()``, a
  four-line function at its top that prints it as the Python prompt does. A notebook shows
  the value of a cell's last expression by itself, so code cells end where the page shows
  output.
* Jupyter runs an event loop of its own, in which ``asyncio.run()`` refuses to start another;
  the notebook awaits those coroutines directly, as the asyncio chapter suggests.
* MyST markup becomes plain Markdown: roles become their text (or a link), directives are
  unwrapped, and ``%`` comments and ``(label)=`` targets go.

``setup()`` makes this a Sphinx extension: each HTML page with snippets gets both files in
``_downloads/`` and a line linking to them under its title, which ends with "or run it here"
where the page has a block that runs in the browser (:mod:`.run_buttons`).
"""

from __future__ import annotations

import ast
import posixpath
import re
import weakref
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import jupytext
import nbformat
import sqlalchemy

from booktools.pages import RUN_TAG, Page, Snippet, book_pages, parse_page, read_page

from . import inventory

DOWNLOADS_DIR = "_downloads"
BACKEND = "sqlite"
#: the installed series, whatever the backend of the test run
SERIES = "sqlalchemy-" + ".".join(sqlalchemy.__version__.split(".")[:2])

#: the name of the script's function that prints a value: the first one the page leaves free
SHOW_NAMES = ("show", "show_value", "print_value")
SHOW = '''\
def {name}(value):
    """Print a value as the Python prompt shows it: its repr, unless it is None."""
    if value is not None:
        print(repr(value))'''


@dataclass
class Cell:
    kind: str  # "markdown" or "code"
    source: str
    #: the page expects this code to raise
    raises: bool = False
    #: the page shows the value of this code's last expression, as the Python prompt does
    shows_value: bool = False


# --- MyST to plain Markdown ---------------------------------------------------------------

_ROLE = re.compile(r"(?<!`)\{(?P<name>[\w:-]+)\}`(?P<content>[^`]+)`")
_TEXT_AND_TARGET = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.DOTALL)
#: directives whose content is not prose: dropped with their content
_DROPPED_DIRECTIVES = {"toctree", "literalinclude", "verified-with", "schema-diagram"}


@dataclass
class Links:
    """Turns cross-reference roles into Markdown, the way the book's build resolves them."""

    docs: Path
    #: the SQLAlchemy documentation that ``{sqla}`` paths are relative to (``sqla_url``)
    sqla_url: str = ""
    #: where the book is published; without it, cross-references become their plain text
    base_url: str = ""
    #: the SQLAlchemy inventory (objects.inv) that ``{py:...}`` roles are resolved against
    inventory: Path | None = None

    @cached_property
    def _api(self) -> dict[str, str]:
        """Full Python name of each SQLAlchemy API object to its URL."""
        if not self.inventory or not self.inventory.exists():
            return {}
        from sphinx.util.inventory import InventoryFile

        data = InventoryFile.loads(self.inventory.read_bytes(), uri=self.sqla_url)
        items = data.data.items() if hasattr(data, "data") else data.items()
        return {
            name: item[2] if isinstance(item, tuple) else item.uri
            for role, objects in items
            if role.startswith("py:")
            for name, item in objects.items()
        }

    @cached_property
    def _labels(self) -> dict[str, tuple[str, str]]:
        """``(label)=`` targets of every page: label to (docname, title of the next heading)."""
        labels = {}
        for path in book_pages(self.docs):
            docname = path.relative_to(self.docs).with_suffix("").as_posix()
            page = read_page(path)
            for line, label in page.targets:
                heading = next((h for h in page.headings if h[0] > line), None)
                if heading:
                    labels[label] = (docname, heading[2])
        return labels

    def title(self, docname: str) -> str:
        """The page's title: its first level-1 heading."""
        return read_page(self.docs / f"{docname}.md").title or docname

    def _link(self, text: str, docname: str, anchor: str = "") -> str:
        if not self.base_url:
            return text
        return f"[{text}]({self.base_url.rstrip('/')}/{docname}.html{anchor})"

    def role(self, name: str, content: str, docname: str) -> str:
        match = _TEXT_AND_TARGET.match(content)
        text, target = (match["text"], match["target"]) if match else ("", content)
        if name == "sqla":
            return f"[{text or target}]({self.sqla_url}{target})"
        if name.startswith("py:"):
            target = target.lstrip("~")
            code = f"`{text or target}`"
            return f"[{code}]({self._api[target]})" if target in self._api else code
        if name == "doc":
            target = posixpath.normpath(posixpath.join(posixpath.dirname(docname), target))
            target = target.lstrip("/")
            return self._link(text or self.title(target), target)
        if name == "ref" and target in self._labels:
            target_doc, title = self._labels[target]
            return self._link(text or title, target_doc, f"#{target}")
        return text or target


def prose_and_snippets(
    page: Page, docname: str, links: Links, run_tags: set[str], snippets: list[Snippet] = ()
) -> list[str | int]:
    """The page as plain Markdown lines, each of ``snippets`` standing as its index.

    Tab items whose ``:sync:`` names a backend or series that is not in ``run_tags`` are
    dropped with everything in them; other directives are unwrapped, their argument (a tab's
    label, an admonition's title) kept in bold. Literal fences are copied as they are; a
    ``python``/``pycon`` fence's own lines are dropped, its snippets kept. ``%`` comments
    and ``(label)=`` targets go; roles become text or links.
    """
    lines = page.text.split("\n")
    role: dict[int, str | int] = {}  # 0-based line: "drop", "keep" (as it is), or a snippet
    bold: dict[int, str] = {}
    for first, last in page.comments:
        role.update(dict.fromkeys(range(first - 1, last), "drop"))
    role.update((line - 1, "drop") for line, _ in page.targets)
    dropped_until = -1
    gone: set[int] = set()  # the lines of dropped tabs and directives
    for fence in page.fences:
        opening, closing = fence.line - 1, fence.end_line - 1
        if opening <= dropped_until:
            continue  # inside a dropped tab or directive
        if fence.directive in (None, "code-block", "code", "sourcecode", "code-cell"):
            if fence.language in ("python", "pycon") and fence.directive is None:
                role[opening] = role[closing] = "drop"  # unwrapped: the snippets stay
            else:
                role.update(dict.fromkeys(range(opening, closing + 1), "keep"))
            continue
        sync = fence.option("sync") or ""
        if (RUN_TAG.fullmatch(sync) and sync not in run_tags) or (
            fence.directive in _DROPPED_DIRECTIVES
        ):
            role.update(dict.fromkeys(range(opening, closing + 1), "drop"))
            gone.update(range(opening, closing + 1))
            dropped_until = closing
            continue
        role.update(dict.fromkeys(range(opening, opening + 1 + fence.option_lines), "drop"))
        role[closing] = "drop"
        if fence.argument and not RUN_TAG.fullmatch(sync):
            bold[opening] = f"**{_roles(fence.argument, docname, links)}**"
    for index, snippet in enumerate(snippets):
        first = page.text.count("\n", 0, snippet.start)
        if first in gone:
            continue
        last = page.text.count("\n", 0, snippet.end - 1) if snippet.end > snippet.start else first
        role.update(dict.fromkeys(range(first, last + 1), "drop"))
        role[first] = index
    out: list[str | int] = []
    for number, line in enumerate(lines):
        kind = role.get(number)
        if number in bold:
            out += [bold[number], ""]
        elif kind is None:
            out.append(_roles(line, docname, links))
        elif kind == "keep":
            out.append(line)
        elif isinstance(kind, int):
            out.append(kind)
    return out


def clean_markdown(markdown: str, docname: str, links: Links, run_tags: set[str]) -> str:
    """MyST Markdown as plain Markdown, without the tabs written for another run."""
    page = parse_page(f"{docname}.md", markdown)
    return "\n".join(str(x) for x in prose_and_snippets(page, docname, links, run_tags))


def _roles(line: str, docname: str, links: Links) -> str:
    return _ROLE.sub(lambda m: links.role(m["name"], m["content"], docname), line)


# --- From a page to cells -----------------------------------------------------------------

_TAG_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"} | {
    f"sqlalchemy-2.{minor}": f"SQLAlchemy 2.{minor}" for minor in range(10)
}


def chapter_cells(
    path: Path, docname: str, links: Links, run_tags: set[str] | None = None
) -> list[Cell]:
    """The cells of the download of the page at ``path``, without its header."""
    run_tags = run_tags or {BACKEND, SERIES}
    page = read_page(path)
    snippets = page.snippets()
    pieces = prose_and_snippets(page, docname, links, run_tags, snippets)
    backend = next(t for t in run_tags if not t.startswith("sqlalchemy-"))
    series = next(t for t in run_tags if t.startswith("sqlalchemy-"))

    cells: list[Cell] = []
    code: list[Snippet] = []

    def end_code_cell() -> None:
        if code:
            cells.append(_code_cell(code))
            code.clear()

    def add_prose(prose: str) -> None:
        end_code_cell()
        if cells and cells[-1].kind == "markdown":
            cells[-1].source += "\n\n" + prose
        else:
            cells.append(Cell("markdown", prose))

    pending: list[str] = []
    for piece in [*pieces, None]:
        if isinstance(piece, str):
            pending.append(piece)
            continue
        prose = re.sub(r"\n{3,}", "\n\n", "\n".join(pending)).strip()
        pending = []
        if prose:
            add_prose(prose)
        if piece is None:
            break
        snippet = snippets[piece]
        if not snippet.runs_on(backend, series):
            # outside tabs, which go as a whole: say so, since the prose may refer to it
            labels = " and ".join(_TAG_LABELS.get(t, t) for t in sorted(snippet.tags))
            note = f"*(The page shows an example for {labels} here.)*"
            if not (cells and cells[-1].source.endswith(note)):
                add_prose(note)
            continue
        if snippet.raises or not snippet.visible:
            end_code_cell()
        code.append(snippet)
        if snippet.raises or not snippet.visible or _output(snippet):
            end_code_cell()
    end_code_cell()
    return cells


def _output(snippet: Snippet) -> frozenset[str]:
    """What the page shows under this snippet: "out" (printed or a value), "sql", "error"."""
    return snippet.step.kinds if snippet.step else frozenset()


def _code_cell(snippets: list[Snippet]) -> Cell:
    source = ""
    for previous, snippet in zip([None, *snippets], snippets, strict=False):
        # a blank line between blocks, and around a function or class written at a prompt
        code = snippet.source.strip("\n")
        multiline = "\n" in code or (previous and "\n" in previous.source.strip("\n"))
        if previous is not None and (previous.end != snippet.start or multiline):
            source += "\n"
        source += code + "\n"
    last = snippets[-1]
    if not last.visible:
        source = "# Setup that the book runs without showing it\n" + source
    shows_value = "out" in _output(last) and not last.raises and _ends_in_expression(source)
    return Cell("code", source.rstrip("\n"), raises=last.raises, shows_value=shows_value)


def _ends_in_expression(source: str) -> bool:
    body = ast.parse(source).body
    if not body or not isinstance(body[-1], ast.Expr):
        return False
    value = body[-1].value
    return not (isinstance(value, ast.Call) and getattr(value.func, "id", "") == "print")


# --- Notebook and script ------------------------------------------------------------------


def header(title: str, url: str) -> str:
    page = f"[{title}]({url})" if url else f"“{title}”"
    return (
        f"*Generated from {page},\na page of SQLAlchemy by Example: its examples in page "
        f"order, verified with\nSQLAlchemy {sqlalchemy.__version__} on SQLite. Where the page "
        "shows variants for PostgreSQL or\nanother SQLAlchemy series, only this one is here.*"
    )


def _cell(kind: str, source: str, metadata: dict | None = None) -> nbformat.NotebookNode:
    """A notebook cell as ``nbformat.v4.new_*_cell`` makes it, minus its check of each cell
    on its own (a third of the downloads' build time): :func:`_notebook` checks the whole."""
    cell = {"cell_type": kind, "metadata": metadata or {}, "source": source}
    if kind == "code":
        cell |= {"execution_count": None, "outputs": []}
    return nbformat.from_dict(cell)


def _notebook(
    cells: list[nbformat.NotebookNode], *, check: bool = True, **metadata
) -> nbformat.NotebookNode:
    """A notebook of ``cells``, checked against nbformat's schema unless ``check`` is false."""
    for number, cell in enumerate(cells, 1):
        cell.id = f"cell-{number}"  # nbformat's are random; the build's output should not be
    nb = nbformat.from_dict(
        {
            "nbformat": nbformat.v4.nbformat,
            "nbformat_minor": nbformat.v4.nbformat_minor,
            "metadata": metadata,
            "cells": cells,
        }
    )
    if check:
        nbformat.validate(nb)
    return nb


def notebook(cells: list[Cell], title: str, url: str) -> nbformat.NotebookNode:
    """The notebook: the page's code as it stands, except ``asyncio.run()`` (see above)."""
    nb_cells = [_cell("markdown", header(title, url))]
    if any("asyncio.run(" in c.source for c in cells if c.kind == "code"):
        nb_cells.append(
            _cell(
                "markdown",
                "*Jupyter runs an event loop of its own, in which `asyncio.run()` cannot\n"
                "start another: this notebook awaits each coroutine directly\n"
                "(`await main()` where the page has `asyncio.run(main())`).*",
            )
        )
    for cell in cells:
        if cell.kind == "markdown":
            nb_cells.append(_cell("markdown", cell.source))
        else:
            metadata = {"tags": ["raises-exception"]} if cell.raises else {}
            nb_cells.append(_cell("code", await_instead_of_asyncio_run(cell.source), metadata))
    kernel = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return _notebook(nb_cells, kernelspec=kernel, language_info={"name": "python"})


def script(cells: list[Cell], title: str, url: str) -> str:
    """The script, in jupytext's percent format: ``# %%`` starts each cell."""
    words = set(re.findall(r"\w+", "\n".join(c.source for c in cells if c.kind == "code")))
    show = next(name for name in SHOW_NAMES if name not in words)
    notes = (
        "Run it with `python` and this file's name. Where the book shows the value of an\n"
        f"expression, `{show}()` prints it as the Python prompt does; where the book shows an\n"
        "error on purpose, the script prints it and goes on."
    )
    nb_cells = [_cell("markdown", header(title, url) + "\n\n" + notes)]
    if any(c.shows_value for c in cells):
        nb_cells.append(_cell("code", SHOW.format(name=show)))
    for cell in cells:
        if cell.kind == "markdown":
            nb_cells.append(_cell("markdown", cell.source))
            continue
        source = _show_last_expression(cell.source, show) if cell.shows_value else cell.source
        if cell.raises:
            source = (
                "# The book shows this error on purpose.\ntry:\n"
                + "".join(f"    {line}\n" if line else "\n" for line in source.split("\n"))
                + 'except Exception as error:\n    print(f"{type(error).__name__}: {error}")'
            )
        nb_cells.append(_cell("code", source))
    jupytext_options = {"notebook_metadata_filter": "-all", "cell_metadata_filter": "-all"}
    # only jupytext reads this notebook, and the script is what the tests run
    nb = _notebook(nb_cells, check=False, jupytext=jupytext_options)
    return jupytext.writes(nb, fmt="py:percent")


def _show_last_expression(source: str, show: str = "show") -> str:
    """``show(x)`` for a last statement ``x`` (ast's offsets count UTF-8 bytes)."""
    last = ast.parse(source).body[-1]
    lines = [line.encode() for line in source.split("\n")]
    start, end = last.lineno - 1, last.end_lineno - 1
    bare_tuple = isinstance(last.value, ast.Tuple) and lines[start][last.col_offset :][:1] != b"("
    opening, closing = (b"((", b"))") if bare_tuple else (b"(", b")")
    opening = show.encode() + opening
    lines[end] = lines[end][: last.end_col_offset] + closing + lines[end][last.end_col_offset :]
    lines[start] = lines[start][: last.col_offset] + opening + lines[start][last.col_offset :]
    return b"\n".join(lines).decode()


def await_instead_of_asyncio_run(source: str) -> str:
    """``asyncio.run(x)`` as ``await x``, for a notebook, where the loop already runs."""
    if "asyncio.run(" not in source:
        return source
    tree = ast.parse(source)
    calls = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and ast.unparse(node.func) == "asyncio.run"
        and len(node.args) == 1
        and not node.keywords
    ]
    lines = source.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line.encode()) + 1)
    data = source.encode()
    for call in sorted(calls, key=lambda c: (c.lineno, c.col_offset), reverse=True):
        start = offsets[call.lineno - 1] + call.col_offset
        end = offsets[call.end_lineno - 1] + call.end_col_offset
        argument = ast.get_source_segment(source, call.args[0])
        data = data[:start] + f"await {argument}".encode() + data[end:]
    return data.decode()


def file_stem(docname: str) -> str:
    """``orm-asyncio`` for ``orm/asyncio``: a name that no ``import`` can pick up, so that
    a script saved next to others never shadows a module (``asyncio.py`` would)."""
    return docname.replace("/", "-")


def write_downloads(
    path: Path, docname: str, out_dir: Path, links: Links, url: str = ""
) -> tuple[Path, Path] | None:
    """Write the page's notebook and script into ``out_dir``; None if the page has no code."""
    cells = chapter_cells(path, docname, links)
    if not any(c.kind == "code" for c in cells):
        return None
    title = links.title(docname) if (links.docs / f"{docname}.md").exists() else docname
    target = Path(out_dir) / file_stem(docname)
    target.parent.mkdir(parents=True, exist_ok=True)
    ipynb, py = target.with_suffix(".ipynb"), target.with_suffix(".py")
    # as nbformat.write writes it, minus a second check of the schema (notebook() did that)
    ipynb.write_text(nbformat.v4.writes(notebook(cells, title, url)) + "\n", encoding="utf-8")
    py.write_text(script(cells, title, url), encoding="utf-8")
    return ipynb, py


# --- Sphinx -------------------------------------------------------------------------------


_LINKS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # Sphinx app -> Links


def add_downloads(app, doctree, docname: str) -> None:
    """Write the page's downloads into the HTML output and link them under its title."""
    from docutils import nodes  # only the build has docutils; the tests need the rest

    if app.builder.format != "html":
        return
    path = Path(app.env.doc2path(docname))
    if path.suffix != ".md":
        return
    config = app.config
    base_url = config.html_baseurl
    links = _LINKS.get(app)
    if links is None:  # once per build: its inventory and labels are read once, not per page
        links = _LINKS[app] = Links(
            Path(app.srcdir), config.sqla_url, base_url, inventory.local_docs().inventory
        )
    if base_url:
        url = f"{base_url.rstrip('/')}/{docname}.html"
    else:
        theme = config.html_theme_options
        repository = theme.get("repository_url", "")
        url = repository and (
            f"{repository}/blob/{theme.get('repository_branch', 'main')}/"
            f"{theme.get('path_to_docs', 'docs')}/{docname}.md"
        )
    if not write_downloads(path, docname, Path(app.outdir) / DOWNLOADS_DIR, links, url):
        return
    here = posixpath.dirname(docname)
    href = posixpath.relpath(f"{DOWNLOADS_DIR}/{file_stem(docname)}", here or ".")
    html = (
        '<p class="chapter-downloads">Run this chapter yourself: '
        f'<a href="{href}.ipynb" download>notebook (.ipynb)</a> · '
        f'<a href="{href}.py" download>script (.py)</a>'
    )
    run_first = doctree.get("book_run_first")  # set by .run_buttons: the first block that runs
    if run_first:
        html += f', or <a href="#{run_first}" data-run-first>run it here</a>'
    html += "</p>"
    line = nodes.raw("", html, format="html")
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is not None and isinstance(section[0], nodes.title):
        section.insert(1, line)
    else:
        doctree.insert(0, line)


def setup(app) -> dict:
    app.connect("doctree-resolved", add_downloads)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
