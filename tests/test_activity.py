"""Whether a process tree can still run (``harness.sandbox.activity``): the grader's look at a
server that has gone quiet, which tells a program with nothing to do (asleep, stopped) from one
a busy machine keeps from running (running, waiting for a CPU)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from harness.sandbox import activity

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")

TREE = """
import os, sys, time
if os.fork() == 0:  # a child, which starts a grandchild
    if os.fork() == 0:
        if sys.argv[1] == "spin":
            while True:
                pass
        time.sleep(60)
    os.wait()
    os._exit(0)
print("ready", flush=True)
os.wait()
"""


@pytest.fixture
def tree(request: pytest.FixtureRequest) -> Iterator[subprocess.Popen[str]]:
    """A process, its child and grandchild: all asleep, or the grandchild spinning."""
    proc = subprocess.Popen([sys.executable, "-c", TREE, request.param],
                            stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
        deadline = time.monotonic() + 10
        while len({p for p, _t in activity.tree(proc.pid) or []}) < 3:
            assert time.monotonic() < deadline, "the grandchild never started"
            time.sleep(0.01)
        yield proc
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def settled(pid: int, want: bool) -> bool:
    """``can_run`` gives ``want`` within a few seconds (a process just started or woken
    takes a moment to block): True when it did."""
    deadline = time.monotonic() + 5
    while activity.can_run(pid) is not want:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


@pytest.mark.parametrize("tree", ["sleep"], indirect=True)
def test_a_tree_asleep_or_stopped_cannot_run(tree: subprocess.Popen[str]) -> None:
    """Asleep: nothing to do until something wakes it. Stopped: it waits for a signal, which
    is a program's own doing (or a debugger's), never the machine's."""
    assert settled(tree.pid, False)
    grandchild = max(p for p, _t in activity.tree(tree.pid) or [])
    os.kill(grandchild, signal.SIGSTOP)
    deadline = time.monotonic() + 5
    while activity.state(grandchild, grandchild) != "T":
        assert time.monotonic() < deadline, "the grandchild never stopped"
        time.sleep(0.01)
    assert activity.can_run(tree.pid) is False
    os.kill(grandchild, signal.SIGCONT)


@pytest.mark.parametrize("tree", ["spin"], indirect=True)
def test_a_grandchild_that_runs_is_seen(tree: subprocess.Popen[str]) -> None:
    assert activity.can_run(tree.pid) is True
    assert len({p for p, _t in activity.tree(tree.pid) or []}) == 3


def test_a_process_gone_cannot_be_told() -> None:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    assert activity.can_run(proc.pid) is None
    assert activity.state(proc.pid, proc.pid) is None
