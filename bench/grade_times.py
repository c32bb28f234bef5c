"""Benchmark: time to grade the bundled reference and the student template, beside a
hand-written grader in the course's style.

    python bench/grade_times.py [--repeat 5] [--no-baseline]

Prints the machine (cores, CPU, load), then for lab9 only and for everything (lab9 +
recipes): the median and min–max wall time of ``--repeat`` gradings, the number of checks,
the CPU time per check (the grader and every process it started) and how many grading runs
each grading had (one per idle core at its start and per 32 checks, unless ``--shards``
says). Then it runs the hand-written baseline (``bench/handwritten.py``) on the reference in
the same run and prints how many times faster labgrade is per check. Last, the whole command
as a user types it, ``labgrade grade reference [--only lab9]``, a fresh process each time:
its wall time and the CPU of everything it ran (Python's start, the imports, the
isolation proof, the report) per check. Targets (issue 12, 2 cores): reference
everything <= 3 s, template everything <= 2.5 s, reference lab9 <= 1.2 s, CPU per check <=
25 ms, >= 30x the hand-written grader per check. A measurement, not a test: nothing here
asserts a time.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from machine import describe, spread

from harness import warm, warm_fork
from harness.engine import default_shards, grade
from harness.rubric import load
from harness.selection import check_selected

REPO = Path(__file__).resolve().parents[1]


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def measure(path: Path, only: list[str] | None, repeat: int,
            shards: int | None = None) -> dict[str, object]:
    walls, cpus, runs = [], [], []
    result = None
    selected = sum(1 for c in load().checks if check_selected(c, only))
    for _ in range(repeat):
        cpu0, start = cpu_seconds(), time.perf_counter()
        # what grade() would choose by itself, chosen here to be printed
        runs.append(default_shards(selected) if shards is None else shards)
        result = grade(path, only=only, report=False, shards=runs[-1])
        walls.append(time.perf_counter() - start)
        warm.stop()  # as one `labgrade grade` would: the server's own CPU counted, each time
        cpus.append(cpu_seconds() - cpu0)
    assert result is not None
    n = len(result.checks)
    return {"walls": walls, "cpu_per_check_ms": [1000 * c / n for c in cpus], "checks": n,
            "runs": ",".join(map(str, runs)),
            "score": f"{result.score:g}/{result.max_score:g}", "isolation": result.isolation}


def command(only: list[str] | None, repeat: int, checks: int) -> dict[str, list[float]]:
    """``labgrade grade reference`` as a fresh process, ``repeat`` times: wall seconds and
    CPU milliseconds per check (the command's and every process it waited for)."""
    script = Path(sys.executable).with_name("labgrade")
    argv = [str(script)] if script.exists() else [sys.executable, "-m", "harness.cli"]
    walls, cpus = [], []
    with tempfile.TemporaryDirectory(prefix="labgrade-bench-") as out:
        for _ in range(repeat):
            start = time.perf_counter()
            proc = subprocess.Popen([*argv, "grade", str(REPO / "reference"), "--out", out,
                                     *(["--only", *only] if only else [])],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            _pid, status, usage = os.wait4(proc.pid, 0)
            walls.append(time.perf_counter() - start)
            proc.returncode = os.waitstatus_to_exitcode(status)
            if proc.returncode != 0:
                raise SystemExit(f"labgrade grade exited with {proc.returncode}")
            cpus.append(1000 * (usage.ru_utime + usage.ru_stime) / checks)
    return {"walls": walls, "cpu": cpus}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-baseline", action="store_true",
                        help="skip the hand-written grader (it needs ports 21567 and 8000)")
    parser.add_argument("--shards", type=int, default=None,
                        help="grading runs per submission at once (default: one per idle core "
                             "and per 32 checks, at most 4; 1 grades each submission in one "
                             "run)")
    args = parser.parse_args()
    # each grade below stands for one `labgrade grade`, whose warm server is forked from it
    # (this script has one thread, as the command has)
    warm_fork.allow_fork()
    rows = [("reference", "lab9", ["lab9"]), ("student_template", "lab9", ["lab9"]),
            ("reference", "all", None), ("student_template", "all", None)]
    measured = {(name, scope): measure(REPO / name, only, args.repeat, args.shards)
                for name, scope, only in rows}
    first = next(iter(measured.values()))
    print(describe(str(first["isolation"])))
    default = "default (one per idle core and per 32 checks, at most 4)"
    print(f"shards per submission: {args.shards or default}")
    print(f"{'submission':<17} {'scope':<5} {'wall s: median (min–max)':<28} {'checks':>6} "
          f"{'CPU ms/check':>13} {'score':>8}  runs per grading")
    for (name, scope), m in measured.items():
        walls = m["walls"]
        cpu = m["cpu_per_check_ms"]
        assert isinstance(walls, list) and isinstance(cpu, list)
        print(f"{name:<17} {scope:<5} {spread(walls):<28} {m['checks']:>6} "
              f"{statistics.median(cpu):>13.0f} {m['score']:>8}  {m['runs']}")
    print("the whole command, a fresh process each time (Python's start, the imports, the "
          "isolation proof, the report):")
    for scope, only in (("lab9", ["lab9"]), ("all", None)):
        m = measured[("reference", scope)]
        whole = command(only, args.repeat, int(str(m["checks"])))
        label = f"labgrade grade reference{' --only lab9' if only else ''}"
        print(f"{label:<38} {spread(whole['walls']):<28} {m['checks']:>6} "
              f"{statistics.median(whole['cpu']):>13.0f}")
    if args.no_baseline:
        return
    import handwritten

    per_check = []
    for _ in range(args.repeat):
        passed, n, seconds = handwritten.grade(REPO / "reference")
        per_check.append(seconds / n)
    lab9 = measured[("reference", "lab9")]
    walls = lab9["walls"]
    assert isinstance(walls, list)
    labgrade_per_check = statistics.median(walls) / int(str(lab9["checks"]))
    print(f"hand-written grader, reference lab9: {passed}/{n} checks passed, "
          f"{spread(per_check)} s per check")
    print(f"labgrade, reference lab9: {labgrade_per_check:.3f} s per check; "
          f"{statistics.median(per_check) / labgrade_per_check:.0f}x faster per check")
    print(describe(str(first["isolation"])).replace("machine:", "machine at the end:"))


if __name__ == "__main__":
    main()
