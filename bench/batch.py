"""Benchmark: wall time of batch-grading a class of 40 lab9 submissions.

    python bench/batch.py [--n 40] [--jobs 1,2] [--keep DIR]

Generates ``--n`` submissions in a temporary folder, a realistic mix: correct ones (some
zipped, as course platforms export them), the untouched template, and broken variants (a
wrong prefix, a wrong port, a server that serves one client, a client that never exits, a
syntax error, a time server that never drops). Then runs ``labgrade batch --only lab9
--force`` once per ``--jobs`` value, as an instructor would, and prints the wall time and
the grades per outcome. Target: 40 submissions in under 60 s on 2 cores.

A measurement, not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "reference"
TEMPLATE = REPO / "student_template"

# name -> (file, old text, new text); applied to a copy of the reference
VARIANTS: dict[str, tuple[str, str, str]] = {
    "wrong-prefix": ("lab9/tcp_server.py", 'b"Resp: "', 'b"Res: "'),
    "wrong-port": ("lab9/udp_server.py", "21567", "21568"),
    "one-client": ("lab9/tcp_server.py", "        while True:\n            conn, addr",
                   "        if True:\n            conn, addr"),
    "client-hangs": ("lab9/tcp_client.py", "if __name__", "import time\ntime.sleep(3600)\n"
                     "if __name__"),
    "syntax-error": ("lab9/udp_client.py", "def ", "def def "),
    "never-drops": ("lab9/udp_time_server.py", "random.random() < 0.5", "False"),
}


def make_class(folder: Path, n: int) -> Counter[str]:
    """``n`` submissions in ``folder``: half correct, the rest spread over the variants and
    the template. Returns how many of each kind."""
    kinds = ["reference"] * (n // 2)
    others = [*VARIANTS, "template"]
    kinds += [others[i % len(others)] for i in range(n - len(kinds))]
    for i, kind in enumerate(kinds):
        name = f"alumno{i + 1:02d}-{kind}"
        dest = folder / name
        shutil.copytree(TEMPLATE if kind == "template" else REFERENCE, dest,
                        ignore=shutil.ignore_patterns("__pycache__", ".github"))
        if kind in VARIANTS:
            rel, old, new = VARIANTS[kind]
            path = dest / rel
            text = path.read_text(encoding="utf-8")
            if old not in text:
                raise SystemExit(f"bench: variant {kind}: {old!r} not in {rel}; update bench")
            path.write_text(text.replace(old, new), encoding="utf-8")
        if kind == "reference" and i % 4 == 1:
            with zipfile.ZipFile(folder / f"{name}.zip", "w", zipfile.ZIP_DEFLATED) as zf:
                for p in sorted(dest.rglob("*")):
                    if p.is_file():
                        zf.write(p, f"{name}/{p.relative_to(dest).as_posix()}")
            shutil.rmtree(dest)
    return Counter(kinds)


def run(folder: Path, out: Path, jobs: int) -> tuple[float, float]:
    """One ``labgrade batch``: its wall time and the CPU time of everything it ran."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "harness.cli", "batch", str(folder), "--out",
                    str(out), "--only", "lab9", "--jobs", str(jobs), "--force", "--quiet"],
                   check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def checks_graded(out: Path) -> int:
    with (out / "grades.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    total = 0
    for row in rows:
        data = json.loads((out / "submissions" / row["submission"] / "results.json")
                          .read_text(encoding="utf-8"))
        total += len(data["checks"])
    return total


def verdicts(out: Path) -> dict[str, dict[str, str]]:
    """Each submission's checks and their statuses, from the batch's results."""
    with (out / "grades.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    found = {}
    for row in rows:
        data = json.loads((out / "submissions" / row["submission"] / "results.json")
                          .read_text(encoding="utf-8"))
        found[row["submission"]] = {c["id"]: f"{c['status']}: {c['message'][:200]}"
                                    if c["status"] != "passed" else "passed"
                                    for c in data["checks"]}
    return found


def differences(runs: list[dict[str, dict[str, str]]]) -> list[str]:
    """The checks whose verdict was not the same in every run (a grade must not change)."""
    lines = []
    for sub in sorted(runs[0]):
        for check in sorted(runs[0][sub]):
            seen = [r.get(sub, {}).get(check, "missing") for r in runs]
            if len({v.split(":")[0] for v in seen}) > 1:  # the status (messages hold tokens)
                lines.append(f"  {sub} {check}: " + " | ".join(seen))
    return lines


def summary(out: Path) -> str:
    with (out / "grades.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    by_kind: dict[str, set[str]] = {}
    for row in rows:
        kind = row["submission"].split("-", 1)[1]
        by_kind.setdefault(kind, set()).add(f"{row['total']}/{row['max_score']}")
    return ", ".join(f"{k}: {' '.join(sorted(v))}" for k, v in sorted(by_kind.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=40)
    parser.add_argument("--jobs", default="1,2", help="comma-separated values to time")
    parser.add_argument("--keep", type=Path, help="generate and grade here, and keep it")
    parser.add_argument("--repeat", type=int, default=3, help="runs per --jobs value")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from machine import describe, spread

    print(describe())
    base = args.keep or Path(tempfile.mkdtemp(prefix="labgrade-bench-"))
    try:
        folder = base / "submissions"
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        kinds = make_class(folder, args.n)
        print(f"{args.n} lab9 submissions: "
              + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())))
        for jobs in (int(j) for j in args.jobs.split(",")):
            out = base / f"out-j{jobs}"
            runs, seen = [], []
            for _ in range(args.repeat):
                runs.append(run(folder, out, jobs))
                seen.append(verdicts(out))
            changed = differences(seen)
            times = [wall for wall, _ in runs]
            per_check = [1000 * cpu / checks_graded(out) for _, cpu in runs]
            print(f"--jobs {jobs}: {spread(times, '.1f')} s wall, "
                  f"{sorted(times)[len(times) // 2] / args.n:.2f} s per submission (median), "
                  f"CPU {spread(per_check, '.0f')} ms per check (everything the batch ran)")
            if changed:  # a bug: the same submission graded differently
                print("verdicts that differed between the runs:", *changed, sep="\n")
        print(f"grades: {summary(out)}")
        print(describe().replace("machine:", "machine at the end:"))
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
