"""Progress of a batch on stderr: a bar with an estimate of time left on a terminal, one
plain line per finished submission anywhere else (CI logs, files)."""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
from typing import TextIO

from harness.i18n import t
from harness.report.common import clean


def fmt_duration(seconds: float) -> str:
    """``1:05`` for 65 s, ``1:02:03`` past an hour."""
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def one_line(text: str) -> str:
    """Text from a file name or a student program, safe on one terminal line."""
    return clean(text).replace("\n", "\\n").replace("\t", " ")


class Progress:
    """Thread-safe progress reporting for ``total`` submissions.

    The estimate uses the submissions actually graded so far (cached ones cost nothing):
    elapsed time per graded submission, times those still to grade.
    """

    def __init__(self, total: int, *, lang: str, stream: TextIO | None = None,
                 tty: bool | None = None, enabled: bool = True) -> None:
        self.total = total
        self.lang = lang
        self.stream = stream if stream is not None else sys.stderr
        self.tty = (self.stream.isatty() and os.environ.get("TERM") != "dumb") \
            if tty is None else tty
        self.enabled = enabled
        self.done = 0
        self.graded = 0
        self.skipped = 0
        self.started = time.monotonic()
        self._lock = threading.Lock()

    def eta(self) -> float | None:
        """Seconds left, once something was graded; ``None`` before."""
        if not self.graded:
            return None
        elapsed = time.monotonic() - self.started
        remaining = self.total - self.done
        return elapsed / self.graded * remaining

    def finished(self, name: str, line: str, *, cached: bool) -> None:
        """One submission is done: ``line`` says how it went."""
        with self._lock:
            self.done += 1
            if cached:
                self.skipped += 1
            else:
                self.graded += 1
            if not self.enabled:
                return
            if self.tty:
                self._bar(one_line(name))
            else:
                self.stream.write(f"[{self.done}/{self.total}] {one_line(line)}\n")
            self.stream.flush()

    def _bar(self, name: str) -> None:
        width = shutil.get_terminal_size((80, 20)).columns
        eta = self.eta()
        left = t("batch.eta", self.lang, eta=fmt_duration(eta)) if eta is not None else ""
        frac = self.done / self.total if self.total else 1.0
        tail = f" {self.done}/{self.total} {left}  {name}"
        size = max(10, min(40, width - len(tail) - 4))
        filled = round(frac * size)
        text = f"[{'#' * filled}{'.' * (size - filled)}]{tail}"
        self.stream.write("\r" + text[: width - 1].ljust(width - 1))

    def close(self) -> None:
        """End the bar's line (a terminal only)."""
        with self._lock:
            if self.enabled and self.tty and self.done:
                self.stream.write("\n")
                self.stream.flush()
