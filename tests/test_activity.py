"""Whether a process tree can still run (``harness.sandbox.activity``): the grader's look at a
server that has gone quiet, which tells a program with nothing to do (asleep, stopped) from one
a busy machine keeps from running (running, waiting for a CPU)."""

from __future__ import annotations

import ast
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
    assert settled(tree.pid, False)  # its parent, woken by the stop, sleeps again
    assert activity.state(grandchild, grandchild) == "T"
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


IN_PID_NAMESPACE = """
import subprocess, sys, time
from harness.sandbox import activity
from harness.sandbox.launcher import enter_pid_namespace
enter_pid_namespace()  # as a grading run does: PID 1 of its own, the host's /proc
spin = subprocess.Popen([sys.executable, "-c", "while True: pass"])
sleep = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
time.sleep(0.5)  # both started (the sleeper asleep)
seen = {}
for name, proc in (("spin", spin), ("sleep", sleep)):
    visible = activity.visible_pid(proc.pid)
    seen[name] = (proc.pid, visible, activity.can_run(visible) if visible else None)
    proc.kill()
print(seen)
"""


def test_a_grading_run_in_its_own_pid_namespace_sees_its_children() -> None:
    """A grading run is PID 1 of a PID namespace of its own, and ``/proc`` is still the
    host's: its child's pid there is another process (found by a review: small numbers are
    the kernel's threads). The child is found by its ``NSpid``."""
    from harness.sandbox.isolation import CLONE_NEWPID, can_unshare

    if not can_unshare(CLONE_NEWPID):
        pytest.skip("no PID namespaces here: a grading run has none either")
    out = subprocess.run([sys.executable, "-c", IN_PID_NAMESPACE], capture_output=True,
                         text=True, timeout=60, check=True).stdout
    seen = ast.literal_eval(out)
    assert seen["spin"][0] != seen["spin"][1] and seen["spin"][2] is True, seen
    assert seen["sleep"][0] != seen["sleep"][1] and seen["sleep"][2] is False, seen
