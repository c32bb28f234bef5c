"""Grading runs of the built-in packs forked where pytest has started and collected.

Before its first check, a grading run of the built-in packs spent about a third of its CPU on
work that is the same in every run that collects the same check files: pytest's start (its
configuration, its plugins and their fixtures) and the collection of the check modules. The
warm server (:mod:`harness.warm`) forks, for each such set of files, one *template*: it
starts pytest once, as a run would, and stops where the collected checks are about to be
selected (``pytest_collection_modifyitems``). From there it forks each run of that set.

- **The run.** Forked beside the template (``clone(CLONE_PARENT)``: a child of the warm
  server, which reports its end and kills it exactly as one it forked itself), it becomes the
  run ``python -m harness.runner CONFIG`` would be (:func:`harness.warm.become_run`,
  :func:`harness.runner.prepare`: descriptors, environment, folder, namespaces, subreaper,
  cgroup), gives the plugin its own configuration (read afresh: nothing of another
  submission) and carries on: the selection of its checks, the checks, its report.
- **What the runs share** is only what pytest made of the same command line and the same
  files before any check: the key of a template is pytest's command line but the run's
  configuration file, with each check file's size and time (a changed file gets a new
  template). The plugin's configuration in the template is the first run's, with the report
  sent nowhere; each run reads its own again before anything depends on it.
- **Only the built-in packs** (their modules only define things when imported; pytest runs
  them without output capture, see :data:`harness.runner.BUILTIN_ONLY`). A course pack's
  run starts pytest itself.
- **Fallback.** ``LABGRADE_TEMPLATE=0``, a template that cannot start or has died, or more
  than :data:`MAX_TEMPLATES` sets of files: the warm server forks the run itself, as before.
  The verdicts are the same either way (tested).
- **Nothing left behind.** A template ends when the server closes its socket, dies with the
  server (``PR_SET_PDEATHSIG``), and is killed and waited for by the server on its way out.
  Its own two files (the configuration it started pytest with, and that configuration's
  report) are in the first run's folder, which the engine removes with that run.
"""

from __future__ import annotations

import ctypes
import gc
import json
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

TEMPLATE_ENV = "LABGRADE_TEMPLATE"
"""``0``: every run of the built-in packs starts its own pytest (for comparing, debugging)."""
MAX_TEMPLATES = 4
"""Sets of check files with a template at once in one warm server (a grade of everything and
one of lab9, a test suite's handful); more start their own pytest."""
READY_S = 20.0
"""How long the warm server waits for a template to fork a run (the first waits for pytest's
start and the collection)."""
PR_SET_PDEATHSIG = 1
MAX_MESSAGE = 1 << 20


class Template:
    """The warm server's handle on one template process."""

    def __init__(self, cfg_path: str, close: list[int]) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        server = os.getpid()
        gc.freeze()
        pid = os.fork()
        if pid == 0:
            ours.close()
            _template(cfg_path, theirs, [*close], server)  # never returns
        theirs.close()
        ours.settimeout(READY_S)
        self.pid = pid
        self._sock = ours
        self.fd = ours.fileno()

    def fork(self, msg: dict[str, Any]) -> int | None:
        """The pid of the run ``msg``, forked by the template; None where it could not."""
        try:
            self._sock.send(json.dumps(msg).encode())
            reply = self._sock.recv(32)
            pid = int(reply)
        except (OSError, ValueError):
            return None
        return pid if pid > 0 else None

    def close(self) -> None:
        self._sock.close()  # the template sees the end of its socket and exits
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


_TEMPLATES: dict[str, Template | None] = {}
"""In the warm server: key (:func:`key`) -> its template, None once it failed."""


def enabled() -> bool:
    """Templates on: not turned off, and their runs can be forked beside them
    (:func:`harness.sandbox.launcher.fork_beside`: Linux on x86_64 or aarch64, unless
    ``LABGRADE_CLONE_PARENT=0``)."""
    from harness.sandbox.launcher import _SYS_CLONE

    return os.environ.get(TEMPLATE_ENV) != "0" and sys.platform.startswith("linux") and \
        os.uname().machine in _SYS_CLONE and os.environ.get("LABGRADE_CLONE_PARENT") != "0"


def pids() -> list[int]:
    """In the warm server: the template processes (its children, never reported as runs)."""
    return [t.pid for t in _TEMPLATES.values() if t is not None]


def fds() -> list[int]:
    """In the warm server: its sockets to the templates (no run or template keeps them)."""
    return [t.fd for t in _TEMPLATES.values() if t is not None]


def fork_run(msg: dict[str, Any], close: list[int]) -> int | None:
    """In the warm server: the run ``msg`` forked by the template of its check files (started
    first where there is none yet); None where it cannot be (not a run of the built-in
    packs, templates turned off, the template failed): the server forks it itself."""
    from harness.warm import RUN_MODULE

    if msg.get("module") != RUN_MODULE or not enabled():
        return None
    try:
        cfg_path = str(msg["argv"][0])
        k = key(_read(cfg_path))
    except Exception:  # unreadable, or not a configuration: the run itself will say so
        return None
    if k is None:
        return None
    if k not in _TEMPLATES:
        if len(_TEMPLATES) >= MAX_TEMPLATES:
            return None
        try:
            _TEMPLATES[k] = Template(cfg_path, [*close, *fds()])
        except Exception:  # no fork, no socket: the server forks the runs itself
            _TEMPLATES[k] = None
    template = _TEMPLATES[k]
    if template is None:
        return None
    pid = template.fork(msg)
    if pid is None:
        template.close()
        _TEMPLATES[k] = None
    return pid


def key(cfg: Any) -> str | None:
    """What a run shares with the others of its template: pytest's command line but its
    configuration file, and each check file's size and time; None for a run of course packs
    (no template)."""
    from harness.runner import pytest_args

    if not cfg.builtin:
        return None
    files = [[f, *_stamp(f)] for f in cfg.files()]
    return json.dumps([pytest_args(cfg, ""), files])


def _stamp(path: str) -> tuple[int, int]:
    st = os.stat(path)
    return st.st_size, st.st_mtime_ns


def _read(cfg_path: str) -> Any:
    from harness.protocol import RunConfig

    return RunConfig.from_json(Path(cfg_path).read_text(encoding="utf-8"), where=cfg_path)


# --- the template process -----------------------------------------------------------------

def _template(cfg_path: str, sock: socket.socket, close: list[int], server: int) -> None:
    """The template: pytest started with the first run's configuration (its report sent to
    a folder of its own, removed before any fork), serving forks from
    ``pytest_collection_modifyitems`` (:class:`_Fork`) until the server closes the socket."""
    from dataclasses import replace

    from harness import runner
    from harness.sandbox.launcher import end_forked

    cfg_path = os.path.abspath(cfg_path)  # before the template leaves the server's folder

    def body() -> int:
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # dies with the server
        gc.disable()  # none during pytest's start and the collection (a run has it back)
        if os.getppid() != server:
            os._exit(1)
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for fd in close:
            os.close(fd)
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.close(null)
        os.chdir("/")
        # in the first run's folder: the engine removes it with that run, which cannot end
        # before the template has forked it, even if the template is killed meanwhile
        own = tempfile.mkdtemp(prefix="labgrade-template-", dir=os.path.dirname(cfg_path))
        cfg = replace(_read(cfg_path), report=os.path.join(own, "report.json"))
        path = os.path.join(own, "run.json")
        Path(path).write_text(cfg.to_json(), encoding="utf-8")
        runner._no_wrapped_fixture_scan()
        fork = _Fork(sock, server, own)
        code = pytest.main(runner.pytest_args(cfg, path), plugins=[fork])
        if not fork.forked:  # pytest ended before serving (it could not start): no template
            shutil.rmtree(own, ignore_errors=True)
            os._exit(1)
        return int(code)  # a run, at its end

    end_forked(body, 1)


class _Fork:
    """The template's plugin: forks the runs where the checks are about to be selected."""

    def __init__(self, sock: socket.socket, server: int, own: str) -> None:
        self.sock = sock
        self.server = server
        self.own = own
        self.forked = False

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_collection_modifyitems(self, config: Any) -> Iterator[None]:
        self._serve(config)  # returns only in a run
        return (yield)

    def _serve(self, config: Any) -> None:
        from harness import plugin
        from harness.runner import prepare
        from harness.sandbox.launcher import fork_beside
        from harness.warm import become_run

        shutil.rmtree(self.own, ignore_errors=True)
        if threading.active_count() != 1:  # fork only from a single-threaded process
            os._exit(1)
        sys.stdout.flush()
        sys.stderr.flush()
        while True:
            try:
                data = self.sock.recv(MAX_MESSAGE)
                msg = json.loads(data) if data else None
            except (OSError, ValueError):
                msg = None
            if not isinstance(msg, dict):
                os._exit(0)  # the server is gone, or closed the template
            gc.freeze()
            pid = fork_beside()
            if pid == 0:
                self.forked = True
                self.sock.close()
                become_run(msg, [], self.server)
                given = Path(msg["argv"][0])
                cfg = _read(str(given))
                config.option.lg_config = str(prepare(cfg, given))
                plugin.pytest_configure(config)  # this run's configuration, read afresh
                return
            try:
                self.sock.send(str(max(pid, 0)).encode())
            except OSError:
                os._exit(0)
