"""Benchmark: wall time to grade the bundled reference and the student template.

    python bench/grade_times.py [--repeat 3]

Prints the best of ``--repeat`` runs for lab9 only and for everything (lab9 + recipes).
Targets on 2 cores: reference lab9 < 4 s, template lab9 < 2 s, full reference < 6 s,
full template < 3 s. A measurement, not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from harness.engine import grade

REPO = Path(__file__).resolve().parents[1]


def best(path: Path, only: list[str] | None, repeat: int) -> tuple[float, float, float]:
    times = []
    score = max_score = 0.0
    for _ in range(repeat):
        start = time.perf_counter()
        result = grade(path, only=only)
        times.append(time.perf_counter() - start)
        score, max_score = result.score, result.max_score
    return min(times), score, max_score


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = [("reference", "lab9", ["lab9"]), ("student_template", "lab9", ["lab9"]),
            ("reference", "all", None), ("student_template", "all", None)]
    print(f"{'submission':<18} {'scope':<6} {'best wall s':>11} {'score':>12}")
    for name, scope, only in rows:
        seconds, score, max_score = best(REPO / name, only, args.repeat)
        print(f"{name:<18} {scope:<6} {seconds:>11.2f} {score:>6g}/{max_score:<5g}")


if __name__ == "__main__":
    main()
