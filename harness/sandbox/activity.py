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

RUNNING = frozenset("RD")
"""States of a task that the machine, not the program, keeps waiting: running or waiting
for a CPU (``R``), in an uninterruptible wait inside the kernel (``D``)."""
MAX_TASKS = 512
"""The most tasks looked at: a tree past this is a fork bomb, and counted as running."""


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
    """Whether a task of ``pid``'s tree is running, waiting for a CPU or in an
    uninterruptible wait (:data:`RUNNING`); None when the tree cannot be read."""
    tasks = tree(pid)
    if tasks is None:
        return None
    if len(tasks) > MAX_TASKS:
        return True
    return any(state(p, t) in RUNNING for p, t in tasks)
