"""Whether a student's process tree can still run, as the kernel says.

A check that waits for a program to go quiet (no reply, no output for a while) must not
take a machine that keeps the program from running for a program that has nothing more to
do: on a busy machine a process may wait that long for a CPU. The kernel tells the two
apart: a process that waits for a CPU, runs, or is stopped is ``R``, ``D`` or ``T`` in
``/proc/<pid>/stat``; one blocked on a socket or a sleep is ``S``. The tree is found from the
kernel's own lists (``/proc/<pid>/task/<tid>/children``), no scan of ``/proc``.
"""

from __future__ import annotations

import os

ASLEEP = frozenset("SIZXx")
"""States of a task that has nothing to do until something wakes it (``S``: blocked,
``I``: idle kernel wait), or that has ended (``Z``, ``X``)."""
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
    """Whether a task of ``pid``'s tree is running, waiting for a CPU, in an uninterruptible
    wait or stopped (anything but asleep or ended); None when the tree cannot be read."""
    tasks = tree(pid)
    if tasks is None:
        return None
    if len(tasks) > MAX_TASKS:
        return True
    return any((s := state(p, t)) is not None and s not in ASLEEP for p, t in tasks)
