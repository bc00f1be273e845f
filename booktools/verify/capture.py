"""What a step does, in order: printed output, warnings, the SQL the engine logs, an error."""

from __future__ import annotations

import logging
import sys
import traceback
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from booktools.pages.pycon import TRACEBACK_HEADER, Segment, normalize_sql_line


class OutputLimit:
    """How much output the transcripts of one run may keep, in lines and characters (a line
    counts its newline); past it they keep nothing more and :attr:`truncated` is set.

    The tests record without one. The reader's browser (:mod:`booktools.runner.session`)
    records with one, so that code edited into ``while True: print("x")``, or a huge
    result, neither exhausts the tab's memory nor floods the page. An error is kept past the
    limit (the step ends with it), its message cut to :attr:`ERROR_CHARS` characters.
    """

    ERROR_CHARS = 10_000

    def __init__(self, lines: int, chars: int) -> None:
        self.lines_left = lines
        self.chars_left = chars
        self.truncated = False  # some output was not kept

    @property
    def exhausted(self) -> bool:
        return self.lines_left <= 0 or self.chars_left <= 0

    def keep(self, lines: list[str]) -> list[str]:
        """The first of ``lines`` that fit, the last of them maybe cut."""
        kept, self.chars_left = _within(lines[: max(self.lines_left, 0)], self.chars_left)
        self.lines_left -= len(kept)
        if len(kept) < len(lines) or (kept and len(kept[-1]) < len(lines[len(kept) - 1])):
            self.truncated = True
        return kept

    def cut_error(self, lines: list[str]) -> list[str]:
        """An error's lines, cut to :attr:`ERROR_CHARS` characters."""
        kept, _ = _within(lines, self.ERROR_CHARS)
        if kept != lines:
            self.truncated = True
        return kept


def _within(lines: list[str], chars: int) -> tuple[list[str], int]:
    """The first of ``lines`` that fit in ``chars`` characters (a line counts its newline),
    the last of them cut if it does not fit whole; and the characters left."""
    kept: list[str] = []
    for line in lines:
        if chars <= 0:
            break
        if len(line) + 1 > chars:
            kept.append(line[: chars - 1])
            return kept, 0
        kept.append(line)
        chars -= len(line) + 1
    return kept, chars


class Transcript:
    """An ordered record of what one step wrote, in segments as a page writes them; with a
    limit (:class:`OutputLimit`), only what fits in it."""

    def __init__(self, limit: OutputLimit | None = None) -> None:
        self._segments: list[tuple[str, list[str]]] = []
        # printed text not yet ended by a newline, in pieces (joined when the line ends: a
        # loop that prints without newlines does not copy the line at every print)
        self._unfinished: list[str] = []
        self._unfinished_chars = 0
        self._limit = limit

    def add(self, kind: str, text: str) -> None:
        limit = self._limit
        cut = False
        if limit is not None:
            if limit.exhausted:
                limit.truncated = limit.truncated or bool(text)
                return  # cheap: a loop that prints for ever costs no memory
            # never more text split and kept than could fit: a huge string printed at once
            cut = len(text) > limit.chars_left + 1
            text = text[: limit.chars_left + 1]
        # Lines are kept in the form a page writes them, so that comparing, reporting and
        # --update-examples all see the same text: trailing spaces stripped, SQL normalised
        # (and without DDL's blank lines, which would end an example on the page).
        if kind == "out":
            if "\n" in text:
                *lines, last = (self._take_unfinished() + text).split("\n")
                lines = [line.rstrip() for line in lines]
                self._unfinished, self._unfinished_chars = [last], len(last)
            else:
                self._unfinished.append(text)
                self._unfinished_chars += len(text)
                lines = []
            if limit is not None and self._unfinished_chars >= limit.chars_left:
                # printing without newlines: the line cannot grow past the limit either
                lines.append(self._take_unfinished())
        else:
            self._flush()
            lines = [sql for sql in map(normalize_sql_line, text.split("\n")) if sql]
        if limit is not None:
            lines = limit.keep(lines)
            if cut:  # what was cut off is more than fits: nothing more is kept
                limit.chars_left = 0
                limit.truncated = True
        if not lines:
            return
        if not self._segments or self._segments[-1][0] != kind:
            self._segments.append((kind, []))
        self._segments[-1][1].extend(lines)

    def add_error(self, error: BaseException) -> None:
        self._flush()
        message = "".join(traceback.format_exception_only(type(error), error)).rstrip("\n")
        lines = [line.rstrip() for line in message.split("\n")]
        if self._limit is not None:
            lines = self._limit.cut_error(lines)
        self._segments.append(("error", [TRACEBACK_HEADER, *lines]))

    def _take_unfinished(self) -> str:
        text = "".join(self._unfinished)
        self._unfinished, self._unfinished_chars = [], 0
        return text

    def _flush(self) -> None:
        if self._unfinished_chars:
            self.add("out", self._take_unfinished() + "\n")

    def finish(self) -> tuple[Segment, ...]:
        self._flush()
        return tuple(Segment(kind, tuple(lines)) for kind, lines in self._segments)


class _TranscriptStream:
    """Stands in for sys.stdout while a step runs."""

    def __init__(self, transcript: Transcript) -> None:
        self.transcript = transcript

    def write(self, text: str) -> int:
        self.transcript.add("out", text)
        return len(text)

    def flush(self) -> None:
        pass


_active: list[Transcript] = []  # the transcript being written, while a step runs


class _SQLHandler(logging.Handler):
    """Sends SQLAlchemy's engine log (what ``echo=True`` shows) into the transcript."""

    def emit(self, record: logging.LogRecord) -> None:
        message = self.format(record)
        if _active:
            _active[-1].add("sql", message)
        else:
            sys.__stdout__.write(message + "\n")


def install_sql_handler() -> None:
    """Route the engine log to the transcript, with no timestamp or logger name.

    A handler on the ``sqlalchemy.engine.Engine`` logger also stops ``echo=True`` from
    adding its own timestamped stdout handler, which it does only when none exists.
    """
    logger = logging.getLogger("sqlalchemy.engine.Engine")
    if not any(isinstance(h, _SQLHandler) for h in logger.handlers):
        handler = _SQLHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)


@contextmanager
def recording(limit: OutputLimit | None = None) -> Iterator[Transcript]:
    transcript = Transcript(limit)

    def show_warning(message, category, filename, lineno, file=None, line=None):
        transcript.add("out", f"{category.__name__}: {message}\n")

    _active.append(transcript)
    stdout = sys.stdout
    sys.stdout = _TranscriptStream(transcript)  # type: ignore[assignment]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            warnings.showwarning = show_warning
            yield transcript
    finally:
        sys.stdout = stdout
        _active.pop()
