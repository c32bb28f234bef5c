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

Server side: ``python -m harness.warm FD`` (:func:`serve`), or forked from the ``labgrade``
command itself where that gives the same server (:mod:`harness.warm_fork`); engine side:
:func:`run`.
"""

from __future__ import annotations

import atexit
import ctypes
import gc
import importlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any

from harness import warm_fork

WARM_ENV = "LABGRADE_WARM"
"""``0``: every grading run a fresh interpreter (for comparing, and for debugging)."""
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
        server a fresh interpreter's state (``fork=None``: :func:`harness.warm_fork.forkable`),
        which saves
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
        path = warm_fork.fresh_path(env) \
            if fork is not False and (fork or warm_fork.forkable()) else None
        self.forked = path is not None
        try:
            if path is not None:
                self.proc: subprocess.Popen[bytes] | warm_fork.ForkedServer = \
                    warm_fork.ForkedServer(warm_fork.fork_server(ours, theirs, env, path,
                                                                 _serve_forked))
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

def _serve_forked(fd: int) -> None:
    """The server forked from the engine, once :func:`harness.warm_fork.fork_server` has
    made it a fresh interpreter: what importing this module registers in a fresh one, a
    free start lock (the engine's thread that forked held it), then :func:`serve`."""
    global _start_lock
    atexit.register(stop)
    _start_lock = threading.Lock()
    serve(fd)


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
