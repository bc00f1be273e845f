"""``pytest --update-examples``: the expected output of failing steps, rewritten.

The pytest plugin keeps one :class:`Updates` per session (on ``config.stash``); failing
steps are recorded as their reports are made, and the pages are rewritten once, when the
session ends, with a summary of what changed, page by page. A step recorded twice (its page
collected twice in one run) is refused: which of the two outputs to write is not clear.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from booktools.pages.pycon import Segment, render


@dataclass(frozen=True)
class Update:
    path: str
    #: the page line of the step's first expected-output line, and how many lines it takes
    line: int
    count: int
    actual: tuple[Segment, ...]


@dataclass
class Updates:
    enabled: bool = False
    pending: dict[str, dict[int, Update]] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)

    def record(self, update: Update) -> None:
        if not self.enabled:
            return
        page = self.pending.setdefault(update.path, {})
        if update.line in page:
            self.refused.append(
                f"{os.path.relpath(update.path)}:{update.line}: recorded twice in this run (is "
                "the page collected twice?); the page is not rewritten"
            )
        page[update.line] = update

    def apply(self) -> list[str]:
        """Rewrite the recorded steps' pages; the summary, one line per page (refusals
        first)."""
        refused_pages = {line.split(":", 1)[0] for line in self.refused}
        summary = list(self.refused)
        for path, updates in self.pending.items():
            page = os.path.relpath(path)
            if page in refused_pages:
                continue
            lines = Path(path).read_text(encoding="utf-8").split("\n")
            for update in sorted(updates.values(), key=lambda u: u.line, reverse=True):
                index = update.line - 1
                prefix = _prefix_of(lines[index - 1])
                lines[index : index + update.count] = [prefix + t for t in render(update.actual)]
            Path(path).write_text("\n".join(lines), encoding="utf-8")
            numbers = ", ".join(str(u.line) for u in sorted(updates.values(), key=lambda u: u.line))
            summary.append(
                f"updated expected output in {page}: {len(updates)} "
                f"step{'s' * (len(updates) != 1)} (lines {numbers})"
            )
        self.pending.clear()
        return summary


def _prefix_of(input_line: str) -> str:
    """The indentation or ``%`` comment prefix in front of a ``>>>``/``...`` line."""
    match = re.match(r"^(.*?)(>>>|\.\.\.)( |$)", input_line)
    return match.group(1) if match else ""
