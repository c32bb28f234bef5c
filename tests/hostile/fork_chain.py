"""HOSTILE: a fork chain that escapes every tag: a process leaves its session, starts a
fresh interpreter without the grader's tag in its environment, and that one keeps forking
while each parent exits at once (no process lives long, the dead pile up on whoever reaps
them). Meanwhile the program does nothing else (the check times out); later checks must
not be harmed, and nothing must be left."""
# ruff: noqa
import os
import sys
import time

CHAIN = """
import os  # __HOSTILE_MARK__ (so the suite can tell this chain's processes)
while True:
    if os.fork():
        os._exit(0)
    try:
        os.setsid()
    except OSError:
        pass
"""

if os.fork() == 0:
    os.setsid()
    env = {k: v for k, v in os.environ.items() if k != "LABGRADE_TAG"}
    os.execve(sys.executable, [sys.executable, "-c", CHAIN], env)
while True:
    time.sleep(1)
