"""One page's Python session, as the reader's browser runs it (inside Pyodide).

A :class:`PageSession` holds a page's program (:mod:`booktools.runner.program`) and one
namespace, as a reader pasting the page in order would have. ``run(k)`` runs block ``k``:
first, silently, every earlier block that runs in the browser, unless the namespace is
already exactly "blocks 0..k-1 as written" (so a re-run, or a run after an edit, shows what
the page shows). Each step is run, captured and compared as the test suite does, with
:mod:`booktools.verify.capture` and :mod:`booktools.verify.compare`; SQL is compared, as on
SQLite.

Edited code (plain Python, no prompts) is split into its top-level statements, each run as
a prompt line runs it (expressions echo their value). A step of an edited block is compared
with the page's step at the same position when its code is the page's (``matches`` is
None otherwise); the whole block's output is compared with the page's (``verified``).

What a run keeps of its block's output is capped (:data:`OUTPUT_LINES`, :data:`OUTPUT_CHARS`,
with :class:`booktools.verify.capture.OutputLimit`): past the cap nothing more is kept, the
result's ``truncated`` says so in one line for the reader, and ``verified`` is false. The
page's own outputs are far below it (87 lines at most, when this was written).

It imports only the standard library, SQLAlchemy and those modules (see
:mod:`booktools.runner.bundle`), never markdown-it, Sphinx, pytest or Sybil.
"""

from __future__ import annotations

import ast
import gc
import json
import time
from typing import Any

from booktools.pages.pycon import Segment, render
from booktools.verify.backend import end_session
from booktools.verify.capture import OutputLimit, install_sql_handler, recording

#: What one run keeps of its block's output at most (see the module's docstring).
OUTPUT_LINES = 5_000
OUTPUT_CHARS = 200_000
TRUNCATED = (
    f"Output truncated: a run in the browser keeps at most {OUTPUT_LINES:,} lines "
    f"({OUTPUT_CHARS // 1000:,} KB) of output; the rest was not kept."
)


def _limit() -> OutputLimit:
    return OutputLimit(OUTPUT_LINES, OUTPUT_CHARS)
from booktools.verify.compare import difference, matches


def _segments(raw) -> tuple[Segment, ...]:
    return tuple(Segment(kind, tuple(lines)) for kind, lines in raw or ())


def _joined(segments) -> tuple[Segment, ...]:
    """Segments of several steps as one output: neighbours of one kind merged."""
    merged: list[Segment] = []
    for segment in segments:
        if merged and merged[-1].kind == segment.kind and segment.kind != "error":
            merged[-1] = Segment(segment.kind, merged[-1].lines + segment.lines)
        else:
            merged.append(segment)
    return tuple(merged)


def _plain(segments: tuple[Segment, ...]) -> list[list]:
    return [[s.kind, list(s.lines)] for s in segments]


def split_statements(source: str) -> list[tuple[str, int]]:
    """Edited code as (source, first line) of each top-level statement (statements that
    share a line stay together); SyntaxError if it does not parse."""
    tree = ast.parse(source)
    lines = source.splitlines()
    chunks: list[list[int]] = []  # [first line, last line], 1-based
    for node in tree.body:
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", ()))])
        last = node.end_lineno or node.lineno
        if chunks and first <= chunks[-1][1]:
            chunks[-1][1] = max(chunks[-1][1], last)
        else:
            chunks.append([first, last])
    return [("\n".join(lines[a - 1 : b]) + "\n", a) for a, b in chunks]


class PageSession:
    """A page's namespace and the runs of its blocks (see the module's docstring)."""

    def __init__(self, program: dict) -> None:
        self.program = program
        self.blocks: list[dict] = program["blocks"]
        self.path = "docs/" + program["page"]
        self.namespace: dict[str, Any] = {}
        #: the namespace is "blocks 0..ran-1 as written" (None: it is not, after an edit)
        self.ran: int | None = 0
        install_sql_handler()
        self.reset()

    def reset(self) -> None:
        """A fresh namespace, as a new Python session."""
        with recording():  # what closing its engines logs is nobody's output
            end_session(self.namespace)
            # The old namespace's objects go now, not at the collector's next pass: a
            # session left open there would otherwise still be found by
            # close_all_sessions(), on an engine that is closed. What survives (modules,
            # SQLAlchemy) is frozen, so that the next reset walks only the page's objects.
            gc.collect()
            gc.freeze()
        self.namespace = {"__name__": "__main__"}
        self.ran = 0

    def run(self, block_index: int, source: str | None = None) -> dict:
        """Run block ``block_index`` (as written, or the reader's ``source``); the steps
        with what each did, and whether the block's output is the verified one."""
        block = self.blocks[block_index]
        if not block["runnable"]:
            raise ValueError(f"block {block_index} does not run in the browser: {block['reason']}")
        started = time.perf_counter()
        if self.ran != block_index:
            self.reset()
            for earlier in self.blocks[:block_index]:
                if earlier["runnable"]:
                    self._run_as_written(earlier, _limit())
        # Unknown until the block has run to its end: whatever stops it half-way (an error
        # of the runner's own, say) leaves a namespace that the next run must not trust.
        self.ran = None
        limit = _limit()
        if source is None:
            steps = self._run_as_written(block, limit)
            self.ran = block_index + 1
        else:
            steps = self._run_edited(block, source, limit)
        return {
            "steps": steps,
            "verified": (
                not limit.truncated and self._verified(block, steps, edited=source is not None)
            ),
            "truncated": TRUNCATED if limit.truncated else None,
            "elapsed_ms": round((time.perf_counter() - started) * 1000, 1),
        }

    # --- running ----------------------------------------------------------------------------

    def _execute(
        self, source: str, line: int, mode: str, limit: OutputLimit
    ) -> tuple[Segment, ...]:
        with recording(limit) as transcript:
            try:
                code = compile("\n" * (line - 1) + source, self.path, mode, dont_inherit=True)
                exec(code, self.namespace)  # noqa: S102 - the page's (or the reader's) own code
            except (Exception, SystemExit) as error:  # noqa: BLE001 - shown as the prompt shows it
                # SystemExit too: exit() in the reader's code ends the step, not the session
                transcript.add_error(error)
        return transcript.finish()

    def _run_as_written(self, block: dict, limit: OutputLimit) -> list[dict]:
        steps = []
        for step in block["steps"]:
            actual = self._execute(step["source"], step["line"], step["mode"], limit)
            steps.append(self._result(block, step, step["source"], actual))
        return steps

    def _run_edited(self, block: dict, source: str, limit: OutputLimit) -> list[dict]:
        if block["language"] == "python":
            # as the page's python block runs: as a whole, expressions not echoed; it should
            # print nothing, as the tests require of the block as written
            actual = self._execute(source, 1, "exec", limit)
            return [self._result(block, block["steps"][0], source, actual)]
        try:
            statements = split_statements(source)
        except SyntaxError as error:
            with recording(limit) as transcript:
                transcript.add_error(error)
            return [self._result(block, None, source, transcript.finish())]
        page_steps = block["steps"] if block["language"] == "pycon" else []
        steps = []
        for position, (code, line) in enumerate(statements):
            actual = self._execute(code, line, "single", limit)
            same = position < len(page_steps) and _same_code(page_steps[position]["source"], code)
            steps.append(self._result(block, page_steps[position] if same else None, code, actual))
        return steps

    # --- comparing --------------------------------------------------------------------------

    def _result(self, block: dict, step: dict | None, source: str, actual) -> dict:
        result = {"input": source.rstrip("\n").split("\n"), "segments": _plain(actual),
                  "matches": None}
        if step is None:
            return result
        if step["mode"] == "exec":  # a python block: it must print nothing, raise nothing
            result["matches"] = not actual
            if actual:
                result["diff"] = (
                    f"{self.path}:{step['line']}: a python block must print nothing; it "
                    "printed:\n" + "\n".join(render(actual))
                )
            return result
        expected = _segments(step["expected"])
        result["matches"] = matches(expected, actual, compare_sql=True)
        if not result["matches"]:
            result["diff"] = difference(self.path, step["expected_line"], expected, actual, True)
        return result

    def _verified(self, block: dict, steps: list[dict], edited: bool) -> bool:
        if not edited:
            return all(step["matches"] for step in steps)
        actual = _joined(s for step in steps for s in _segments(step["segments"]))
        expected = _joined(s for step in block["steps"] for s in _segments(step["expected"]))
        return matches(expected, actual, compare_sql=True)


def _same_code(a: str, b: str) -> bool:
    try:
        return ast.dump(ast.parse(a)) == ast.dump(ast.parse(b))
    except SyntaxError:
        return a.strip() == b.strip()


def open_program(program_json: str) -> PageSession:
    """A session for a program given as JSON text (what the JavaScript side passes)."""
    return PageSession(json.loads(program_json))


def result_json(result: dict) -> str:
    return json.dumps(result)
