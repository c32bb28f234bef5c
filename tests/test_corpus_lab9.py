"""Real-style Laboratorio 9 work graded through the command line, as a teacher grades it: the
exact status of every lab9 check for each case of ``tests/corpus/lab9`` (the expectations file
says why), and the message a failed check gives where it must name the real cause."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from harness.rubric import load
from tests.test_lab9 import LAB9_TASKS, told

CORPUS = Path(__file__).parent / "corpus" / "lab9"
EXPECTED = tomllib.loads((CORPUS / "expectations.toml").read_text(encoding="utf-8"))
RUBRIC = load().checks  # the built-in packs' check ids


def tasks_of(case: str) -> list[str]:
    files = sorted((CORPUS / case / "lab9").glob("*.py"))
    assert files, case
    return [f"lab9.{f.stem}" for f in files]


def full_id(tasks: list[str], check: str) -> str:
    """``check`` of a one-file case, or ``task.check`` of a whole submission, as an id."""
    return f"lab9.{check}" if "." in check else f"{tasks[0]}.{check}"


def test_every_case_has_expectations_and_every_expectation_a_case() -> None:
    cases = {p.name for p in CORPUS.iterdir() if p.is_dir()}
    assert cases == set(EXPECTED)
    assert len(cases) >= 15


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_case_grades_as_expected(case: str, tmp_path: Path) -> None:
    want = EXPECTED[case]
    tasks = tasks_of(case)
    ids = {k for k in RUBRIC if k.rsplit(".", 1)[0] in tasks}
    assert {full_id(tasks, c) for c in want["checks"]} == ids, "every check is stated"
    proc = subprocess.run(
        [sys.executable, "-m", "harness.cli", "grade", str(CORPUS / case), "--only", "lab9",
         "--out", str(tmp_path / "out"), "--lang", "en"],
        capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    result = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    got = {c["id"]: c for c in result["checks"]}
    assert {i.rsplit(".", 1)[0] for i in got} == {f"lab9.{t}" for t in LAB9_TASKS}
    expected = {i: "failed" for i in got}  # the tasks the case does not submit
    expected.update({full_id(tasks, c): s for c, s in want["checks"].items()})
    statuses = {i: c["status"] for i, c in got.items()}
    assert statuses == expected, {i: got[i]["message"] for i in got
                                  if statuses[i] != expected[i]}
    for check, key in want.get("told", {}).items():
        message = got[full_id(tasks, check)]["message"]
        assert told(message, key), (check, key, message)
    if "score" in want:
        assert result["score"] == want["score"]
