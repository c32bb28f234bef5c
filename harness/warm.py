"""A warm start for grading runs: one server per grading process forks each run.

A grading run (:mod:`harness.runner`) used to be a fresh interpreter, and about a quarter of
a second of CPU went on importing pytest, its plugins and the harness before the first check.
A batch starts one run per submission, a test worker hundreds. The warm server imports all of
that once (:data:`PRELOAD`: modules with nothing but definitions at import, never a course
pack's checks) and forks each run on request; the forked run then sets up exactly what a
fresh ``python -m harness.runner CONFIG`` would have (its environment, working folder,
descriptors, signal handlers, temporary folder) and runs the same ``__main__``.

- **Who talks to it.** Only the process that started it, over a socket pair no other process
  holds (no listening address to find). The runs it forks get none of its descriptors.
- **Waiting and killing.** The server is the runs' parent: it reports each exit status, and
  it kills a run when asked (it alone can tell a live run from a recycled pid). A run past
  its time is killed exactly like a ``subprocess.run`` child past its ``timeout``.
- **Nothing left behind.** The server ends when the process that started it ends (the socket
  closes, even on ``SIGKILL``) and kills its live runs on its way out; a run dies with the
  server (``PR_SET_PDEATHSIG``).
- **Fallback.** Where ``fork`` is missing, with ``LABGRADE_WARM=0``, or when the server cannot
  start or dies, each run is a fresh interpreter, as before. The verdicts are the same either
  way (tested).

Server side: ``python -m harness.warm FD`` (:func:`serve`); engine side: :func:`run`.
"""

from __future__ import annotations

import atexit
import ctypes
import gc
import importlib
import io
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import weakref
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any

WARM_ENV = "LABGRADE_WARM"
"""``0``: every grading run a fresh interpreter (for comparing, and for debugging)."""
WARM_FORK_ENV = "LABGRADE_WARM_FORK"
"""``0``: the warm server is always a fresh ``python -m harness.warm``, never forked from
the engine (for comparing, and for debugging)."""
PRELOAD = (
    "pytest", "_pytest.config", "_pytest.main", "_pytest.python", "_pytest.runner",
    "_pytest.terminal", "_pytest.capture", "_pytest.fixtures", "_pytest.mark",
    "_pytest.skipping", "_pytest.debugging", "_pytest.warnings", "_pytest.assertion",
    "_pytest.helpconfig", "_pytest.nodes", "_pytest.reports",
    "_pytest.faulthandler", "_pytest.cacheprovider", "_pytest.pathlib", "_pytest._io",
    "_pytest._code", "_pytest.fixtures", "_pytest.stash", "pluggy", "iniconfig",
    "pytest_timeout", "pygments.lexers.python", "pygments.lexers.diff",
    "pygments.formatters.terminal", "ntplib", "tomllib", "zoneinfo", "statistics",
    "difflib", "ipaddress", "uuid", "secrets", "csv", "zipfile",
    "harness.runner", "harness.plugin", "harness.protocol", "harness.packs",
    "harness.packs.collect", "harness.packs.declarative", "harness.packs.templates",
    "harness.api", "harness.checks.support", "harness.checks.student", "harness.i18n",
    "harness.fakes.echo", "harness.fakes.jsonapi", "harness.fakes.ntp", "harness.fakes.web",
    "harness.fakes.reset", "harness.sandbox.runner", "harness.sandbox.launcher",
    "harness.sandbox.zygote", "harness.sandbox.isolation", "harness.sandbox.cgroups",
    "harness.sandbox.reaper", "harness.sandbox.mounts", "harness.vnet.shim",
    "harness.vnet.channel", "harness.vnet.rules")
"""What a grading run imports before its first check (read off a run's ``sys.modules``):
libraries and the harness, whose modules only define things when imported. A failed import
is left to the run (it imports the module itself, and fails there as a fresh one would)."""
RUN_MODULE = "harness.runner"
START_S = 30.0
"""How long the server may take to fork a run and say so (the first waits for its imports)."""
KILL_S = 10.0
"""How long a killed run may take to be reported gone."""
PR_SET_PDEATHSIG = 1
MAX_MESSAGE = 1 << 20
"""The largest request (its environment included); larger ones start cold."""
REPLY_BYTES = 256


class WarmGone(OSError):
    """The server is gone or answered nonsense: the run is started the cold way instead."""


# --- engine side ----------------------------------------------------------------------------

class Server:
    """The engine's handle on one warm server: thread-safe, one reader thread."""

    def __init__(self, env: dict[str, str], *, fork: bool | None = None) -> None:
        """Start a server with ``env``: forked from this process where that gives the
        server a fresh interpreter's state (``fork=None``: :func:`forkable`), which saves
        the interpreter's start and the imports this process has made; a fresh
        ``python -m harness.warm`` otherwise (``fork=False``)."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._sock = ours
        self._lock = threading.Lock()
        self._next = 0
        self._forks: dict[int, Future[int]] = {}  # request id -> pid, once forked
        self._exits: dict[int, Future[int]] = {}  # request id -> exit code
        self._ids: dict[int, int] = {}  # pid of a live run -> its request id
        self.gone = False
        path = _fresh_path(env) if fork is not False and (fork or forkable()) else None
        self.forked = path is not None
        try:
            if path is not None:
                self.proc: subprocess.Popen[bytes] | _ForkedServer = \
                    _ForkedServer(_fork_server(ours, theirs, env, path))
            else:
                self.proc = subprocess.Popen(
                    [sys.executable, "-m", "harness.warm", str(theirs.fileno())],
                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL, env=env, cwd="/", pass_fds=(theirs.fileno(),),
                    close_fds=True)
        finally:
            theirs.close()
        threading.Thread(target=self._read, name="labgrade-warm", daemon=True).start()

    def _read(self) -> None:
        while True:
            try:
                data = self._sock.recv(REPLY_BYTES)
                msg = json.loads(data) if data else None
            except (OSError, ValueError):
                msg = None
            if not isinstance(msg, dict):
                break
            try:
                with self._lock:
                    if "id" in msg:  # forked: {"id": n, "pid": pid} (always before its end)
                        rid, pid = int(msg["id"]), int(msg["pid"])
                        self._ids[pid] = rid
                        _settle(self._forks.get(rid), pid)
                    else:  # ended: {"pid": pid, "code": code}
                        rid = self._ids.pop(int(msg["pid"]), -1)
                        _settle(self._exits.get(rid), int(msg["code"]))
            except (KeyError, TypeError, ValueError):
                break  # nonsense: the server is treated as gone
        with self._lock:
            self.gone = True
            for fut in [*self._forks.values(), *self._exits.values()]:
                if not fut.done():
                    fut.set_exception(WarmGone("the warm server is gone"))
        self._sock.close()

    def _send(self, msg: dict[str, Any]) -> None:
        try:
            self._sock.send(json.dumps(msg).encode())
        except OSError as exc:
            raise WarmGone(f"the warm server is gone: {exc}") from exc

    def run(self, argv: list[str], *, env: dict[str, str], cwd: Path, log: Path,
            timeout: float | None, module: str = RUN_MODULE) -> int | None:
        """Run ``python -m MODULE *argv`` forked from the server (``module``: the grading
        run; tests run probes); its exit code (as ``subprocess``'s ``returncode``), or
        ``None`` when it was killed past ``timeout``. Raises :class:`WarmGone` when the run
        could not be started this way."""
        with self._lock:
            if self.gone:
                raise WarmGone("the warm server is gone")
            self._next += 1
            rid = self._next
            fork = self._forks[rid] = Future()
            ended = self._exits[rid] = Future()
        try:
            with self._lock:
                self._send({"id": rid, "module": module, "argv": argv, "env": env,
                            "cwd": str(cwd), "log": str(log)})
            try:
                pid = fork.result(timeout=START_S)
            except FutureTimeout as exc:
                self.close()
                raise WarmGone("the warm server did not start the run") from exc
            try:
                return ended.result(timeout=timeout)
            except FutureTimeout:
                try:
                    with self._lock:
                        self._send({"kill": pid})
                    ended.result(timeout=KILL_S)
                except (FutureTimeout, WarmGone):
                    pass  # gone with the server, or ended by the engine (cgroup, tags)
                return None
            except WarmGone:
                return -signal.SIGKILL  # it died with the server: as a run killed
        finally:
            with self._lock:
                self._forks.pop(rid, None)
                self._exits.pop(rid, None)

    def preload(self, checks: list[tuple[str, Path]]) -> None:
        """Have the server import these check modules (``(pack name, file)``) of the
        built-in packs before it forks the next runs."""
        with self._lock:
            self._send({"preload": [[pack, str(path)] for pack, path in checks]})

    def close(self) -> None:
        """End the server (it kills any run still going) and wait for it."""
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            self.proc.wait(timeout=KILL_S)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class _ForkedServer:
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
    :func:`_fresh_path`); not with ``LABGRADE_WARM_FORK=0``."""
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


def _fresh_path(env: dict[str, str]) -> list[str] | None:
    """``sys.path`` of ``python -m harness.warm`` in ``/`` with ``env``: ``/`` (the working
    folder, as ``-m`` puts it), ``env``'s ``PYTHONPATH``, then this interpreter's own
    (from the standard library's zip on: the same for the same interpreter). ``None``
    where that cannot be told: no zip entry, or anything but this process's script folder
    and ``PYTHONPATH`` before it."""
    zipped = f"python{sys.version_info[0]}{sys.version_info[1]}.zip"
    start = next((i for i, p in enumerate(sys.path) if os.path.basename(p) == zipped), None)
    if start is None:
        return None
    given = [os.path.abspath(p) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep)
             if p]
    if [os.path.abspath(p) for p in sys.path[1:start]] != given:
        return None  # a .pth file put a folder before the standard library: start afresh
    extra = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    return ["/", *extra, *sys.path[start:]]


def _fork_server(ours: socket.socket, theirs: socket.socket, env: dict[str, str],
                 path: list[str]) -> int:
    """Fork the server; in the child, become what ``python -m harness.warm FD`` started by
    ``Popen`` (``env``, ``cwd="/"``, standard streams on ``/dev/null``, only ``FD`` kept)
    would be, and serve. Returns the child's pid."""
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
    default signal handlers, no exit handlers of the engine's, a free start lock."""
    global _start_lock

    os.chdir("/")
    os.environ.clear()
    os.environ.update(env)
    sys.path[:] = path
    sys.argv[:] = [__file__, str(fd)]
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
    atexit.register(stop)
    # the engine's finalizers (a temporary folder it holds) are its own: a run ending must
    # not carry them out; the runs' own still run at their exit
    registry = getattr(weakref.finalize, "_registry", None)
    if isinstance(registry, dict):
        registry.clear()
    if getattr(weakref.finalize, "_registered_with_atexit", False):
        atexit.register(weakref.finalize._exitfunc)  # type: ignore[attr-defined]
    _start_lock = threading.Lock()  # held by the engine's thread that forked


def _settle(fut: Future[int] | None, value: int) -> None:
    if fut is not None and not fut.done():
        fut.set_result(value)


_server: Server | None = None
_owner = 0
_start_lock = threading.Lock()


def enabled() -> bool:
    return hasattr(os, "fork") and sys.platform.startswith("linux") \
        and os.environ.get(WARM_ENV, "1") != "0"


def server(env: dict[str, str]) -> Server | None:
    """This process's warm server, started with ``env`` on first use (``None`` where runs
    start cold)."""
    global _server, _owner
    if not enabled():
        return None
    with _start_lock:
        if _server is None or _server.gone or _owner != os.getpid():
            try:
                _server, _owner = Server(env), os.getpid()
            except OSError:
                return None
        return _server


def stop() -> None:
    """End this process's warm server, if any (at exit; tests)."""
    global _server
    with _start_lock:
        if _server is not None and _owner == os.getpid():
            _server.close()
        _server = None


def _forget_in_child() -> None:
    """In a process forked from one with a warm server: not ours (the parent still talks to
    it); this copy of the socket is closed, so the server still sees its engine end."""
    global _server
    if _server is not None:
        _server._sock.close()  # this process's descriptor only: no shutdown
        _server = None


atexit.register(stop)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_in_child)


def run(argv: list[str], *, env: dict[str, str], cwd: Path, log: Path,
        timeout: float | None, base_env: dict[str, str]) -> int | None:
    """Run ``python -m harness.runner *argv`` with exactly ``env``, in ``cwd``, its output
    in ``log``: forked from the warm server (started with ``base_env``) where there is one,
    a fresh interpreter otherwise. Returns the exit code, ``None`` when killed past
    ``timeout``."""
    warm = server(base_env)
    if warm is not None:
        try:
            return warm.run(argv, env=env, cwd=cwd, log=log, timeout=timeout)
        except WarmGone:
            pass  # started the cold way below
    with open(log, "ab") as out:
        try:
            proc = subprocess.run([sys.executable, "-m", RUN_MODULE, *argv],
                                  stdin=subprocess.DEVNULL, stdout=out,
                                  stderr=subprocess.STDOUT, env=env, cwd=cwd,
                                  timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            return None
    return proc.returncode


# --- server side ----------------------------------------------------------------------------

def serve(fd: int) -> None:
    """The server's loop: fork a run per request, report each run's end, kill on request;
    when the socket closes (the engine is gone), kill the live runs and end."""
    sock = socket.socket(fileno=fd)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C ends the runs and the engine
    # no collection here (each run has it back, :func:`become_run`): hundreds of modules'
    # definitions are no garbage, and the collections their allocations set off were about
    # 5 % of the imports' CPU; the server itself only forks and passes messages on
    gc.disable()
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception:
            pass
    compile("", "<labgrade>", "exec")  # builds the ast node types once, not in every run
    gc.freeze()  # all of it left out of the forks' collections
    from harness import template
    if threading.active_count() != 1:  # fork only from a single-threaded process
        return
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    os.set_blocking(wake_r, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    live: set[int] = set()
    try:
        while True:
            ready, _, _ = select.select([sock.fileno(), wake_r], [], [])
            if wake_r in ready:
                while True:
                    try:
                        if not os.read(wake_r, 512):
                            break
                    except BlockingIOError:
                        break
            for pid, code in _reap():
                if pid in live:  # not a template (harness.template): those are not runs
                    live.discard(pid)
                    sock.send(json.dumps({"pid": pid, "code": code}).encode())
            if sock.fileno() in ready:
                data = sock.recv(MAX_MESSAGE)
                if not data:
                    return
                msg = json.loads(data)
                if "preload" in msg:
                    _preload(msg["preload"])
                    continue
                if "kill" in msg:
                    if int(msg["kill"]) in live:
                        os.kill(int(msg["kill"]), signal.SIGKILL)
                    continue
                me = os.getpid()
                close = [sock.fileno(), wake_r, wake_w]
                forked = template.fork_run(msg, close)
                if forked is None:
                    close += template.fds()
                    gc.freeze()  # the forks leave what they share out of their collections
                    forked = os.fork()
                    if forked == 0:
                        _child(msg, close, me)
                pid = forked
                live.add(pid)
                sock.send(json.dumps({"id": msg["id"], "pid": pid}).encode())
    except (OSError, ValueError):
        pass
    finally:
        # the templates too: gone (not still freeing their memory) once the server is
        ending = [*live, *template.pids()]
        for pid in ending:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for pid in ending:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass


def _preload(checks: list[list[str]]) -> None:
    """Import the built-in packs' check modules a batch is about to grade with (see
    :func:`harness.packs.collect.preload`); a failure only means each run imports them."""
    from harness.packs.collect import preload

    try:
        preload([(str(pack), Path(path)) for pack, path in checks])
    except Exception:
        pass


def _reap() -> list[tuple[int, int]]:
    ended = []
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            break
        ended.append((pid, os.waitstatus_to_exitcode(status)))
    return ended


def _child(msg: dict[str, Any], close: list[int], server: int) -> None:
    """The forked run: becomes what ``python -m harness.runner ARGV`` started by the engine
    would be, runs its ``__main__``, and ends like an interpreter does."""
    import runpy

    from harness.sandbox.launcher import end_forked

    def body() -> int:
        become_run(msg, close, server)
        runpy.run_module(msg["module"], run_name="__main__", alter_sys=True)
        return 0

    end_forked(body, 1)


def become_run(msg: dict[str, Any], close: list[int], server: int) -> None:
    """In a process forked for the run ``msg`` (a child of the server ``server``): what a
    fresh ``python -m MODULE ARGV`` started by the engine would have: dies with the server,
    signal handlers, descriptors (``close`` closed; stdin empty, output to the run's log),
    working folder, environment, temporary folder, ``sys.argv``, garbage collection."""
    import tempfile

    ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # dies with the server
    if os.getppid() != server:  # the server died before that took effect
        os._exit(1)
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for fd in close:
        os.close(fd)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    out = os.open(msg["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(out, 1)
    os.dup2(out, 2)
    os.close(out)
    os.chdir(msg["cwd"])
    os.environ.clear()
    os.environ.update(msg["env"])
    tempfile.tempdir = None  # TMPDIR is the run's own
    sys.argv = [msg["module"], *msg["argv"]]
    gc.enable()  # the server and the templates run without it


if __name__ == "__main__":
    serve(int(sys.argv[1]))
