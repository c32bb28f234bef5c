"""The event channel: a pipe the parent owns, on which the child's shim reports binds,
listens, connections, sleeps and function returns as JSON lines.

A reader thread drains the pipe as soon as bytes arrive, so the child never blocks on it and
the parent waits on a condition, never by polling. Events are facts for routing and messages
(which port a server really bound); they are never read as a verdict on their own.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from typing import Any

Event = dict[str, Any]
EXIT_GRACE = 0.3  # seconds to drain the pipe after the child exited
MAX_BYTES = 8 * 1024 * 1024  # a flood on the channel is cut here
MAX_LINE = MAX_BYTES  # a line longer than the whole budget is dropped, not kept growing


class EventChannel:
    def __init__(self) -> None:
        self.read_fd, self.write_fd = os.pipe()
        os.set_inheritable(self.write_fd, True)
        self.events: list[Event] = []
        self.overflow = False
        self._cond = threading.Condition()
        self._closed = False
        self._child_gone = False
        self._gone_at = 0.0
        self._thread = threading.Thread(target=self._drain, name="vnet-events", daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        buf = b""
        total = 0
        skipping = False
        while True:
            try:
                chunk = os.read(self.read_fd, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                break
            total += len(chunk)
            if total > MAX_BYTES:
                with self._cond:
                    self.overflow = True
                    self._cond.notify_all()
                continue
            buf += chunk
            if b"\n" not in chunk:
                if len(buf) > MAX_LINE:  # no event is that long: drop it, keep reading
                    buf, skipping = b"", True
                continue
            *lines, buf = buf.split(b"\n")
            if skipping:  # the rest of an overlong line
                lines, skipping = lines[1:], False
            parsed = [e for e in (_parse(line) for line in lines) if e is not None]
            if parsed:
                with self._cond:
                    self.events.extend(parsed)
                    self._cond.notify_all()
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        os.close(self.read_fd)

    def child_side_done(self) -> None:
        """Close the parent's copy of the write end once the child has it."""
        if self.write_fd >= 0:
            os.close(self.write_fd)
            self.write_fd = -1

    def mark_child_exited(self) -> None:
        """Called by the process watcher: nothing more is worth waiting for."""
        with self._cond:
            self._child_gone = True
            self._gone_at = time.monotonic()
            self._cond.notify_all()

    def wait_for(self, predicate: Callable[[Event], bool], timeout: float) -> Event | None:
        """The first event matching ``predicate``, waiting up to ``timeout`` seconds.

        Returns None at the deadline, or as soon as the child has exited or the pipe closed
        (nothing more will come).
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            seen = 0
            while True:
                for event in self.events[seen:]:
                    if predicate(event):
                        return event
                seen = len(self.events)
                now = time.monotonic()
                left = deadline - now
                if left <= 0 or self._closed:
                    return None
                if self._child_gone:
                    # the child is gone; its last lines may still be in the pipe, which
                    # closes right away unless a grandchild holds it: a short grace
                    grace = self._gone_at + EXIT_GRACE - now
                    if grace <= 0:
                        return None
                    left = min(left, grace)
                self._cond.wait(left)

    def snapshot(self) -> list[Event]:
        with self._cond:
            return list(self.events)

    def wait_closed(self, timeout: float) -> None:
        self._thread.join(timeout)

    def close(self) -> None:
        self.child_side_done()


def _parse(line: bytes) -> Event | None:
    """One event, or None for anything else: any bytes a student process writes on the
    channel (``"[" * 100000`` makes the JSON parser raise ``RecursionError``) are dropped
    here, and the reader goes on."""
    if len(line) > MAX_LINE:
        return None
    try:
        event = json.loads(line)
    except (ValueError, RecursionError, MemoryError):
        return None
    return event if isinstance(event, dict) and isinstance(event.get("ev"), str) else None
