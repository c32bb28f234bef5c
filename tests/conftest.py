"""Shared helpers for the harness's own tests: build submissions from the reference with one
deliberate bug, grade them through the real engine, and read the verdicts."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from harness.engine import grade
from harness.results import CheckResult, SubmissionResult
from harness.sandbox import scancache

# the gradings of these tests keep the host's scan (harness.sandbox.scancache) in a folder of
# this test session's, not in the user's own cache; the xdist workers share the controller's
if not os.environ.get(scancache.DIR_ENV):
    os.environ[scancache.DIR_ENV] = tempfile.mkdtemp(prefix="labgrade-tests-cache-")
    atexit.register(shutil.rmtree, os.environ[scancache.DIR_ENV], True)

LEFT_PREFIXES = ("labgrade-", "lgh-", "lgload-")
"""What the harness and these tests name their temporary folders: none may outlive the run."""
_in_temp_at_start: set[str] = set()


def _ours_in_temp() -> set[str]:
    try:
        return {n for n in os.listdir(tempfile.gettempdir()) if n.startswith(LEFT_PREFIXES)}
    except OSError:
        return set()


def pytest_sessionstart(session: pytest.Session) -> None:
    _in_temp_at_start.update(_ours_in_temp())


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """The whole run (the controller, once every xdist worker is done) fails when a test or
    the harness left a folder of its own in the temporary folder ("never leaves a file
    behind"); a labgrade command run beside the tests at the same time would show too."""
    if hasattr(session.config, "workerinput"):
        return
    left = sorted(_ours_in_temp() - _in_temp_at_start)
    if left:
        print(f"\nleft behind in {tempfile.gettempdir()}: {', '.join(left)}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "reference"
TEMPLATE = REPO / "student_template"


def make_submission(root: Path, *, base: Path = REFERENCE, files: dict[str, str] | None = None,
                    patch: dict[str, list[tuple[str, str]]] | None = None,
                    remove: tuple[str, ...] = ()) -> Path:
    """Copy ``base`` to ``root`` and change it: ``files`` replaces whole files, ``patch``
    replaces text (each old text must occur, so a stale patch fails loudly)."""
    shutil.copytree(base, root, ignore=shutil.ignore_patterns("__pycache__"))
    for rel, text in (files or {}).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for rel, changes in (patch or {}).items():
        path = root / rel
        text = path.read_text(encoding="utf-8")
        for old, new in changes:
            assert old in text, f"patch for {rel}: {old!r} not found"
            text = text.replace(old, new)
        path.write_text(text, encoding="utf-8")
    for rel in remove:
        (root / rel).unlink()
    return root


def check(task: str, name: str, status: str, score: float, max_score: float,
          **kw: object) -> CheckResult:
    return CheckResult(id=f"{task}.{name}", task=task, status=status, score=score,
                       max_score=max_score, **kw)  # type: ignore[arg-type]


def make_result(checks: list[CheckResult], **kw: object) -> SubmissionResult:
    fields: dict[str, object] = {
        "submission": "ana-pérez", "lang": "es", "isolation": "netns+pidns+uid+rlimits",
        "duration_s": 3.25, "harness_version": "0.1.0", "submission_sha256": "ab" * 32,
        "score": sum(c.score for c in checks), "max_score": sum(c.max_score for c in checks)}
    fields.update(kw)
    return SubmissionResult(checks=checks, **fields)  # type: ignore[arg-type]


def verdicts(result: SubmissionResult) -> dict[str, str]:
    return {c.id: c.status for c in result.checks}


def failing(result: SubmissionResult) -> set[str]:
    return {c.id for c in result.checks if c.status != "passed"}


@pytest.fixture
def grade_variant(tmp_path: Path):  # type: ignore[no-untyped-def]
    """``grade_variant(task, files=..., patch=...)`` grades only ``task`` of a changed copy of
    the reference and returns the result."""
    counter = iter(range(1000))

    def run(task: str, **changes: object) -> SubmissionResult:
        sub = make_submission(tmp_path / f"sub{next(counter)}", **changes)  # type: ignore[arg-type]
        return grade(sub, only=[task], lang="en")

    return run
