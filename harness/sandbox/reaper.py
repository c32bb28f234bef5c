"""Ending a student process and everything it started, at every isolation level.

- With a PID namespace, killing the launcher is enough: its namespace child (PID 1) dies with
  it (``PR_SET_PDEATHSIG``) and the kernel kills the rest of the namespace.
- Always: SIGKILL to the child's session (its process group) and to the launcher.
- Without a PID namespace, on Linux: every student process carries a tag in its environment
  (``LABGRADE_TAG``); ``/proc/*/environ`` is scanned and every tagged process is stopped,
  then killed, until none is left. That catches a ``setsid`` double-forked daemon. Limits: a
  program that clears the variable and then ``exec``\\ s escapes the scan (it is still caught
  at the end of the grading run when the runner is a subreaper, see :func:`become_subreaper`);
  reading another user's ``environ`` needs that user's id or root; elsewhere (macOS, Windows)
  only the session kill applies.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from harness.sandbox.cgroups import Group
    from harness.sandbox.zygote import ForkedProcess

TAG = "LABGRADE_TAG"
RUN_TAG_ENV = "LABGRADE_RUN_TAG"
"""Set by the engine for a grading run: every tag of the run starts with it and a dot, so the
engine can end what a run it killed left (:func:`kill_tagged` with ``prefix``)."""
PR_SET_CHILD_SUBREAPER = 36
ROUNDS = 50
SWEEP_S = 5.0
"""The longest :func:`sweep_orphans` keeps killing (a fork chain dies within milliseconds)."""
SWEEP_CLEAR = 20
"""Looks in a row that found no orphan before the sweep trusts that none is left."""

_subreaper = False
_started: set[int] = set()
"""Launcher pids this process started and has not yet reaped (see :func:`sweep_orphans`)."""


_lock = threading.RLock()
"""Held from before a launcher is started until :func:`started` registered it, so that the
janitor never takes one of ours for an orphan."""
_changed = threading.Condition(_lock)


@contextlib.contextmanager
def spawning() -> Iterator[None]:
    """Hold while starting a student process and calling :func:`started` on it."""
    with _lock:
        yield


def started(pid: int) -> None:
    with _lock:
        _started.add(pid)
        _changed.notify_all()


def reaped(pid: int) -> None:
    with _lock:
        _started.discard(pid)
        _changed.notify_all()


def kill_tree(proc: subprocess.Popen[bytes] | ForkedProcess, tag: str | None,
              group: Group | None = None) -> None:
    """SIGKILL the child's cgroup (when it has one), its session, the child, and (with
    ``tag``) every tagged process."""
    if group is not None:
        group.kill()
    if hasattr(os, "killpg"):  # POSIX: the child is the leader of its own session
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    try:
        proc.kill()
    except ProcessLookupError:
        pass
    if tag:
        kill_tagged(tag)


def new_tag(token: str) -> str:
    """A fresh tag for one student process, under the run's tag when there is one."""
    run = os.environ.get(RUN_TAG_ENV, "")
    return f"{run}.{token}" if run else token


def tagged(tag: str, *, prefix: bool = False) -> list[int]:
    """Pids of live processes whose environment carries ``LABGRADE_TAG=tag`` (with
    ``prefix``: a tag of the run ``tag``) (Linux)."""
    if not sys.platform.startswith("linux") or not proc_is_ours():
        return []
    needle = f"{TAG}={tag}".encode()
    if prefix:
        needle += b"."
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                env = f.read()
        except OSError:
            continue
        if any(v == needle or (prefix and v.startswith(needle)) for v in env.split(b"\0")):
            found.append(int(entry))
    return found


def kill_tagged(tag: str, *, prefix: bool = False) -> int:
    """Stop every tagged process (so none can fork meanwhile), then kill them; repeat until
    none is left. Returns how many were found."""
    total = 0
    for _ in range(ROUNDS):
        pids = tagged(tag, prefix=prefix)
        if not pids:
            break
        total += len(pids)
        for sig in (signal.SIGSTOP, signal.SIGKILL):
            for pid in pids:
                try:
                    os.kill(pid, sig)
                except (ProcessLookupError, PermissionError):
                    pass
        _reap_orphans()
    return total


def become_subreaper() -> bool:
    """Make this process the subreaper of its descendants (Linux): an orphaned student
    process (a double-forked daemon) becomes our child, not init's, so that
    :func:`sweep_orphans` can find and end it. Only for a process of its own that starts
    nothing but student processes (the grading runner)."""
    global _subreaper
    if sys.platform.startswith("linux") and not _subreaper:
        libc = ctypes.CDLL(None, use_errno=True)
        _subreaper = libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    return _subreaper


def start_janitor() -> None:
    """Start :func:`_janitor`; only in a subreaper whose every other child is started under
    :func:`spawning` and registered with :func:`started` (the grading runner), since it
    collects any other child that dies."""
    if _subreaper:
        threading.Thread(target=_janitor, name="orphan-janitor", daemon=True).start()


def _janitor() -> None:
    """Reap orphans as they die, all the time (not only at the end of the run), and end the
    living ones with them: a fork chain whose every parent exits at once (its processes
    leave their session and clear their tag) hands each dead parent to us; reaped here, they
    do not pile up, and the chain's living end is killed as soon as it shows.

    ``waitid(WNOWAIT)`` tells which child died without collecting it; a launcher of ours is
    left to the thread that waits for it (its status matters), an orphan is collected here."""
    while True:
        try:
            info = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOWAIT)
        except ChildProcessError:  # no child at all: wait until one is started
            with _lock:
                _changed.wait(5)
            continue
        except InterruptedError:
            continue
        if info is None:
            continue
        pid = info.si_pid
        with _lock:
            if pid in _started:  # ours: its owner collects it; wait until it did
                _changed.wait_for(lambda p=pid: p not in _started, 1.0)  # type: ignore[misc]
                continue
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            continue
        with _lock:
            _kill_orphans()


def _kill_orphans() -> None:
    """Kill (not reap) our living children that we did not start. Call with the lock held."""
    if not proc_is_ours():
        return
    for pid in _children(str(os.getpid())):
        if pid not in _started:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def sweep_orphans() -> int:
    """Kill and reap our children that we did not start (orphans handed to us as
    subreaper); returns how many. Does nothing unless :func:`become_subreaper` succeeded.

    A fork chain (each process forks and its parent exits at once) keeps handing us a new
    orphan that lives a millisecond: a scan of ``/proc`` misses it, so the children come
    from the kernel's own lists (``/proc/self/task/*/children``), and the sweep ends only
    after several looks in a row found none (or after :data:`SWEEP_S`)."""
    if not _subreaper or not proc_is_ours():
        return 0
    count = 0
    clear = 0
    deadline = time.monotonic() + SWEEP_S
    while clear < SWEEP_CLEAR and time.monotonic() < deadline:
        orphans = [pid for pid in direct_children() if pid not in _started]
        if not orphans:
            clear += 1
            continue
        clear = 0
        count += len(orphans)
        for pid in orphans:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        _reap_orphans()
    _reap_orphans()
    return count


def direct_children() -> list[int]:
    """This process's children, from the kernel's per-thread lists (no ``/proc`` scan);
    the scan where the kernel has no such lists."""
    pids: list[int] = []
    try:
        for tid in os.listdir("/proc/self/task"):
            with open(f"/proc/self/task/{tid}/children", "rb") as f:
                pids += [int(p) for p in f.read().split()]
    except (OSError, ValueError):
        return _children(str(os.getpid()))
    return pids


def proc_is_ours() -> bool:
    """Whether ``/proc`` shows pids as this process sees them. Inside a PID namespace of its
    own without a ``/proc`` of its own (the grading run), it does not: its pids there are
    the outer namespace's, and acting on them would hit other processes. Nothing is
    needed there anyway: when the namespace's PID 1 ends, the kernel ends the rest."""
    try:
        return os.readlink("/proc/self") == str(os.getpid())
    except OSError:
        return False


def _children(ppid: str) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[1].decode() == ppid:
            out.append(int(entry))
    return out


def _reap_orphans() -> None:
    """Collect the exit status of dead orphans handed to us (never of our own launchers,
    whose status their Popen object collects)."""
    if not _subreaper or not proc_is_ours():
        return
    for pid in _children(str(os.getpid())):
        if pid in _started:
            continue
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
