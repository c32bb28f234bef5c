"""Common lifecycle of the local fakes: start/stop, readiness, thread errors, records.

Every fake binds its socket inside ``start()`` (a TCP fake is also listening), so a client may
connect as soon as ``start()`` returns: the kernel queues the connection or datagram until the
server thread picks it up. Server threads never sleep to poll: each blocking wait selects on the
server's socket together with a private "wake" socket that ``stop()`` writes to, and every
connection socket has an I/O timeout, so ``stop()`` finishes in bounded time.
"""

from __future__ import annotations

import os
import selectors
import socket
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar

from harness.errors import HarnessError

Peer = tuple[str, int]
"""A socket address as ``(host, port)``."""

STOP_TIMEOUT = 5.0
"""Seconds ``stop()`` waits for all server threads together before declaring them stuck."""

_F = TypeVar("_F", bound="FakeServer")


class FakeError(HarnessError):
    """A fake server failed inside one of its threads, or was used the wrong way."""


class FakeServer:
    """Base of every fake: owns the bound socket, the threads and the errors they raised.

    Subclasses implement ``_bind()`` (return a bound socket) and ``_serve()`` (the main loop, run
    in its own thread). Records live under ``self._cond``; changing one must ``notify_all()``.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, io_timeout: float = 10.0) -> None:
        self.host = host
        self.io_timeout = io_timeout
        """Timeout of each send/recv on a connection (a client that stalls is dropped)."""
        self._requested_port = port
        self._sock: socket.socket | None = None
        self._bound: Peer | None = None
        self._lock = threading.Lock()  # guards _threads, _open and the _stopping transition
        self._threads: list[threading.Thread] = []
        self._open: set[socket.socket] = set()
        self._stopping = threading.Event()
        self._wake_r: socket.socket | None = None
        self._wake_w: socket.socket | None = None
        self._cond = threading.Condition()  # guards the records and the errors
        self._errors: list[tuple[str, BaseException]] = []
        self._unreported: list[tuple[str, BaseException]] = []

    # ----------------------------------------------------------------- lifecycle

    def start(self) -> None:
        """Bind (and listen), start the server thread; the fake answers once this returns."""
        if self.is_running:
            raise FakeError(f"{self!r} is already running; call stop() before start()")
        self._stopping = threading.Event()
        self._wake_r, self._wake_w = socket.socketpair()
        try:
            sock = self._bind()
        except OSError as exc:
            self._close_wake()
            raise FakeError(
                f"{type(self).__name__} cannot bind {self.host}:{self._requested_port}: {exc}; "
                "use port=0 to get a free ephemeral port"
            ) from exc
        sock.setblocking(False)
        self._sock = sock
        self._bound = sock.getsockname()[:2]
        self._spawn("serve", self._serve)

    def stop(self) -> None:
        """Stop all threads, close every socket, then re-raise any error a thread raised.

        Idempotent: stopping a stopped (or never started) fake only re-checks errors.
        """
        if self._sock is not None:
            with self._lock:
                self._stopping.set()
                threads, conns = list(self._threads), list(self._open)
            try:
                assert self._wake_w is not None
                self._wake_w.send(b"x")
            except OSError:
                pass
            for conn in conns:
                ignore_oserror(conn.shutdown, socket.SHUT_RDWR)
            deadline = time.monotonic() + STOP_TIMEOUT
            for thread in threads:
                thread.join(max(0.0, deadline - time.monotonic()))
            stuck = [t.name for t in threads if t.is_alive()]
            with self._lock:
                conns = list(self._open)
                self._open.clear()
                self._threads.clear()
            for conn in conns:
                conn.close()
            self._sock.close()
            self._sock = None
            self._close_wake()
            if stuck:
                self._record_error(
                    "stop",
                    FakeError(f"threads still running after {STOP_TIMEOUT} s: {', '.join(stuck)}"),
                )
        self.check_errors()

    def check_errors(self) -> None:
        """Raise ``FakeError`` for the first error a server thread raised since the last check.

        Each error is raised once; all of them stay in ``errors``.
        """
        with self._cond:
            pending, self._unreported = self._unreported, []
        if not pending:
            return
        where, exc = pending[0]
        more = f" (and {len(pending) - 1} more; see .errors)" if len(pending) > 1 else ""
        raise FakeError(
            f"{type(self).__name__} on {self.host}:{self._port_or_requested()}: "
            f"{where} raised {type(exc).__name__}: {exc}{more}"
        ) from exc

    @property
    def errors(self) -> list[BaseException]:
        """Every exception raised inside a server thread, in order (reported or not)."""
        with self._cond:
            return [exc for _, exc in self._errors]

    def clear(self) -> None:
        """Forget everything received and every error (between two uses of one fake)."""
        with self._cond:
            self._errors.clear()
            self._unreported.clear()
            self._clear_records()
            self._cond.notify_all()

    def __enter__(self: _F) -> _F:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.is_running else "stopped"
        return f"<{type(self).__name__} {self.host}:{self._port_or_requested()} {state}>"

    # ---------------------------------------------------------------- properties

    @property
    def is_running(self) -> bool:
        return self._sock is not None

    @property
    def port(self) -> int:
        """The port really bound (the ephemeral one when constructed with ``port=0``)."""
        if self._bound is None:
            if self._requested_port:
                return self._requested_port
            raise FakeError(
                f"{type(self).__name__}.port is unknown until start() binds port 0; "
                "call start() first (or use it as a context manager)"
            )
        return self._bound[1]

    @property
    def address(self) -> Peer:
        """``(host, port)`` to connect or send to."""
        return (self.host, self.port)

    # ------------------------------------------------------- for the subclasses

    def _bind(self) -> socket.socket:
        raise NotImplementedError

    def _serve(self) -> None:
        raise NotImplementedError

    def _clear_records(self) -> None:
        """Reset the subclass's records; called with ``self._cond`` held."""

    def _new_socket(self, kind: socket.SocketKind) -> socket.socket:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, kind)
        if os.name == "posix":  # on Windows SO_REUSEADDR means "steal the port": not wanted
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self._requested_port))
        except OSError:
            sock.close()
            raise
        return sock

    def _wait_readable(self, sock: socket.socket, timeout: float | None) -> bool:
        """Wait until ``sock`` is readable; False on timeout or when the fake is stopping."""
        if self._stopping.is_set() or self._wake_r is None:
            return False
        try:
            with selectors.DefaultSelector() as sel:
                sel.register(sock, selectors.EVENT_READ)
                sel.register(self._wake_r, selectors.EVENT_READ)
                ready = sel.select(timeout)
        except (OSError, ValueError):  # a socket closed under us: only happens while stopping
            return False
        if self._stopping.is_set():
            return False
        return any(key.fileobj is sock for key, _ in ready)

    def _wait_for(self, predicate: Callable[[], bool], timeout: float) -> bool:
        with self._cond:
            return self._cond.wait_for(predicate, timeout)

    def _spawn(self, where: str, target: Callable[..., Any], *args: Any) -> bool:
        """Start a daemon thread whose errors are stored; False if the fake is stopping."""

        def run() -> None:
            try:
                target(*args)
            except BaseException as exc:
                if not (self._stopping.is_set() and isinstance(exc, OSError)):
                    self._record_error(where, exc)

        with self._lock:
            if self._stopping.is_set():
                return False
            self._threads = [t for t in self._threads if t.is_alive()]
            thread = threading.Thread(
                target=run, name=f"{type(self).__name__}-{where}", daemon=True
            )
            self._threads.append(thread)
            thread.start()
        return True

    def _record_error(self, where: str, exc: BaseException) -> None:
        with self._cond:
            self._errors.append((where, exc))
            self._unreported.append((where, exc))
            self._cond.notify_all()

    def _port_or_requested(self) -> int:
        return self._bound[1] if self._bound else self._requested_port

    def _close_wake(self) -> None:
        for sock in (self._wake_r, self._wake_w):
            if sock is not None:
                sock.close()
        self._wake_r = self._wake_w = None


def ignore_oserror(func: Callable[..., Any], *args: Any) -> None:
    """Call ``func(*args)``; an ``OSError`` (socket already closed or reset) is expected."""
    try:
        func(*args)
    except OSError:
        pass
