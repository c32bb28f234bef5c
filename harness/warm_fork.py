"""The warm server (:mod:`harness.warm`) forked from the ``labgrade`` command itself.

Starting ``python -m harness.warm`` costs an interpreter's start and the imports the command
has already made (about 90 ms of CPU per command, issue 12). Where the command's process is
in a state a fork can undo (:func:`forkable`), the server is forked from it instead, and the
child makes itself what the fresh interpreter would have been (:func:`fork_server`): folder,
environment, ``sys.path``, bytecode writing, standard streams, signal handlers, exit
handlers and finalizers, descriptors. Anywhere else, and with ``LABGRADE_WARM_FORK=0``, the
server is a fresh interpreter as before; the verdicts are the same either way (tested).
"""

from __future__ import annotations

import atexit
import gc
import io
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Callable, Mapping

WARM_FORK_ENV = "LABGRADE_WARM_FORK"
"""``0``: the warm server is always a fresh ``python -m harness.warm``, never forked from
the engine (for comparing, and for debugging)."""


class ForkedServer:
    """The part of ``Popen``'s interface :class:`Server` uses, for a server forked from this
    process (our child: waited for and killed as one; thread-safe, and never signalled once
    collected, when its pid could be another process's)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self._lock = threading.Lock()

    def _collect(self, block: bool) -> bool:
        with self._lock:
            if self.returncode is None:
                try:
                    pid, status = os.waitpid(self.pid, 0 if block else os.WNOHANG)
                except ChildProcessError:  # collected elsewhere, as Popen takes it
                    pid, status = self.pid, 0
                if pid:
                    self.returncode = os.waitstatus_to_exitcode(status)
            return self.returncode is not None

    def wait(self, timeout: float | None = None) -> int:
        if timeout is not None and not self._collect(False):
            if not (self._ends_within(timeout) and self._collect(False)):
                raise subprocess.TimeoutExpired(["harness.warm"], timeout)
        self._collect(True)
        assert self.returncode is not None
        return self.returncode

    def _ends_within(self, timeout: float) -> bool:
        try:
            fd = os.pidfd_open(self.pid)
        except (AttributeError, OSError):  # no pidfd (Linux < 5.3): look every 5 ms
            deadline = time.monotonic() + timeout
            while not self._collect(False):
                if time.monotonic() >= deadline:
                    return False
                time.sleep(0.005)
            return True
        try:
            poller = select.poll()
            poller.register(fd, select.POLLIN)
            return bool(poller.poll(timeout * 1000))
        finally:
            os.close(fd)

    def kill(self) -> None:
        with self._lock:  # not collected yet: the pid is still this process's child
            if self.returncode is None:
                try:
                    os.kill(self.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass


FORK_PYTHON_VARS = frozenset({"PYTHONDONTWRITEBYTECODE", "PYTHONPATH", "PYTHONUNBUFFERED",
                              "PYTHONHASHSEED"})
"""The ``PYTHON*`` variables the engine may have been started with and still fork its
server. A fresh server starts without them (:func:`harness.engine._runner_env`); a forked
one undoes what they did: bytecode writing, ``sys.path``, its standard streams built afresh
(:func:`_fresh_interpreter`); ``PYTHONHASHSEED`` only seeds ``hash()`` (tox sets it). Any
other one (``PYTHONOPTIMIZE``, ``PYTHONUTF8``, ``PYTHONIOENCODING``, ...) set a state of the
engine's interpreter that a fresh server would not have: the server is started afresh."""
_FLAGS = ("debug", "inspect", "interactive", "optimize", "no_user_site", "no_site",
          "ignore_environment", "verbose", "bytes_warning", "isolated", "dev_mode",
          "safe_path", "warn_default_encoding")


_fork_allowed = False


def allow_fork() -> None:
    """Called by the ``labgrade`` command (:func:`harness.cli.main` run as the program):
    this process's state is the command's own, and its warm server may be forked from it
    (:func:`forkable`). An engine inside another program (a test run, a notebook) may carry
    state a fork would hand down (pytest's import hooks and warning filters, a tracer): its
    server is always a fresh interpreter."""
    global _fork_allowed
    _fork_allowed = True


def forkable() -> bool:
    """This process can fork a server that is what ``python -m harness.warm`` would be: the
    ``labgrade`` command's own process (:func:`allow_fork`), one thread (a fork copies no
    other thread, nor the locks they may hold), no tracer or profiler (coverage, a
    debugger), and the interpreter started as the server would be (no ``-O``, ``-X``,
    ``-W``, ``-I``, ``-S`` and the like, no ``PYTHON*`` variable outside
    :data:`FORK_PYTHON_VARS`, nothing a ``.pth`` file put first on ``sys.path``:
    :func:`fresh_path`); not with ``LABGRADE_WARM_FORK=0``."""
    return _fork_allowed and os.environ.get(WARM_FORK_ENV, "1") != "0" \
        and sys.gettrace() is None and sys.getprofile() is None and not _monitored() \
        and threading.active_count() == 1 and not sys.warnoptions \
        and not getattr(sys, "_xoptions", None) \
        and not any(getattr(sys.flags, f, 0) for f in _FLAGS) \
        and not any(k.startswith("PYTHON") and k not in FORK_PYTHON_VARS for k in os.environ)


def _monitored() -> bool:
    """A tool holds one of ``sys.monitoring``'s slots (Python 3.12+: coverage's ``sysmon``
    core, profilers), where ``sys.gettrace`` says nothing."""
    monitoring = getattr(sys, "monitoring", None)
    if monitoring is None:
        return False
    return any(monitoring.get_tool(tool) is not None for tool in range(6))


def fresh_path(env: dict[str, str]) -> list[str] | None:
    """``sys.path`` of ``python -m harness.warm`` in ``/`` with ``env``: ``/`` (the working
    folder, as ``-m`` puts it), ``env``'s ``PYTHONPATH``, then this interpreter's own
    (from the standard library's zip on: the same for the same interpreter). ``None``
    where that cannot be told: no zip entry, or anything but this process's script folder
    and ``PYTHONPATH`` before it."""
    zipped = f"python{sys.version_info[0]}{sys.version_info[1]}.zip"
    start = next((i for i, p in enumerate(sys.path) if os.path.basename(p) == zipped), None)
    if start is None:
        return None
    given = [os.path.abspath(p) for p in _pythonpath(os.environ)]
    if [os.path.abspath(p) for p in sys.path[1:start]] != given:
        return None  # a .pth file put a folder before the standard library: start afresh
    return ["/", *_pythonpath(env), *sys.path[start:]]


def _pythonpath(env: Mapping[str, str]) -> list[str]:
    return [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]


def fork_server(ours: socket.socket, theirs: socket.socket, env: dict[str, str],
                path: list[str], serve: Callable[[int], None]) -> int:
    """Fork the server; in the child, become what ``python -m harness.warm FD`` started by
    ``Popen`` (``env``, ``cwd="/"``, standard streams on ``/dev/null``, only ``FD`` kept,
    ``sys.path`` as :func:`fresh_path` gave it) would be, and ``serve(FD)``. Returns the
    child's pid."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()  # written once, by this process
        except (OSError, ValueError, AttributeError):
            pass
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        gc.disable()
        gc.freeze()  # what this process had is never collected (nor closed) in the server
        fd = theirs.fileno()
        ours.close()  # the engine's end: the server must see it close when the engine ends
        _close_all_but(fd)
        null = os.open(os.devnull, os.O_RDWR)
        for std in (0, 1, 2):
            os.dup2(null, std)
        if null > 2:
            os.close(null)
        _fresh_interpreter(env, path, fd)
        serve(fd)
        code = 0
    finally:
        os._exit(code)


def _close_all_but(keep: int) -> None:
    """Close every descriptor above 2 but ``keep``, as ``Popen(close_fds=True)`` does:
    those ``/proc/self/fd`` lists, or up to the hard limit where it cannot be read."""
    try:
        open_fds = sorted(int(name) for name in os.listdir("/proc/self/fd"))
    except OSError:
        import resource

        high = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
        high = high if 0 < high < 1 << 20 else 1 << 20
        os.closerange(3, keep)
        os.closerange(keep + 1, high)
        return
    for fd in open_fds:
        if fd > 2 and fd != keep:
            try:
                os.close(fd)
            except OSError:  # the listing's own, already closed
                pass


def _fresh_interpreter(env: dict[str, str], path: list[str], fd: int) -> None:
    """In the forked server: what a fresh interpreter started with ``env`` in ``/`` has and
    this one may not: the folder, the environment, ``sys.path`` and ``sys.argv``, bytecode
    writing, standard streams built afresh (the engine's may be a terminal's, reconfigured),
    default signal handlers, none of the engine's exit handlers and finalizers."""
    os.chdir("/")
    os.environ.clear()
    os.environ.update(env)
    sys.path[:] = path
    sys.argv[:] = [os.path.join(os.path.dirname(__file__), "warm.py"), str(fd)]
    sys.dont_write_bytecode = bool(env.get("PYTHONDONTWRITEBYTECODE"))
    base = sys.__stdin__
    encoding = getattr(base, "encoding", None) or "utf-8"
    errors = getattr(base, "errors", None) or "strict"
    for name, std, mode, errs, line in (("stdin", 0, "r", errors, False),
                                        ("stdout", 1, "w", errors, False),
                                        ("stderr", 2, "w", "backslashreplace", True)):
        raw = io.FileIO(std, mode, closefd=False)
        buffered = io.BufferedReader(raw) if mode == "r" else io.BufferedWriter(raw)
        stream = io.TextIOWrapper(buffered, encoding=encoding, errors=errs,
                                  line_buffering=line)
        setattr(sys, name, stream)
        setattr(sys, f"__{name}__", stream)
    signal.set_wakeup_fd(-1)
    for sig in signal.valid_signals():
        try:
            handler = signal.getsignal(sig)
            if callable(handler) and handler is not signal.default_int_handler:
                signal.signal(sig, signal.SIG_DFL)
        except (OSError, ValueError):
            pass
    signal.signal(signal.SIGINT, signal.default_int_handler)
    # the engine's exit handlers never run in a server or in a run it forks; those a fresh
    # server's imports register are registered again (the modules are imported already)
    atexit._clear()
    if "logging" in sys.modules:
        atexit.register(sys.modules["logging"].shutdown)
    # the engine's finalizers (a temporary folder it holds) are its own: a run ending must
    # not carry them out; the runs' own still run at their exit
    registry = getattr(weakref.finalize, "_registry", None)
    if isinstance(registry, dict):
        registry.clear()
    if getattr(weakref.finalize, "_registered_with_atexit", False):
        atexit.register(weakref.finalize._exitfunc)  # type: ignore[attr-defined]
