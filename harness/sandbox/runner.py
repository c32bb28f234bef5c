"""The parent side of the sandbox: start, watch, stop and read back one student process.

Every program run and every function call of a student happens here, in a child process:
its own session, a scrubbed environment with its own home and temp folder, stdin from a file
(then EOF), stdout and stderr to size-capped files (never a pipe the grader waits on), and on
stop SIGINT first (which flushes the child's output), then SIGKILL to the whole tree.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.sandbox.isolation import Isolation
from harness.vnet.channel import Event, EventChannel
from harness.vnet.rules import VNet

LAUNCHER = Path(__file__).with_name("launcher.py")
SHIM = Path(__file__).parents[1] / "vnet" / "shim.py"
EXCERPT = 64 * 1024


@dataclass(frozen=True)
class Limits:
    """Bounds for every student process (configurable in the rubric file)."""

    wall_s: float = 10.0
    """Wall time of one program run or function call batch."""
    cpu_s: int = 10
    memory_mb: int = 1024
    """Address space; a 4 GB allocation fails with MemoryError."""
    file_size_mb: int = 8
    """Largest file the student may write, stdout and stderr included (SIGXFSZ past it)."""
    open_files: int = 256
    processes: int = 64
    """Processes and threads of the student's user id (with ``uid`` isolation)."""
    stop_grace_s: float = 0.5
    """Between SIGINT and SIGKILL when a check stops a program."""

    def rlimits(self, with_nproc: bool) -> dict[str, int]:
        out = {"cpu": self.cpu_s, "as": self.memory_mb * 1024 * 1024,
               "fsize": self.file_size_mb * 1024 * 1024, "nofile": self.open_files,
               "core": 0}
        if with_nproc:
            out["nproc"] = self.processes
        return out


@dataclass
class Finished:
    """How a student process ended and what it left on stdout/stderr."""

    exit_code: int | None
    """Exit status; None when it had to be killed."""
    signal: int | None
    """The signal that ended it (SIGXFSZ: output too large; SIGXCPU/SIGKILL by limits)."""
    timed_out: bool
    """It was still running when its time was up (or when the check stopped it)."""
    stdout: str
    stderr: str
    stdout_bytes: int
    stderr_bytes: int
    duration_s: float
    events: list[Event] = field(default_factory=list)
    stopped: bool = False
    """The check stopped it on purpose (servers): not a failure by itself."""
    output_full: bool = False
    """stdout or stderr reached the file size limit (Python ignores SIGXFSZ, so the program
    sees ``OSError: File too large`` instead of being killed)."""

    @property
    def cause(self) -> str | None:
        """A short key naming an abnormal end, for messages: ``timeout``, ``output_limit``,
        ``cpu_limit``, ``killed``, ``crashed``; None when it exited by itself."""
        if self.timed_out and not self.stopped:
            return "timeout"
        if self.signal == signal.SIGXFSZ or self.output_full:
            return "output_limit"
        if self.signal == signal.SIGXCPU:
            return "cpu_limit"
        if self.signal is not None and not self.stopped:
            return "killed"
        return None


class Child:
    """A running student process. Use as a context manager: leaving stops it."""

    def __init__(self, proc: subprocess.Popen[bytes], channel: EventChannel, scratch: Path,
                 limits: Limits) -> None:
        self.proc = proc
        self.channel = channel
        self.scratch = scratch
        self.limits = limits
        self.started = time.monotonic()
        self.finished: Finished | None = None
        self._exited = threading.Event()
        self._watcher = threading.Thread(target=self._watch, daemon=True, name="child-watch")
        self._watcher.start()

    def _watch(self) -> None:
        self.proc.wait()
        self._exited.set()
        self.channel.mark_child_exited()

    @property
    def alive(self) -> bool:
        return not self._exited.is_set()

    def event(self, predicate: Any, timeout: float) -> Event | None:
        return self.channel.wait_for(predicate, timeout)

    def listening(self, timeout: float) -> Event | None:
        """The first TCP ``listen`` (with the port it really bound), or None."""
        return self.event(lambda e: e["ev"] == "listen", timeout)

    def bound(self, proto: str, timeout: float) -> Event | None:
        """The first bind of ``proto`` with the port the student asked for and the real one."""
        return self.event(lambda e: e["ev"] == "bind" and e.get("proto") == proto, timeout)

    def binds(self) -> list[Event]:
        return [e for e in self.channel.snapshot() if e["ev"] == "bind"]

    def wait(self, timeout: float) -> bool:
        """Wait for the process to exit by itself; True when it did."""
        return self._exited.wait(timeout)

    def output(self) -> str:
        """What it printed so far."""
        return _read(self.scratch / "stdout")[0]

    def stop(self) -> Finished:
        """Stop it (SIGINT, a grace period, then SIGKILL to the whole tree) and read back."""
        if self.finished is not None:
            return self.finished
        stopped = self.alive
        if stopped:
            _signal(self.proc, signal.SIGINT)
            if not self._exited.wait(self.limits.stop_grace_s):
                _kill_tree(self.proc)
                self._exited.wait(5)
        return self._finish(timed_out=stopped, stopped=stopped)

    def finish(self, timeout: float) -> Finished:
        """Wait until it exits by itself or ``timeout``; kill it if still running."""
        if self.finished is not None:
            return self.finished
        if self._exited.wait(timeout):
            return self._finish(timed_out=False, stopped=False)
        _signal(self.proc, signal.SIGINT)
        if not self._exited.wait(min(self.limits.stop_grace_s, 0.2)):
            _kill_tree(self.proc)
            self._exited.wait(5)
        return self._finish(timed_out=True, stopped=False)

    def _finish(self, *, timed_out: bool, stopped: bool) -> Finished:
        _kill_tree(self.proc)  # whatever it left behind in its session goes too
        code = self.proc.returncode
        sig = -code if code is not None and code < 0 else None
        if code is not None and code > 128 and code - 128 in (signal.SIGXFSZ, signal.SIGXCPU,
                                                               signal.SIGKILL):
            sig = code - 128
        self.channel.close()
        self.channel.wait_closed(0.5)
        out, out_n = _read(self.scratch / "stdout")
        err, err_n = _read(self.scratch / "stderr")
        self.finished = Finished(
            exit_code=None if sig is not None else code, signal=sig, timed_out=timed_out,
            stdout=out, stderr=err, stdout_bytes=out_n, stderr_bytes=err_n,
            duration_s=round(time.monotonic() - self.started, 4),
            events=self.channel.snapshot(), stopped=stopped,
            output_full=max(out_n, err_n) >= self.limits.file_size_mb * 1024 * 1024)
        shutil.rmtree(self.scratch, ignore_errors=True)
        return self.finished

    def __enter__(self) -> Child:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class Sandbox:
    """Starts student processes for one submission's private working copy."""

    def __init__(self, workdir: Path, *, isolation: Isolation, limits: Limits | None = None,
                 python: str = sys.executable) -> None:
        self.workdir = workdir
        self.isolation = isolation
        self.limits = limits or Limits()
        self.python = python
        self.home = Path(tempfile.mkdtemp(prefix="labgrade-home-"))
        self._own(self.home)

    def _own(self, path: Path) -> None:
        if self.isolation.uid is not None:
            os.chown(path, self.isolation.uid, self.isolation.uid)
            os.chmod(path, 0o700)

    def spawn(self, file: str, *, args: list[str] | None = None, stdin: str | bytes = "",
              vnet: VNet | None = None, mode: str = "run",
              calls: list[dict[str, Any]] | None = None) -> Child:
        """Start ``file`` (relative to the working copy) and return at once."""
        scratch = Path(tempfile.mkdtemp(prefix="labgrade-run-"))
        stdin_path = scratch / "stdin"
        stdin_path.write_bytes(stdin.encode("utf-8") if isinstance(stdin, str) else stdin)
        channel = EventChannel()
        iso = self.isolation
        config = {
            "mode": mode, "file": str(self.workdir / file), "argv": list(args or []),
            "calls": calls or [], "cwd": str(self.workdir), "events_fd": channel.write_fd,
            "shim": str(SHIM), "vnet": (vnet or VNet()).to_json(), "pidns": iso.pidns,
            "limits": self.limits.rlimits(with_nproc=iso.uid is not None) if iso.rlimits else {},
            "uid": iso.uid, "gid": iso.uid,
        }
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(self.home),
            "TMPDIR": str(self.home), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
            "PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONIOENCODING": "utf-8",
            "LABGRADE_CHILD": json.dumps(config),
        }
        with open(stdin_path, "rb") as fin, open(scratch / "stdout", "wb") as fout, \
                open(scratch / "stderr", "wb") as ferr:
            try:
                proc = subprocess.Popen(
                    [self.python, "-I", "-u", "-B", "-X", "utf8", str(LAUNCHER)],
                    stdin=fin, stdout=fout, stderr=ferr, env=env, cwd=self.workdir,
                    start_new_session=True, pass_fds=(channel.write_fd,), close_fds=True)
            finally:
                channel.child_side_done()
        return Child(proc, channel, scratch, self.limits)

    def run(self, file: str, *, args: list[str] | None = None, stdin: str | bytes = "",
            vnet: VNet | None = None, timeout: float | None = None) -> Finished:
        """Run a program to its end (or its time limit)."""
        child = self.spawn(file, args=args, stdin=stdin, vnet=vnet)
        return child.finish(timeout if timeout is not None else self.limits.wall_s)

    def call(self, file: str, calls: list[dict[str, Any]], *, vnet: VNet | None = None,
             timeout: float | None = None) -> tuple[list[Event | None], Finished]:
        """Import ``file`` in a child and make ``calls``; one outcome event per call
        (``return``, ``raise``, ``missing``) or None when the child never answered it."""
        child = self.spawn(file, vnet=vnet, mode="call", calls=calls)
        finished = child.finish(timeout if timeout is not None else self.limits.wall_s)
        outcomes: list[Event | None] = [None] * len(calls)
        for event in finished.events:
            i = event.get("i")
            if event["ev"] in ("return", "raise", "missing") and isinstance(i, int) \
                    and 0 <= i < len(calls) and outcomes[i] is None:
                outcomes[i] = event
        return outcomes, finished

    def close(self) -> None:
        shutil.rmtree(self.home, ignore_errors=True)


def _signal(proc: subprocess.Popen[bytes], sig: int) -> None:
    try:
        os.kill(proc.pid, sig)
    except ProcessLookupError:
        pass


def _kill_tree(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL the child's whole session. With a PID namespace, killing the launcher is
    enough (its namespace child dies with it, and the kernel ends the namespace)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.kill()
    except ProcessLookupError:
        pass


def _read(path: Path) -> tuple[str, int]:
    """Up to ``EXCERPT`` bytes of a capped output file, decoded with replacement, and the
    file's full size."""
    try:
        with open(path, "rb") as f:
            data = f.read(EXCERPT)
            size = os.fstat(f.fileno()).st_size
    except OSError:
        return "", 0
    return data.decode("utf-8", errors="replace"), size
