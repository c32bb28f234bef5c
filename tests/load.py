"""CPU-bound burner processes, to grade on a busy machine (tests and ``bench/under_load.py``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from types import TracebackType

REPO = Path(__file__).resolve().parents[1]

SPIN = """\
import ctypes, os, signal, sys
ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: end with the one who started it
if os.getppid() != int(sys.argv[1]):
    sys.exit(0)  # that one is already gone
while True:
    pass
"""
"""A burner: spins until it is killed, or its parent ends (a killed bench leaves none)."""


class Burners:
    """``n`` processes spinning on the CPU while the ``with`` block runs; all ended after."""

    def __init__(self, n: int = 2) -> None:
        self.n = n
        self.procs: list[subprocess.Popen[bytes]] = []

    def __enter__(self) -> Burners:
        self.procs = [subprocess.Popen([sys.executable, "-c", SPIN, str(os.getpid())],
                                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL) for _ in range(self.n)]
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        for proc in self.procs:
            proc.kill()
        for proc in self.procs:
            proc.wait()


def grade_reference(only: list[str], messages: dict[str, str] | None = None
                    ) -> dict[str, tuple[str, float]]:
    """The reference graded by the real command line: ``check id -> (status, score)``;
    ``messages``, when given, gets each check's message (they name random inputs, so they are
    not part of the verdict)."""
    with tempfile.TemporaryDirectory(prefix="lgload-") as tmp:
        out = Path(tmp) / "out"
        args = [sys.executable, "-m", "harness.cli", "grade", str(REPO / "reference"), "--out",
                str(out), "--lang", "en", *[a for o in only for a in ("--only", o)]]
        subprocess.run(args, cwd=REPO, capture_output=True, text=True, check=False)
        data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    if messages is not None:
        messages.update({c["id"]: c.get("message") or "" for c in data["checks"]})
    return {c["id"]: (c["status"], c["score"]) for c in data["checks"]}
