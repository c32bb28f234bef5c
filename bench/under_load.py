"""Same verdicts on a busy machine: grade the reference and the hostile corpus again and again
with CPU-bound processes running beside the grader, and compare every verdict.

    python bench/under_load.py [--reps 20] [--burners 2] [--cases all|NAME,NAME] [--only ID]

Each repetition grades the reference (``--only`` narrows it; default: everything) and every
hostile case of ``tests/test_hostile.py`` that this machine can contain (``--cases`` narrows
it), with ``--burners`` processes spinning on the CPU meanwhile. Each case's own assertions
run (exact statuses and messages, intact outputs, nothing left behind); then every verdict
(status and score per check) must equal the first repetition's. Prints one line per
repetition and the checks whose verdict changed, and exits 1 if any did.

Issue 9 asks for 20 repetitions in a row; ``tests/test_hostile.py`` runs a bounded version
(2 repetitions of a subset) in the suite.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests import test_hostile as corpus  # noqa: E402
from tests.load import Burners, grade_reference  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--burners", type=int, default=2)
    parser.add_argument("--cases", default="all")
    parser.add_argument("--only", action="append", default=[])
    opts = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="lgload-rubric-") as folder:
        return _repeat(opts, Path(folder) / "hostile.toml")


def _repeat(opts: argparse.Namespace, rubric: Path) -> int:
    """Grade the reference and the hostile cases ``opts.reps`` times; 1 if a verdict
    changed or a case failed its expectations."""
    from harness.rubric import load, to_toml

    text = to_toml(load())  # the default rubric as a file (the built-in packs' points)
    rubric.write_text(corpus.hostile_rubric_text(text), encoding="utf-8")
    level = corpus.levels()
    names = None if opts.cases == "all" else set(opts.cases.split(","))
    cases = [c for c in corpus.CASES if all(level[n] for n in c.needs)
             and (names is None or c.name in names)]
    first: dict[str, Any] = {}
    changed: list[str] = []
    with Burners(opts.burners):
        for rep in range(1, opts.reps + 1):
            started = time.monotonic()
            said: dict[str, str] = {}
            verdicts: dict[str, Any] = {"reference": grade_reference(opts.only, said)}
            failures = []
            for case in cases:
                try:
                    verdicts[case.name] = corpus.grade_case(case, rubric).verdicts()
                except AssertionError as exc:
                    failures.append(f"{case.name}: {str(exc).splitlines()[0][:200]}")
                    verdicts[case.name] = {"assertion": str(exc).splitlines()[0][:200]}
            full = all(s == "passed" for s, _ in verdicts["reference"].values())
            if not first:
                first = verdicts
            diff = [name + ": " + changes(first[name], verdicts[name],
                                          said if name == "reference" else {})
                    for name in verdicts if verdicts[name] != first[name]]
            changed += diff + failures
            print(f"rep {rep:2d}: reference {'full marks' if full else 'NOT full marks'} "
                  f"({len(verdicts['reference'])} checks), {len(cases)} hostile cases, "
                  f"{len(failures)} failed their expectations, {len(diff)} verdicts changed, "
                  f"{time.monotonic() - started:5.1f} s", flush=True)
            for line in diff + failures:
                print("    " + line, flush=True)
    print("identical verdicts in every repetition" if not changed else
          f"{len(changed)} differences")
    return 1 if changed else 0


def changes(before: dict[str, Any], now: dict[str, Any], said: dict[str, str]) -> str:
    """The checks whose verdict differs from the first repetition's, with what they said."""
    ids = sorted(k for k in before.keys() | now.keys() if before.get(k) != now.get(k))
    return "; ".join(f"{k} {before.get(k)} -> {now.get(k)}"
                     + (f" ({said[k][:300]!r})" if said.get(k) else "") for k in ids)


if __name__ == "__main__":
    sys.exit(main())
