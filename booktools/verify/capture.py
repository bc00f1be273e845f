"""What a step does, in order: printed output, warnings, the SQL the engine logs, an error."""

from __future__ import annotations

import logging
import sys
import traceback
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from booktools.pages.pycon import TRACEBACK_HEADER, Segment, normalize_sql_line


class Transcript:
    """An ordered record of what one step wrote, in segments as a page writes them."""

    def __init__(self) -> None:
        self._segments: list[tuple[str, list[str]]] = []
        self._unfinished_line = ""  # printed text not yet ended by a newline

    def add(self, kind: str, text: str) -> None:
        # Lines are kept in the form a page writes them, so that comparing, reporting and
        # --update-examples all see the same text: trailing spaces stripped, SQL normalised
        # (and without DDL's blank lines, which would end an example on the page).
        if kind == "out":
            *lines, self._unfinished_line = (self._unfinished_line + text).split("\n")
            lines = [line.rstrip() for line in lines]
        else:
            self._flush()
            lines = [sql for sql in map(normalize_sql_line, text.split("\n")) if sql]
        if not lines:
            return
        if not self._segments or self._segments[-1][0] != kind:
            self._segments.append((kind, []))
        self._segments[-1][1].extend(lines)

    def add_error(self, error: BaseException) -> None:
        self._flush()
        message = "".join(traceback.format_exception_only(type(error), error)).rstrip("\n")
        lines = [line.rstrip() for line in message.split("\n")]
        self._segments.append(("error", [TRACEBACK_HEADER, *lines]))

    def _flush(self) -> None:
        if self._unfinished_line:
            pending, self._unfinished_line = self._unfinished_line, ""
            self.add("out", pending + "\n")

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
def recording() -> Iterator[Transcript]:
    transcript = Transcript()

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
