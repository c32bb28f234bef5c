"""The parent side of the sandbox: start, watch, stop and read back one student process.

Every program run and every function call of a student happens here, in a child process:
its own session, a scrubbed environment, its own box (a fresh copy of the submission as its
working directory, and a home and temp folder; whatever the program deletes or writes there
is gone with it), stdin from a file (then EOF), stdout and stderr to size-capped files in
memory (``memfd``; never a pipe the grader waits on), and on stop SIGINT first (which flushes
the child's output), then SIGKILL to the whole tree (:mod:`harness.sandbox.reaper`). With a
student uid, the child also gets a private view of the file system
(:mod:`harness.sandbox.mounts`).
"""

from __future__ import annotations

import json
import os
import secrets
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

from harness.errors import HarnessError
from harness.sandbox import activity, cgroups, mounts, reaper, sockdiag
from harness.sandbox.cleanup import remove_tree
from harness.sandbox.isolation import PACKAGE, Isolation, interpreter_paths
from harness.sandbox.zygote import (
    ForkedProcess,
    Zygote,
    ZygoteError,
    local_names,
    warm_imports,
)
from harness.vnet.channel import Event, EventChannel
from harness.vnet.rules import VNet

LAUNCHER = Path(__file__).with_name("launcher.py")
SHIM = Path(__file__).parents[1] / "vnet" / "shim.py"
MOUNTS = Path(__file__).with_name("mounts.py")
EXIT_LAUNCHER_FAILED = 70
HARD_STOP = signal.SIGUSR2
"""Sent to a launcher with a PID namespace: see :meth:`Child._kill`."""
HARD_STOP_S = 5.0
SETUP_S = 60.0
"""The most a student process may take to start and be set up before its code runs (only a
broken machine comes near it); a check's window starts after it."""
STUDENT_NAME = "student"
"""The user name a student process has (``USER``, ``LOGNAME``): its uid is a fresh one that no
passwd file names, so ``getpass.getuser()`` would fail with ``KeyError`` where it works on the
student's own machine."""
USERNS_ENV = "LABGRADE_ALLOW_USERNS"
"""``1``: student processes may make user namespaces of their own (no seccomp filter, see
:func:`harness.sandbox.launcher.no_user_namespaces_filter`): for the tests that show what the
filter refuses. Never set for a grading."""
WRITABLE_ENV = "LABGRADE_WRITABLE"
"""Set by the engine for the grading run: a JSON list of the folders to cover with an empty,
writable one (the host's world-writable folders, scanned once per engine process, and the
engine's temporary folder). Unset: scanned here."""

CLONE_PARENT_ENV = "LABGRADE_CLONE_PARENT"
"""``0``: the zygote never forks with ``CLONE_PARENT``, but twice (see
:func:`harness.sandbox.launcher.fork_beside`)."""


@dataclass(frozen=True)
class Limits:
    """Bounds for every student process (configurable in the rubric file)."""

    wall_s: float = 10.0
    """Wall time of one program run or function call batch (a check's own, shorter window
    applies when it has one; a longer one is cut to this)."""
    cpu_s: int = 10
    memory_mb: int = 1024
    """Address space; a 4 GB allocation fails with MemoryError."""
    file_size_mb: int = 8
    """Largest file the student may write, stdout and stderr included (SIGXFSZ past it)."""
    open_files: int = 256
    processes: int = 64
    """Processes and threads of the student's user id (only with ``uid`` isolation: the
    kernel counts them per user and never limits root)."""
    stop_grace_s: float = 0.5
    """Between SIGINT and SIGKILL when a check stops a program."""
    submission_s: float = 600.0
    """The whole grading run of one submission; checks not finished by then fail with a
    message saying so (the reference needs a few seconds)."""
    disk_mb: int = 64
    """What one student process may write in all (its box, home and temporary folders, on
    top of its own copy of the submission): they are one tmpfs of this size (only with the
    ``uid`` level's private view; elsewhere only ``file_size_mb`` bounds each file)."""

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
    stdout_cut: bool = False
    """stdout reached the capture limit (``capture_limit_bytes``): what the program printed
    after that was lost. ``stdout`` holds everything before it, never only a head."""
    stderr_cut: bool = False
    capture_limit_bytes: int = 0
    """The most a stream keeps (the ``file_size_mb`` limit)."""

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


class SandboxError(HarnessError):
    """The sandbox could not set up a student process (before any student code ran)."""


class Child:
    """A running student process. Use as a context manager: leaving stops it."""

    def __init__(self, proc: subprocess.Popen[bytes] | ForkedProcess, channel: EventChannel,
                 outputs: tuple[int, int], limits: Limits, *, box: Path | None = None,
                 tag: str | None = None, cgroup: cgroups.Group | None = None,
                 pidns: bool = False) -> None:
        self.proc = proc
        self.channel = channel
        self.outputs = outputs
        """Its stdout and stderr: in-memory files (descriptors) this child owns."""
        self.limits = limits
        self.box = box
        self.tag = tag
        """Set when the tree must be found by its environment tag (no PID namespace)."""
        self.cgroup = cgroup
        """Its own pids cgroup, where the machine gives one and there is no PID namespace."""
        self.started = time.monotonic()
        self.finished: Finished | None = None
        self._exited = threading.Event()
        self._started_code = False
        self._pidns = pidns
        self._visible_pid: int | None = None
        """Its pid as ``/proc`` numbers it (:func:`activity.visible_pid`), once looked up."""
        self._watcher = threading.Thread(target=self._watch, daemon=True, name="child-watch")
        self._watcher.start()

    def _watch(self) -> None:
        """Wait for the process to end, then say so; said however the wait ended (a status
        another collected, as ``Popen`` tolerates: the checks would otherwise wait for a
        process long gone, up to :data:`SETUP_S` and the kill's grace)."""
        try:
            self.proc.wait()
        except ChildProcessError:
            pass  # gone, its status unknown: no exit code is reported
        finally:
            reaper.reaped(self.proc.pid)
            self._exited.set()
            self.channel.mark_child_exited()

    @property
    def alive(self) -> bool:
        return not self._exited.is_set()

    def _await_start(self) -> None:
        """Wait until the student's code starts (its ``started`` event) or the process is
        gone: a check's window counts from there, so a busy machine that is slow to start an
        interpreter and set a process up does not eat the student's time."""
        if not self._started_code:
            self.channel.wait_for(lambda e: e["ev"] in ("started", "sandbox_error"), SETUP_S)
            self._started_code = True

    def event(self, predicate: Any, timeout: float) -> Event | None:
        self._await_start()
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
        """Wait for the process to exit by itself (``timeout`` counted from when its code
        started); True when it did."""
        self._await_start()
        return self._exited.wait(timeout)

    def can_run(self) -> bool | None:
        """Whether a process of it is running or waiting for a CPU, rather than asleep
        (blocked on a socket, a sleep), stopped or ended; None where that cannot be told
        (:func:`activity.can_run`). A wait for a program to go quiet asks this before it
        ends: on a busy machine, a program that waits for a CPU is not quiet."""
        if not self.alive:
            return False
        if self._visible_pid is None:
            self._visible_pid = activity.visible_pid(self.proc.pid)
        return None if self._visible_pid is None else activity.can_run(self._visible_pid)

    def output(self) -> str:
        """What it printed so far."""
        if self.finished is not None:
            return self.finished.stdout
        return _read(self.outputs[0], self.limits.file_size_mb * 1024 * 1024)[0]

    def stop(self) -> Finished:
        """Stop it (SIGINT, a grace period, then SIGKILL to the whole tree) and read back."""
        if self.finished is not None:
            return self.finished
        stopped = self.alive
        if stopped:
            self._await_start()  # SIGINT for the student's code, not for its set-up
            _signal(self.proc, signal.SIGINT)
            if not self._exited.wait(self.limits.stop_grace_s):
                self._kill()
        return self._finish(timed_out=stopped, stopped=stopped)

    def _kill(self) -> None:
        """End the whole tree and return once it is gone, sockets closed: with a PID
        namespace, SIGKILL to its PID 1 when that is our child (the kernel reports it ended
        once the whole namespace has), or else ``HARD_STOP`` to the launcher, which kills
        PID 1 and exits only after that; then (or without one) SIGKILL to everything."""
        if self._pidns:
            init = isinstance(self.proc, ForkedProcess) and self.proc.init
            _signal(self.proc, signal.SIGKILL if init else HARD_STOP)
            if self._exited.wait(HARD_STOP_S):
                return
        reaper.kill_tree(self.proc, self.tag, self.cgroup)
        self._exited.wait(5)

    def finish(self, timeout: float) -> Finished:
        """Wait until it exits by itself or ``timeout``; kill it if still running."""
        if self.finished is not None:
            return self.finished
        self._await_start()
        if self._exited.wait(timeout):
            return self._finish(timed_out=False, stopped=False)
        _signal(self.proc, signal.SIGINT)
        if not self._exited.wait(min(self.limits.stop_grace_s, 0.2)):
            self._kill()
        return self._finish(timed_out=True, stopped=False)

    def _finish(self, *, timed_out: bool, stopped: bool) -> Finished:
        # whatever it left behind in its session (its cgroup, its tag) goes too
        reaper.kill_tree(self.proc, self.tag, self.cgroup)
        code = self.proc.returncode
        sig = -code if code is not None and code < 0 else None
        if code is not None and code > 128 and code - 128 in (signal.SIGXFSZ, signal.SIGXCPU,
                                                               signal.SIGKILL):
            sig = code - 128
        self.channel.close()
        self.channel.wait_closed(0.5)
        cap = self.limits.file_size_mb * 1024 * 1024
        out, out_n = _read(self.outputs[0], cap)
        err, err_n = _read(self.outputs[1], cap)
        self.finished = Finished(
            exit_code=None if sig is not None else code, signal=sig, timed_out=timed_out,
            stdout=out, stderr=err, stdout_bytes=out_n, stderr_bytes=err_n,
            duration_s=round(time.monotonic() - self.started, 4),
            events=self.channel.snapshot(), stopped=stopped,
            output_full=max(out_n, err_n) >= cap, stdout_cut=out_n >= cap,
            stderr_cut=err_n >= cap, capture_limit_bytes=cap)
        self._clean()
        first = self.finished.events[0] if self.finished.events else {}
        if first.get("ev") == "sandbox_error" and code == EXIT_LAUNCHER_FAILED:
            raise SandboxError(f"the sandbox could not start a student process while "
                               f"{first.get('step')}: {first.get('error')}")
        return self.finished

    def _clean(self) -> None:
        """Close the output files and remove the box, whatever the student left in it (any
        depth, any modes); a failure is left for the run's own temporary folder, which the
        engine removes, and never changes a verdict."""
        if self.cgroup is not None:
            self.cgroup.close()
        for fd in self.outputs:
            os.close(fd)
        if self.box is not None:
            remove_tree(self.box)

    def __enter__(self) -> Child:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class Sandbox:
    """Starts student processes for one submission's private working copy."""

    def __init__(self, workdir: Path, *, isolation: Isolation, limits: Limits | None = None,
                 python: str = sys.executable, hide: list[str] | tuple[str, ...] = ()) -> None:
        self.workdir = workdir
        self.isolation = isolation
        self.limits = limits or Limits()
        self.python = python
        self.hide = [*hidden_by_default(), *hide]
        """Folders a student process with its own uid never sees (the suite, the reference,
        the outputs, the folder holding the submissions)."""
        self._keep = interpreter_paths() if isolation.uid is not None else []
        self._writable = writable_places() if self._viewed else []
        self._copy_mb = _size_mb(workdir) if self._viewed else 0
        self._cgroups = None if isolation.pidns else cgroups.available()
        self._zygote: Zygote | None = None
        self._zygote_broken = False
        self._starting = threading.Lock()
        self._viewing: tuple[Path, dict[str, Any]] | None = None
        self._local: set[str] | None = None
        self._warmable: dict[str, list[str]] = {}

    @property
    def _viewed(self) -> bool:
        return self.isolation.uid is not None and self.isolation.view

    def _box(self) -> Path:
        """A fresh box (without the private view): ``work/`` (a copy of the working copy)
        and ``home/``, owned by the student's uid when there is one."""
        box = Path(tempfile.mkdtemp(prefix="labgrade-box-"))
        shutil.copytree(self.workdir, box / "work", symlinks=False,
                        copy_function=shutil.copyfile)  # contents only: no metadata to copy
        (box / "home").mkdir()
        uid = self.isolation.uid
        if uid is not None:
            for dirpath, dirnames, filenames in os.walk(box):
                os.chown(dirpath, uid, uid)
                for name in (*dirnames, *filenames):
                    os.lchown(os.path.join(dirpath, name), uid, uid)
        return box

    def _view(self) -> tuple[Path, dict[str, Any]]:
        """With the private view: the sandbox's one box folder and the student's view planned
        for it, made once (the plan resolves and inspects a few dozen paths). The folder stays
        empty here: each student process mounts its own size-limited tmpfs on it, in its own
        mount namespace, and copies the working copy in itself
        (:func:`harness.sandbox.mounts.apply`)."""
        assert self.isolation.uid is not None
        with self._starting:  # processes started at once (run_clients) share one plan
            if self._viewing is None:
                box = Path(tempfile.mkdtemp(prefix="labgrade-box-"))
                plan = mounts.plan(keep=[*self._keep, str(box)], hide=self.hide,
                                   uid=self.isolation.uid, proc=self.isolation.pidns,
                                   writable=self._writable,
                                   readonly=self.isolation.readonly,
                                   box={"path": str(box), "source": str(self.workdir),
                                        "size_mb": self._copy_mb + self.limits.disk_mb})
                self._viewing = (box, plan)
            return self._viewing

    def holds(self, proto: str, port: int) -> bool | None:
        """Whether the student's user has a socket on ``port`` (:func:`holds_port`)."""
        return holds_port(proto, port, self.isolation.uid)

    def queued(self, proto: str, port: int) -> int | None:
        """What the student's socket on ``port`` has received and not read yet, in bytes
        (:func:`queued_at`)."""
        return queued_at(proto, port, self.isolation.uid)

    def window(self, timeout: float | None) -> float:
        """A run's time: the check's window, never more than the ``wall_s`` limit."""
        return self.limits.wall_s if timeout is None else min(timeout, self.limits.wall_s)

    def spawn(self, file: str, *, args: list[str] | None = None, stdin: str | bytes = "",
              vnet: VNet | None = None, mode: str = "run",
              calls: list[dict[str, Any]] | None = None) -> Child:
        """Start ``file`` (relative to the working copy) and return at once."""
        if self._viewed:
            box, view = self._view()
            own_box = None  # the sandbox's, removed when it closes
        else:
            box = own_box = self._box()
            view = None
        fin = fout = ferr = -1
        channel: EventChannel | None = None
        group = None
        iso = self.isolation
        try:  # whatever fails on the way, nothing made for this process stays behind
            fin = _memory_file("stdin", stdin.encode("utf-8") if isinstance(stdin, str) else stdin)
            fout = _memory_file("stdout")
            ferr = _memory_file("stderr")
            channel = EventChannel()
            group = self._cgroups.create(self.limits.processes) if self._cgroups else None
            config = {
                "mode": mode, "file": str(box / "work" / file), "argv": list(args or []),
                "calls": calls or [], "cwd": str(box / "work"), "events_fd": channel.write_fd,
                "shim": str(SHIM), "mounts": str(MOUNTS), "view": view,
                "vnet": (vnet or VNet()).to_json(), "pidns": iso.pidns,
                "limits": self.limits.rlimits(with_nproc=iso.uid is not None)
                if iso.rlimits else {},
                "uid": iso.uid, "gid": iso.uid,
                "cgroup": group.procs_file if group is not None else None,
                "userns": os.environ.get(USERNS_ENV) == "1",
            }
            env = {
                "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(box / "home"),
                # the student's uid is in no passwd file: getpass.getuser() reads these first
                "USER": STUDENT_NAME, "LOGNAME": STUDENT_NAME,
                "TMPDIR": str(box / "home"), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
                "PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1",
                "PYTHONIOENCODING": "utf-8", reaper.TAG: reaper.new_tag(secrets.token_hex(8)),
            }
            with reaper.spawning():
                proc = self._fork(config, env, [fin, fout, ferr, channel.write_fd],
                                  self._warm(file)) or subprocess.Popen(
                    [self.python, "-I", "-u", "-B", "-X", "utf8", str(LAUNCHER)],
                    stdin=fin, stdout=fout, stderr=ferr,
                    env={**env, "LABGRADE_CHILD": json.dumps(config)}, cwd=box,
                    start_new_session=True, pass_fds=(channel.write_fd,), close_fds=True)
                reaper.started(proc.pid)
        except BaseException:
            if group is not None:
                group.close()
            if own_box is not None:
                remove_tree(own_box)
            for fd in (fout, ferr):
                if fd >= 0:
                    os.close(fd)
            raise
        finally:
            if fin >= 0:
                os.close(fin)
            if channel is not None:
                channel.child_side_done()
        return Child(proc, channel, (fout, ferr), self.limits, box=own_box,
                     tag=None if iso.pidns else env[reaper.TAG], cgroup=group,
                     pidns=iso.pidns)

    def run(self, file: str, *, args: list[str] | None = None, stdin: str | bytes = "",
            vnet: VNet | None = None, timeout: float | None = None) -> Finished:
        """Run a program to its end (or its time limit)."""
        child = self.spawn(file, args=args, stdin=stdin, vnet=vnet)
        return child.finish(self.window(timeout))

    def call(self, file: str, calls: list[dict[str, Any]], *, vnet: VNet | None = None,
             timeout: float | None = None) -> tuple[list[Event | None], Finished]:
        """Import ``file`` in a child and make ``calls``; one outcome event per call
        (``return``, ``raise``, ``missing``) or None when the child never answered it."""
        child = self.spawn(file, vnet=vnet, mode="call", calls=calls)
        finished = child.finish(self.window(timeout))
        outcomes: list[Event | None] = [None] * len(calls)
        for event in finished.events:
            i = event.get("i")
            if event["ev"] in ("return", "raise", "missing") and isinstance(i, int) \
                    and 0 <= i < len(calls) and outcomes[i] is None:
                outcomes[i] = event
        return outcomes, finished

    def _fork(self, config: dict[str, Any], env: dict[str, str], fds: list[int],
              warm: list[str]) -> ForkedProcess | None:
        """The student process forked by the zygote, or None to start a fresh interpreter
        (no PID namespace, ``LABGRADE_ZYGOTE=0``, or the zygote could not serve)."""
        if not self.isolation.pidns or os.environ.get("LABGRADE_ZYGOTE") == "0" \
                or self._zygote_broken:
            return None
        try:
            with self._starting:  # one zygote, whichever check starts a process first
                if self._zygote is None:
                    base = {k: env[k] for k in ("PATH", "LANG", "LC_ALL", "PYTHONUNBUFFERED",
                                                "PYTHONDONTWRITEBYTECODE", "PYTHONIOENCODING")}
                    if CLONE_PARENT_ENV in os.environ:  # "0": Z1 forks each process
                        base[CLONE_PARENT_ENV] = os.environ[CLONE_PARENT_ENV]
                    self._zygote = Zygote(self.python, LAUNCHER, base,
                                          Path(tempfile.gettempdir()))
                    reaper.started(self._zygote.proc.pid)
                zygote = self._zygote
            return zygote.spawn({"config": config, "env": env}, fds, warm=warm)
        except ZygoteError:
            self._zygote_broken = True
            return None

    def _warm(self, file: str) -> list[str]:
        """The heavy modules the program ``file`` (relative to the working copy) imports, for
        the zygote to import first (:func:`warm_imports`); read once per file."""
        if file not in self._warmable:
            if self._local is None:
                self._local = local_names(self.workdir)
            self._warmable[file] = warm_imports(self.workdir / file, self._local)
        return self._warmable[file]

    def close(self) -> None:
        """Stop the zygote; end whatever escaped (only as subreaper, see
        :mod:`harness.sandbox.reaper`)."""
        if self._zygote is not None:
            self._zygote.close()
            reaper.reaped(self._zygote.proc.pid)
            self._zygote = None
        reaper.sweep_orphans()
        if self._viewing is not None:
            remove_tree(self._viewing[0])
            self._viewing = None


def hidden_by_default() -> list[str]:
    """The grading suite and everything of the grader's own: this package (wherever it is
    imported from, any installed copy, and a copy an import hook such as an editable install
    would load), and in a checkout the whole checkout (or, when the
    interpreter lives inside it, its ``reference/`` and ``student_template/``)."""
    out = [str(PACKAGE)]
    for site_dir in interpreter_paths():
        installed = Path(site_dir) / "harness"
        if (installed / "sandbox" / "launcher.py").is_file():
            out.append(str(installed))
    out += [p for p in _editable_copies() if p not in out]
    checkout = PACKAGE.parent
    if (checkout / "pyproject.toml").is_file():
        out += [str(checkout), str(checkout / "reference"), str(checkout / "student_template")]
    return out


def _editable_copies() -> list[str]:
    """Where an import hook of the interpreter (an editable install's finder) would take
    ``import harness`` from: another checkout than this one, which a student process of the
    same interpreter could import (and read) otherwise."""
    found = []
    for finder in sys.meta_path:
        find = getattr(finder, "find_spec", None)
        if find is None:
            continue
        try:
            spec = find("harness", None)
        except Exception:  # a third-party hook's own trouble: nothing to hide from it
            continue
        for folder in (spec.submodule_search_locations or []) if spec else []:
            if (Path(folder) / "sandbox" / "launcher.py").is_file():
                found.append(str(Path(folder).resolve()))
    return found


def _signal(proc: subprocess.Popen[bytes] | ForkedProcess, sig: int) -> None:
    try:
        os.kill(proc.pid, sig)
    except ProcessLookupError:
        pass


def holds_port(proto: str, port: int, uid: int | None) -> bool | None:
    """Whether a socket of the user ``uid`` is bound to ``port`` (TCP: listening) in this
    process's network, as the kernel's socket table says (:func:`sockdiag.table`); None
    where that cannot be told (no student uid: every process is the grader's user; no
    table). A server's port comes from an event the student's process writes, which it can
    forge: this is the grader's own look."""
    if uid is None:
        return None
    entries = sockdiag.table(proto, 1 << sockdiag.TCP_LISTEN if proto == "tcp"
                             else sockdiag.ALL_STATES)
    if entries is None:
        return None
    return any(e.local[1] == port and e.uid == uid for e in entries)


def queued_at(proto: str, port: int, uid: int | None) -> int | None:
    """The bytes waiting, unread, in the receive queues of the sockets bound to ``port`` (of
    the user ``uid``, when the student has one), as the kernel's socket table says; None
    where it cannot be told."""
    entries = sockdiag.table(proto)
    if entries is None:
        return None
    return sum(e.queued for e in entries if e.local[1] == port and uid in (None, e.uid))


def writable_places() -> list[str]:
    """The folders to cover with an empty, writable one in the student's view (see
    :data:`WRITABLE_ENV`): the temporary folder and the host's world-writable folders."""
    given = os.environ.get(WRITABLE_ENV)
    if given:
        try:
            places = json.loads(given)
            if isinstance(places, list) and all(isinstance(p, str) for p in places):
                return places
        except ValueError:
            pass
    return [*mounts.world_writable(), tempfile.gettempdir()]


def _size_mb(folder: Path) -> int:
    """The working copy's size in MB, rounded up, for the box's tmpfs."""
    total = 0
    for dirpath, _dirs, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_size
            except OSError:
                continue
    return total // (1024 * 1024) + 1


def _memory_file(name: str, data: bytes = b"") -> int:
    """A descriptor of a new file that lives in memory only (``memfd``; elsewhere an
    unnamed temporary file), holding ``data``, read from its start: a student process's
    stdin, stdout or stderr. No folder, no name, nothing to remove (a file per stream and a
    folder per process cost the disk's file system a new inode each, then their removal)."""
    try:
        fd = os.memfd_create(f"labgrade-{name}", os.MFD_CLOEXEC)
    except (AttributeError, OSError):
        with tempfile.TemporaryFile() as spare:
            fd = os.dup(spare.fileno())
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


def _read(fd: int, limit: int = 64 * 1024 * 1024) -> tuple[str, int]:
    """A capped output file, whole (up to ``limit`` bytes, which the file size limit already
    bounds), decoded with replacement, and the file's full size."""
    chunks = []
    try:
        size = os.fstat(fd).st_size
        done, want = 0, min(size, limit)
        while done < want:
            chunk = os.pread(fd, want - done, done)
            if not chunk:
                break
            chunks.append(chunk)
            done += len(chunk)
    except OSError:
        return "", 0
    return b"".join(chunks).decode("utf-8", errors="replace"), size
