"""A page of the book as data: its code blocks, where each runs, what each expects.

:func:`parse_page` reads a MyST page once, with markdown-it-py and the MyST plugins that
the build uses (so nesting is understood the way the build understands it: a fence shown
inside a ````` ````text ````` block is text, a block inside a tab is in that tab), into a
:class:`Page`. Everything that needs a page's code reads it from here: the test harness
(:mod:`booktools.verify`), the notebook and script downloads, the code-fence and lint
tests, the benchmark's floor. It imports neither pytest, Sybil nor SQLAlchemy, and holds
only frozen dataclasses of strings, numbers and tuples.

Where a block runs (its *run tags*) is said once:

* a block inside a ``tab-item`` takes the tag of the tab's ``:sync:`` (``sqlite``,
  ``postgresql``, ``sqlalchemy-2.0``, ``sqlalchemy-2.1``), and of every tab around it;
* a block outside tabs may be tagged by ``% only:`` comment lines directly above it.

A block may also carry a ``% browser: no, <reason>`` line directly above it (inside a tab
too): the page says that the block does not run in the reader's browser (Pyodide), and why
(see :mod:`booktools.runner.program`, which decides what runs there).

A ``% only:`` inside a tab-item, one that stands above no block, an unknown tag, or a
``:sync:`` of a tab holding code that is not a run tag, is a :class:`PageError` naming the
page and line.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from pathlib import Path

from markdown_it import MarkdownIt
from mdit_py_plugins.colon_fence import colon_fence_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.front_matter import front_matter_plugin
from mdit_py_plugins.myst_blocks import myst_block_plugin

from .pycon import PyconSyntaxError, Step, parse_steps

#: The languages whose blocks run in the tests.
RUNNABLE = frozenset({"python", "pycon"})
#: Directives whose content is code in the language of their argument.
CODE_DIRECTIVES = frozenset({"code-block", "code", "sourcecode", "code-cell"})
#: Directives whose content is not Markdown: not looked into for blocks.
OPAQUE_DIRECTIVES = CODE_DIRECTIVES | {
    "toctree", "literalinclude", "verified-with", "raw", "math", "eval-rst", "glossary",
    "schema-diagram",
}
#: The directive that draws the tables of a MetaData that the page's code built, at its point
#: of the page (booktools/sphinxext/schema_diagrams.py); the tests evaluate its argument there.
SCHEMA_DIAGRAM = "schema-diagram"
#: The run tags: a backend, or a SQLAlchemy series.
BACKENDS = frozenset({"sqlite", "postgresql"})
RUN_TAG = re.compile(r"sqlite|postgresql|sqlalchemy-2\.\d+")

_ONLY = re.compile(r"^[ \t]*%[ \t]*only:[ \t]*(?P<tags>.*?)[ \t]*$")
_BROWSER = re.compile(r"^[ \t]*%[ \t]*browser:(?P<rest>.*)$")
_BROWSER_NO = re.compile(r"^[ \t]*no[ \t]*,[ \t]*(?P<reason>\S.*?)[ \t]*$")
_SKIP = re.compile(r"^[ \t]*%[ \t]*skip(?::[ \t]*(?P<arguments>.*?))?[ \t]*$")
_SKIP_ARGUMENTS = re.compile(r"(\w+)(?:\s+(.+)$)?")
_CODE_IN_COMMENT = re.compile(
    r"^[ \t]*%[ \t]*(?P<directive>(?:invisible-)?code(?:-block)?)(?::[ \t]*(?P<language>.+))?$"
)
_DIRECTIVE = re.compile(r"^\{(?P<name>[\w:-]+)\}\s*(?P<argument>.*?)\s*$")
_OPTION = re.compile(r"^\s*:(?P<name>[\w-]+):\s*(?P<value>.*?)\s*$")


class PageError(ValueError):
    """A page that the tools cannot read as the book's conventions say: page and line."""

    def __init__(self, path: str | Path, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message = str(path), line, message


def runs_on(tags: frozenset[str], backend: str, series: str) -> bool:
    """Whether a block tagged ``tags`` runs on ``backend`` with ``series``: each kind of
    tag it names (backends, series) must include this run's."""
    backends = tags & BACKENDS
    series_tags = tags - BACKENDS
    return (not backends or backend in backends) and (not series_tags or series in series_tags)


@dataclass(frozen=True)
class Block:
    """A code block of a page: a fence, a code directive, or code in a ``%`` comment.

    Line numbers are 1-based page lines; ``start`` and ``end`` are offsets in the page's
    text (from the first character of the block's first line to the end of its last line,
    the closing fence or the comment's last line and its newline).
    """

    language: str
    #: the directive (``code-block``, ``invisible-code-block``...), None for a plain fence
    directive: str | None
    #: the page line of the fence (or the comment's first line) and of the code's first line
    line: int
    source_line: int
    source: str
    #: False for code in a ``%`` comment, which the book does not show
    visible: bool
    #: where it runs: the ``:sync:`` of the tabs around it, or its ``% only:`` tags
    tags: frozenset[str]
    start: int
    end: int
    #: a ``pycon`` block's steps, each with its input and expected output
    steps: tuple[Step, ...] = ()
    #: the reason of a ``% browser: no, <reason>`` line above it ("" when there is none)
    browser: str = ""

    @property
    def runnable(self) -> bool:
        return self.language in RUNNABLE and self.directive != "code-cell"

    def runs_on(self, backend: str, series: str) -> bool:
        return runs_on(self.tags, backend, series)


@dataclass(frozen=True)
class Skip:
    """A ``% skip: next "reason"`` (or ``start``/``end``) marker, which steers the harness."""

    line: int
    start: int
    end: int
    #: Sybil's skip arguments: the action ("next", "start", "end") and the rest, or None
    arguments: tuple[str, str | None]


@dataclass(frozen=True)
class Fence:
    """Any fence or fenced directive of the page, runnable or not (for the fence check)."""

    line: int
    info: str
    #: ``{name}`` of a directive, or None
    directive: str | None
    #: the language: a directive's argument or a fence's info string, lower-cased
    language: str
    #: the fence's characters: ``` ``` ```, ``~~~`` or ``:::``
    marker: str
    #: the closing fence's line (the page's last line if it is never closed)
    end_line: int = 0
    #: a directive's argument (a tab's label, an admonition's title) and its options
    argument: str = ""
    options: tuple[tuple[str, str], ...] = ()
    #: how many lines its options take, under the opening line
    option_lines: int = 0
    #: offsets of the fence on the page, from its opening line to the end of its closing line
    start: int = 0
    end: int = 0

    def option(self, name: str) -> str | None:
        return dict(self.options).get(name)


@dataclass(frozen=True)
class Page:
    """A parsed page: its text, its blocks in page order, and its markers."""

    path: str
    text: str
    front_matter: str
    blocks: tuple[Block, ...]
    skips: tuple[Skip, ...]
    fences: tuple[Fence, ...]
    #: headings as (line, level, title), ``(label)=`` targets as (line, label), and ``%``
    #: comments as (first line, last line)
    headings: tuple[tuple[int, int, str], ...] = ()
    targets: tuple[tuple[int, str], ...] = ()
    comments: tuple[tuple[int, int], ...] = ()

    @property
    def title(self) -> str | None:
        """The text of the page's first level-1 heading."""
        return next((title for _, level, title in self.headings if level == 1), None)

    @property
    def diagrams(self) -> tuple[Fence, ...]:
        """The ``{schema-diagram}`` fences, in page order."""
        return tuple(f for f in self.fences if f.directive == SCHEMA_DIAGRAM)

    def code_before(self, offset: int) -> tuple[Block | Skip, ...]:
        """The runnable blocks and ``% skip:`` markers that stand before ``offset``: what
        decides the page's namespace at that point."""
        found = [b for b in self.code if b.start < offset] + [s for s in self.skips if s.start < offset]
        return tuple(sorted(found, key=lambda item: item.start))

    @property
    def code(self) -> tuple[Block, ...]:
        """The blocks the harness runs, in page order."""
        return tuple(b for b in self.blocks if b.runnable)

    def snippets(self) -> list[Snippet]:
        """Every runnable unit, in page order: each step of a ``pycon`` block, each whole
        ``python`` block."""
        units = []
        for block in self.code:
            if block.language == "pycon":
                units += [
                    Snippet(s.source, s.line, block.tags, s.raises, True, s.start, s.end, block, s)
                    for s in block.steps
                ]
            else:
                units.append(
                    Snippet(
                        block.source, block.source_line, block.tags, False, block.visible,
                        block.start, block.end, block, None,
                    )
                )
        return units


@dataclass(frozen=True)
class Snippet:
    """What a reader types at once: one ``pycon`` step, or one whole ``python`` block."""

    source: str
    #: the page line of its first source line
    line: int
    tags: frozenset[str]
    raises: bool
    visible: bool
    #: offsets of its region on the page (a step's prompts and expected output included)
    start: int
    end: int
    block: Block
    #: the ``pycon`` step, or None for a ``python`` block
    step: Step | None

    def runs_on(self, backend: str, series: str) -> bool:
        return runs_on(self.tags, backend, series)


# --- Parsing --------------------------------------------------------------------------------


@cache
def _markdown() -> MarkdownIt:
    """CommonMark with MyST's block syntax, as the book's build reads it."""
    return (
        MarkdownIt("commonmark")
        .use(front_matter_plugin)
        .use(myst_block_plugin)
        .use(colon_fence_plugin)
        .use(deflist_plugin)
    )


def parse_page(path: str | Path, text: str | None = None) -> Page:
    """The page at ``path`` (its ``text`` if given); :class:`PageError` if it breaks the
    book's conventions."""
    if text is None:
        text = Path(path).read_text(encoding="utf-8")
    return _parsed(str(path), text)


@lru_cache(maxsize=512)
def _parsed(path: str, text: str) -> Page:
    # Once per path and text in a process: the build reads each page for its checks and
    # again for its downloads and run buttons (a Page is frozen, so it can be shared).
    return _Reader(path, text).page()


@cache
def _cached(path: str, mtime_ns: int) -> Page:
    return parse_page(path)


def read_page(path: str | Path) -> Page:
    """:func:`parse_page`, parsed once per file version in this process."""
    path = Path(path)
    return _cached(str(path), path.stat().st_mtime_ns)


class _Reader:
    def __init__(self, path: str, text: str) -> None:
        self.path, self.text = path, text
        self.lines = text.split("\n")
        self.offsets = [0]
        for line in self.lines:
            self.offsets.append(self.offsets[-1] + len(line) + 1)
        self.blocks: list[Block] = []
        self.skips: list[Skip] = []
        self.fences: list[Fence] = []
        self.headings: list[tuple[int, int, str]] = []
        self.targets: list[tuple[int, str]] = []
        self.comments: list[tuple[int, int]] = []
        self.front_matter = ""

    def error(self, index: int, message: str) -> PageError:
        return PageError(self.path, index + 1, message)

    def page(self) -> Page:
        self.read(self.text, 0, tabs=(), top=True)
        return Page(
            self.path, self.text, self.front_matter, tuple(self.blocks), tuple(self.skips),
            tuple(self.fences), tuple(self.headings), tuple(self.targets), tuple(self.comments),
        )

    def line_end(self, index: int) -> int:
        """The offset of the end of line ``index`` (before its newline)."""
        return self.offsets[index] + len(self.lines[index]) if index < len(self.lines) else len(
            self.text
        )

    def read(self, markdown: str, first: int, tabs: tuple[str, ...], top: bool = False) -> None:
        """Read ``markdown``, whose first line is page line index ``first``, inside ``tabs``
        (the run tags of the tab-items around it)."""
        tokens = _markdown().parse(markdown)
        # '% only:' and '% browser:' lines waiting for their block: (last line index, tags,
        # browser reason)
        pending: tuple[int, frozenset[str], str] | None = None
        for n, token in enumerate(tokens):
            if token.map is None:
                continue
            begin, end = token.map[0] + first, token.map[1] + first
            is_fence = token.type in ("fence", "colon_fence")
            if pending and not (is_fence and pending[0] == begin - 1):
                raise self.error(pending[0], _above_nothing(pending))
            if token.type == "front_matter" and top:
                self.front_matter = token.content
            elif token.type == "heading_open":
                self.headings.append((begin + 1, int(token.tag[1]), tokens[n + 1].content))
            elif token.type == "myst_target":
                self.targets.append((begin + 1, token.content))
            elif token.type == "myst_line_comment":
                self.comments.append((begin + 1, end))
                pending = self.comment(begin, end, tabs)
            elif is_fence:
                self.fence(token, begin, end, tabs, pending)
                pending = None
        if pending:
            raise self.error(pending[0], _above_nothing(pending))

    def comment(self, begin: int, end: int, tabs: tuple[str, ...]):
        """``%`` comment lines: ``% only:`` tags, ``% browser:`` marks, ``% skip:`` markers,
        code in comments. Returns the ``% only:`` tags and ``% browser:`` reason that wait
        for the block under them."""
        index = begin
        only: set[str] = set()
        only_line = None
        browser = ""
        while index < end:
            line = self.lines[index]
            if match := _BROWSER.match(line):
                reason = _BROWSER_NO.match(match["rest"])
                if reason is None:
                    raise self.error(
                        index,
                        "write a browser mark as '% browser: no, <reason>': the one-line reason "
                        "why Pyodide gives another output is shown to readers",
                    )
                if browser:
                    raise self.error(index, "two '% browser:' lines above one block")
                browser = reason["reason"]
                only_line = index
                index += 1
            elif match := _ONLY.match(line):
                if tabs:
                    raise self.error(
                        index,
                        "'% only:' inside a tab-item: the tab's :sync: says where its blocks "
                        "run (remove this line)",
                    )
                tags = set(re.split(r"[\s,]+", match["tags"])) - {""}
                self.check_tags(index, tags, "'% only:' marker")
                only |= tags
                only_line = index
                index += 1
            elif match := _SKIP.match(line):
                arguments = _SKIP_ARGUMENTS.match(match["arguments"] or "")
                if arguments is None:
                    raise self.error(index, f"malformed arguments to skip: {match['arguments']!r}")
                start = self.offsets[index]
                self.skips.append(Skip(index + 1, start, self.line_end(index), arguments.groups()))
                index += 1
            elif match := _CODE_IN_COMMENT.match(line):
                # the code runs to the comment's last line; Sybil's prefix stripping and dedent
                body = (self.lines[i].lstrip()[1:] for i in range(index + 1, end))
                source = textwrap.dedent("".join(b + "\n" for b in body))
                tags = frozenset(tabs) | frozenset(only)
                if only_line is not None and only_line != index - 1:
                    raise self.error(only_line, _above_nothing((only_line, only, browser)))
                self.add_block(
                    (match["language"] or "").strip().lower(), match["directive"], index,
                    index + 1, source, False, tags, self.offsets[index], self.offsets[end],
                    browser,
                )
                return None
            else:
                if only_line is not None:
                    raise self.error(only_line, _above_nothing((only_line, only, browser)))
                index += 1
        return (only_line, frozenset(only), browser) if only_line is not None else None

    def check_tags(self, index: int, tags: set[str], what: str) -> None:
        unknown = sorted(t for t in tags if not RUN_TAG.fullmatch(t))
        if unknown:
            raise self.error(
                index,
                f"unknown tag(s) in {what}: {', '.join(unknown)} (known: sqlite, postgresql, "
                "sqlalchemy-2.0, sqlalchemy-2.1)",
            )

    def fence(self, token, begin: int, end: int, tabs, pending) -> None:
        only = pending[1] if pending else None
        browser = pending[2] if pending else ""
        info = token.info.strip()
        marker = token.markup[0] * 3
        directive = _DIRECTIVE.match(info)
        name = directive["name"] if directive else None
        argument = directive["argument"] if directive else ""
        language = (argument if directive else info).split(" ")[0].lower()
        closed = end - 1 if end - 1 > begin and self.is_closing(end - 1, token.markup) else None
        block_end = self.line_end(closed) if closed is not None else len(self.text)
        body, skipped = _without_options(token.content) if name else (token.content, 0)
        options = tuple(
            (m["name"], m["value"])
            for m in map(_OPTION.match, token.content.split("\n")[:skipped])
            if m
        )
        self.fences.append(
            Fence(
                begin + 1, info, name, language, marker, end, argument, options, skipped,
                self.offsets[begin], block_end,
            )
        )
        if name in CODE_DIRECTIVES and marker == ":::":
            return  # MyST shows it, but as a directive the tests do not run (the fence check fails it)
        if name is None or name in CODE_DIRECTIVES:
            tags = frozenset(tabs) | (only or frozenset())
            self.add_block(
                language, name, begin, begin + 1 + skipped, body, True, tags,
                self.offsets[begin], block_end, browser,
            )
            return
        if pending:
            raise self.error(begin - 1, _above_nothing(pending))
        if name == SCHEMA_DIAGRAM and tabs:
            raise self.error(
                begin,
                "a schema-diagram inside a tab-item: the diagram is drawn from the SQLite run "
                "and checked on every run; put it outside the tabs",
            )
        if name in OPAQUE_DIRECTIVES:
            return
        sync = dict(options).get("sync") if name == "tab-item" else None
        inner = (*tabs, sync) if sync and RUN_TAG.fullmatch(sync) else tabs
        before = len(self.blocks)
        self.read(body, begin + 1 + skipped, inner)
        if sync and inner is tabs and any(b.runnable for b in self.blocks[before:]):
            at = begin + 1 + [name for name, _ in options].index("sync")
            self.check_tags(at, {sync}, "the :sync: of a tab holding code")

    def is_closing(self, index: int, markup: str) -> bool:
        line = self.lines[index].strip()
        return bool(line) and set(line) == {markup[0]} and len(line) >= len(markup)

    def add_block(
        self, language, directive, index, source_index, source, visible, tags, start, end,
        browser="",
    ):
        steps: tuple[Step, ...] = ()
        if language == "pycon" and directive != "code-cell":
            try:
                found = parse_steps(source, source_index + 1)
            except PyconSyntaxError as error:
                raise self.error(source_index + error.index, str(error)) from None
            steps = tuple(self.place(step, end) for step in found)
        elif language == "python" and source.lstrip().startswith(">>>"):
            raise self.error(
                index,
                "a ```python block holds '>>>' prompts; write it as ```pycon so that its output "
                "is checked",
            )
        if browser and not (language in RUNNABLE and directive != "code-cell"):
            raise self.error(index - 1, "'% browser:' stands above a block that does not run")
        self.blocks.append(
            Block(language, directive, index + 1, source_index + 1, source, visible,
                  frozenset(tags), start, end, steps, browser)
        )

    def place(self, step: Step, block_end: int) -> Step:
        """The step with its offsets on the page."""
        after = step.expected_line - 1 + step.expected_count
        start, end = self.offsets[step.line - 1], min(self.offsets[after], block_end)
        return replace(step, start=start, end=end)


def _above_nothing(pending: tuple) -> str:
    marks = ("'% only:'" if pending[1] else "") + (" and " if pending[1] and pending[2] else "")
    marks += "'% browser:'" if pending[2] else ""
    return f"{marks} stands above no code block"


def _without_options(content: str) -> tuple[str, int]:
    """A directive's body without its leading ``:name: value`` option lines (or ``---``
    YAML block), and how many lines those took."""
    lines = content.split("\n")
    if lines and lines[0].strip() == "---":
        for i in range(1, len(lines)):
            if lines[i].strip() == "---":
                return "\n".join(lines[i + 1 :]), i + 1
    skipped = 0
    while skipped < len(lines) and _OPTION.match(lines[skipped]):
        skipped += 1
    return "\n".join(lines[skipped:]), skipped
