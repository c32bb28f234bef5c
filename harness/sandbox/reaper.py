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

import ctypes
import os
import signal
import subprocess
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from harness.sandbox.zygote import ForkedProcess

TAG = "LABGRADE_TAG"
PR_SET_CHILD_SUBREAPER = 36
ROUNDS = 50

_subreaper = False
_started: set[int] = set()
"""Launcher pids this process started and has not yet reaped (see :func:`sweep_orphans`)."""


def started(pid: int) -> None:
    _started.add(pid)


def reaped(pid: int) -> None:
    _started.discard(pid)


def kill_tree(proc: subprocess.Popen[bytes] | ForkedProcess, tag: str | None) -> None:
    """SIGKILL the child's session, the child, and (with ``tag``) every tagged process."""
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


def tagged(tag: str) -> list[int]:
    """Pids of live processes whose environment carries ``LABGRADE_TAG=tag`` (Linux)."""
    if not sys.platform.startswith("linux") or not _proc_is_ours():
        return []
    needle = f"{TAG}={tag}".encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                env = f.read()
        except OSError:
            continue
        if needle in env.split(b"\0"):
            found.append(int(entry))
    return found


def kill_tagged(tag: str) -> int:
    """Stop every tagged process (so none can fork meanwhile), then kill them; repeat until
    none is left. Returns how many were found."""
    total = 0
    for _ in range(ROUNDS):
        pids = tagged(tag)
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
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        _subreaper = libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    return _subreaper


def sweep_orphans() -> int:
    """Kill and reap our children that we did not start (orphans handed to us as
    subreaper); returns how many. Does nothing unless :func:`become_subreaper` succeeded."""
    if not _subreaper or not _proc_is_ours():
        return 0
    me = str(os.getpid())
    count = 0
    for _ in range(ROUNDS):
        orphans = [pid for pid in _children(me) if pid not in _started]
        if not orphans:
            break
        count += len(orphans)
        for pid in orphans:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        _reap_orphans()
    return count


def _proc_is_ours() -> bool:
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
    if not _subreaper or not _proc_is_ours():
        return
    for pid in _children(str(os.getpid())):
        if pid in _started:
            continue
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
