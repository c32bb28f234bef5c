"""The parent side of the fork server (``launcher.py --zygote``).

Starting a fresh interpreter costs tens of milliseconds, and a grading run starts over a
hundred student processes. The zygote is one launcher, started once per sandbox with a
scrubbed environment, that forks each student process on request (the child side is
:func:`harness.sandbox.launcher.zygote`). The forked process is handed to this process,
which must be a child subreaper, so it is waited for and killed exactly like a
``subprocess.Popen`` child (:class:`ForkedProcess` has the part of Popen's interface the
sandbox uses).

Used only with a PID namespace per student process (where the tree is ended by ending the
namespace); anywhere else the sandbox starts a fresh interpreter per process.
"""

from __future__ import annotations

import ast
import json
import os
import signal
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from harness.sandbox import reaper

WARMABLE = frozenset({"requests", "ntplib", "urllib.request", "http.client", "http.server",
                      "socketserver", "argparse", "email.utils", "ssl"})
"""Modules the zygote may import before it forks, when the submission imports them: heavy to
import (``requests`` costs a student process about 150 ms), with no effect at import time
but their definitions. Listed, never taken from the student's code as such: an arbitrary
installed module may act when imported (``antigravity`` opens a browser)."""
MAX_SOURCE_BYTES = 1 << 20


def local_names(workdir: Path) -> set[str]:
    """The names a program of the submission could import from the submission itself (its
    files and folders, any depth): a module of those names is never warmed for it."""
    names: set[str] = set()
    for _dirpath, dirnames, filenames in os.walk(workdir):
        names.update(dirnames)
        names.update(n.removesuffix(".py") for n in filenames if n.endswith(".py"))
    return names


def warm_imports(source: Path, local: set[str]) -> list[str]:
    """The :data:`WARMABLE` modules the program ``source`` imports, unless the submission has
    a file or folder of the name of the module's package (``local``, from
    :func:`local_names`: then the program imports its own, as a fresh interpreter would)."""
    return sorted(m for m in _imports(source) if m in WARMABLE and m.split(".")[0] not in local)


def _imports(path: Path) -> set[str]:
    try:
        if path.stat().st_size > MAX_SOURCE_BYTES:
            return set()
        tree = ast.parse(path.read_bytes())
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
        return set()
    names: set[str] = set()
    for node in _statements(tree.body):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


BOOT = ("import sys\n"
        "from importlib.machinery import SourceFileLoader\n"
        "sys.argv[:] = sys.argv[1:]\n"
        "__file__ = sys.argv[0]\n"
        "exec(SourceFileLoader('__main__', __file__).get_code('__main__'))\n")
"""Runs the script ``sys.argv[1]`` as ``__main__`` (its ``__file__``, its ``sys.argv``) from
the bytecode Python keeps beside it when that is fresh, compiled from its source otherwise: a
script named on the command line is compiled every time (7 ms of each fork server's start)."""


def script_command(python: str, script: Path, *args: str) -> list[str]:
    """The command that runs ``script`` with ``args`` in an isolated interpreter (``-I``: no
    environment, no user or script folder on the path), through :data:`BOOT`."""
    return [python, "-I", "-u", "-B", "-X", "utf8", "-c", BOOT, str(script), *args]


def _statements(body: list[ast.stmt]) -> Iterator[ast.AST]:
    """Every statement of ``body`` and of the blocks inside it (functions, classes, ``if``,
    ``try`` and its handlers, ``with``, loops, ``match`` cases): where an import can be,
    without visiting the expressions, most of a program's nodes."""
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        yield node
        for name in ("body", "orelse", "finalbody", "handlers", "cases"):
            block = getattr(node, name, None)
            if isinstance(block, list):
                stack += block


class ZygoteError(OSError):
    """The fork server is gone or answered nonsense; the caller falls back to Popen."""


class ForkedProcess:
    """A student process the zygote forked and handed to us (we are its subreaper)."""

    def __init__(self, pid: int, *, init: bool = False) -> None:
        self.pid = pid
        self.init = init
        """PID 1 of its own PID namespace: killing it ends the namespace, and it is waited
        for once every process in it has ended."""
        self.returncode: int | None = None
        self.gone = False
        """Collected by another (its status unknown): never signalled again, as its pid may
        name another process by then."""
        self._lock = threading.Lock()

    def wait(self, timeout: float | None = None) -> int:
        with self._lock:
            if self.returncode is None:
                try:
                    _, status = os.waitpid(self.pid, 0)
                except ChildProcessError:
                    self.gone = True
                    raise
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def poll(self) -> int | None:
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.returncode is None and not self.gone:
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                pass

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class Zygote:
    def __init__(self, python: str, launcher: Path, env: dict[str, str], cwd: Path) -> None:
        if not reaper.become_subreaper():
            raise ZygoteError("this process cannot be a child subreaper")
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._sock = ours
        self._lock = threading.Lock()
        try:
            self.proc = subprocess.Popen(
                script_command(python, launcher, "--zygote", str(theirs.fileno())),
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, env=env, cwd=cwd, start_new_session=True,
                pass_fds=(theirs.fileno(),), close_fds=True)
        finally:
            theirs.close()

    def spawn(self, payload: dict[str, Any], fds: list[int],
              warm: list[str] | tuple[str, ...] = ()) -> ForkedProcess:
        """Fork a student process with these descriptors (stdin, stdout, stderr, events);
        ``warm``: modules the zygote imports first, for this process and the next ones."""
        data = json.dumps({**payload, "warm": [m for m in warm if m in WARMABLE]}).encode()
        with self._lock:
            try:
                socket.send_fds(self._sock, [data], fds)
                reply = self._sock.recv(32)
            except OSError as exc:
                raise ZygoteError(f"the fork server is gone: {exc}") from exc
        words = reply.split()
        try:
            pid = int(words[0])
        except (IndexError, ValueError):
            pid = 0
        if pid <= 0 or words[1:] not in ([], [b"init"]):
            raise ZygoteError(f"the fork server answered {reply!r}")
        return ForkedProcess(pid, init=words[1:] == [b"init"])

    def close(self) -> None:
        self._sock.close()  # the zygote sees EOF and exits
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
