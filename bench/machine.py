"""What machine a benchmark ran on, printed at the top of every bench printout.

A time figure means nothing without the machine it was measured on: the README quotes only
printouts that start with this line (cores, CPU model, load averages at the start and the end
of the run, kernel, Python, the isolation level labgrade obtained) and the machine's speed at
that moment: the time a fixed pure-Python loop takes (a shared virtual machine can be a third
slower from one hour to the next with nothing running on it; compare figures only with a
similar loop time), and the share of CPU time the hypervisor gave to other guests since the
previous machine line (``steal``).
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from collections.abc import Sequence


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load() -> str:
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "unknown"
    return f"{one:.2f}/{five:.2f}/{fifteen:.2f}"


def loop_ms() -> float:
    """Milliseconds for 10^6 additions in a Python loop (the median of 5 tries): how fast
    this machine runs Python right now."""
    times = []
    for _ in range(5):
        start = time.process_time()
        total = 0
        for i in range(1_000_000):
            total += i
        times.append(1000 * (time.process_time() - start))
    return statistics.median(times)


_LAST_TICKS: list[list[int]] = []


def steal() -> str:
    """The share of this virtual machine's CPU time the hypervisor gave to other guests
    (``steal`` in ``/proc/stat``) since the previous machine line (the first: since boot):
    a slow loop with a high steal is a busy host, not a slower program."""
    try:
        with open("/proc/stat", encoding="ascii") as fh:
            ticks = [int(v) for v in fh.readline().split()[1:9]]
    except (OSError, ValueError):
        return "unknown"
    base = _LAST_TICKS[-1] if _LAST_TICKS else [0] * len(ticks)
    _LAST_TICKS.append(ticks)
    delta = [a - b for a, b in zip(ticks, base, strict=True)]
    total = sum(delta)
    return f"{100 * delta[7] / total:.1f} %" if total > 0 else "unknown"


def describe(isolation: str = "") -> str:
    """One line naming the machine and how busy and fast it is right now."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (f"machine: {cores} cores, {cpu_model()}, load {load()} (1/5/15 min), "
            f"steal {steal()}, Python loop {loop_ms():.0f} ms per 10^6 additions, "
            f"{platform.system()} {platform.release()}, Python {sys.version.split()[0]}"
            + (f", isolation {isolation}" if isolation else ""))


def spread(values: Sequence[float], fmt: str = ".2f") -> str:
    """``median (min–max, n=N)`` of ``values``."""
    med = statistics.median(values)
    return (f"{med:{fmt}} ({min(values):{fmt}}–{max(values):{fmt}}, n={len(values)})")
