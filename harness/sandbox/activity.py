"""Whether a student's process tree can still run, as the kernel says.

A check that waits for a program to go quiet (no reply, no output for a while) must not
take a machine that keeps the program from running for a program that has nothing more to
do: on a busy machine a process may wait that long for a CPU. The kernel tells the two
apart: a process that runs or waits for a CPU is ``R`` in ``/proc/<pid>/stat`` (``D``: in a
wait the kernel itself must finish, a page to read in under memory pressure); one blocked
on a socket or a sleep is ``S``. A stopped one (``T``) waits for a signal, not for the
machine: the program's own doing, as a sleep is. The tree is found from the kernel's own
lists (``/proc/<pid>/task/<tid>/children``), no scan of ``/proc``.
"""

from __future__ import annotations

import os

from harness.sandbox import reaper

RUNNING = frozenset("RD")
"""States of a task that the machine, not the program, keeps waiting: running or waiting
for a CPU (``R``), in an uninterruptible wait inside the kernel (``D``)."""
MAX_TASKS = 512
"""The most tasks looked at: a tree past this is a fork bomb, and counted as running."""


def visible_pid(child: int) -> int | None:
    """The pid ``/proc`` gives this process's ``child`` (numbered as this process numbers
    it); None when it is not found. A grading run is the first process of a PID namespace of
    its own that still sees the host's ``/proc`` (:func:`reaper.proc_is_ours`): there,
    ``/proc/<child>`` is some other process of the machine (the kernel's own threads, for
    small numbers). The child is found among this process's children, as ``/proc`` lists
    them (:func:`reaper.direct_children`), by the pid its ``NSpid`` line gives it in this
    process's namespace."""
    if reaper.proc_is_ours():
        return child
    try:
        level = len(_nspid("self")) - 1
    except (OSError, ValueError):
        return None
    if level < 1:
        return None
    for candidate in reaper.direct_children():
        try:
            numbers = _nspid(str(candidate))
        except (OSError, ValueError):
            continue
        if len(numbers) > level and numbers[level] == child:
            return candidate
    return None


def _nspid(pid: str) -> list[int]:
    """The ``NSpid`` line of ``/proc/<pid>/status``: the process's pid in each PID namespace
    it is in, the outermost (``/proc``'s) first."""
    with open(f"/proc/{pid}/status", "rb") as f:
        for line in f:
            if line.startswith(b"NSpid:"):
                return [int(n) for n in line.split()[1:]]
    raise ValueError("no NSpid line")


def tree(pid: int) -> list[tuple[int, int]] | None:
    """``(pid, tid)`` of every task (thread) of ``pid`` and its descendants; None when
    ``pid`` is gone or its tasks cannot be listed."""
    found: list[tuple[int, int]] = []
    pending = [pid]
    seen = set()
    while pending and len(found) <= MAX_TASKS:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            tids = [int(t) for t in os.listdir(f"/proc/{current}/task")]
        except (OSError, ValueError):
            if current == pid:
                return None
            continue  # a child that just ended
        for tid in tids:
            found.append((current, tid))
            if len(found) > MAX_TASKS:
                break
            try:
                with open(f"/proc/{current}/task/{tid}/children", "rb") as f:
                    pending += [int(c) for c in f.read().split()]
            except (OSError, ValueError):
                continue
    return found


def state(pid: int, tid: int) -> str | None:
    """The task's one-letter state, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/task/{tid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return None
    end = stat.rfind(b")")  # the command name may hold spaces and parentheses
    fields = stat[end + 1:].split()
    return fields[0].decode("ascii", "replace") if end > 0 and fields else None


def can_run(pid: int) -> bool | None:
    """Whether a task of ``pid``'s tree (``pid`` as ``/proc`` numbers it, see
    :func:`visible_pid`) is running, waiting for a CPU or in an uninterruptible wait
    (:data:`RUNNING`); None when the tree cannot be read."""
    tasks = tree(pid)
    if tasks is None:
        return None
    if len(tasks) > MAX_TASKS:
        return True
    return any(state(p, t) in RUNNING for p, t in tasks)
