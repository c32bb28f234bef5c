"""The result model: what one graded submission produced, and its stable JSON form.

``results.json`` is the documented, machine-readable output that other tools rely on; the
exports (Gradescope, GitHub Classroom, JUnit, CSV) in :mod:`harness.exports` derive from it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

STATUSES = ("passed", "failed", "error", "skipped")
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
SCHEMA_VERSION = 1


def now_utc() -> str:
    """The current time as ``results.json`` writes it: ISO 8601, UTC, whole seconds."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class CheckResult:
    """The outcome of one grading check."""

    id: str
    """Stable id, ``<task>.<check>``, e.g. ``lab9.tcp_server.echo_prefix``."""
    task: str
    """Task id, e.g. ``lab9.tcp_server`` (file ``lab9/tcp_server.py``)."""
    status: str
    """``passed``, ``failed``, ``error`` (the harness could not judge) or ``skipped``."""
    score: float
    """Points earned."""
    max_score: float
    """Points available (from the rubric)."""
    visibility: str = "visible"
    """``visible`` to students, or ``hidden`` (shown to instructors only)."""
    title: str = ""
    """Short human title of the check, in the report's language."""
    message: str = ""
    """What was sent, what came back, what was expected; in the report's language."""
    evidence: dict[str, Any] = field(default_factory=dict)
    """Plain JSON data backing the verdict (bytes shown escaped, counts, output excerpts)."""
    duration_s: float = 0.0
    """Wall time spent on this check."""
    traceback: str = ""
    """For ``error`` only: the harness traceback, for the instructor."""


@dataclass
class Problem:
    """Something wrong with the submission's files, found before running anything."""

    file: str
    """Path relative to the submission root, e.g. ``lab9/tcp_server.py``."""
    line: int | None
    """1-based line, when known (syntax errors)."""
    message: str
    """One clear line, in the report's language."""


@dataclass
class SubmissionResult:
    """Everything known about one graded submission."""

    submission: str
    """Submission name (the folder name)."""
    score: float
    max_score: float
    lang: str
    """Language of the messages: ``es`` or ``en``."""
    isolation: str
    """Containment actually obtained, e.g. ``netns+pidns+uid+rlimits`` or ``rlimits``."""
    duration_s: float
    harness_version: str
    submission_sha256: str
    """Hash of the submission's content (paths and bytes), for reproducibility and caching."""
    checks: list[CheckResult] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rubric_sha256: str = ""
    """Hash of the rubric used, so a cached grade is reused only with the same rubric."""
    schema_version: int = SCHEMA_VERSION
    graded_at: str = field(default_factory=now_utc)
    """When it was graded: ISO 8601, UTC (``2026-03-02T14:05:09Z``); empty in results
    written before the field existed."""
    only: list[str] = field(default_factory=list)
    """The ``--only`` selection the run graded (empty: every check of the rubric)."""

    def task_scores(self) -> dict[str, tuple[float, float]]:
        """Points earned and available per task, in first-seen order."""
        out: dict[str, tuple[float, float]] = {}
        for c in self.checks:
            got, avail = out.get(c.task, (0.0, 0.0))
            out[c.task] = (got + c.score, avail + c.max_score)
        return out

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SubmissionResult:
        validate(data)
        fields = dict(data)
        fields.setdefault("graded_at", "")
        fields["checks"] = [CheckResult(**c) for c in data.get("checks", [])]
        fields["problems"] = [Problem(**p) for p in data.get("problems", [])]
        return cls(**fields)


def validate(data: Any) -> None:
    """Raise ``ValueError`` naming the first field that breaks the schema."""
    if not isinstance(data, dict):
        raise ValueError("results: top level must be an object")
    for key, typ in (("submission", str), ("score", (int, float)), ("max_score", (int, float)),
                     ("lang", str), ("isolation", str), ("checks", list)):
        if not isinstance(data.get(key), typ):
            raise ValueError(f"results: field {key!r} missing or of the wrong type")
    for i, c in enumerate(data["checks"]):
        if not isinstance(c, dict):
            raise ValueError(f"results: checks[{i}] must be an object")
        if c.get("status") not in STATUSES:
            raise ValueError(f"results: checks[{i}].status {c.get('status')!r} not in {STATUSES}")
        for key in ("id", "task"):
            if not isinstance(c.get(key), str):
                raise ValueError(f"results: checks[{i}].{key} must be a string")
        for key in ("score", "max_score"):
            if not isinstance(c.get(key), (int, float)):
                raise ValueError(f"results: checks[{i}].{key} must be a number")


def write_json(result: SubmissionResult, path: Path) -> Path:
    """Write ``results.json`` atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(result.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(path)
    return path


def read_json(path: Path) -> SubmissionResult:
    return SubmissionResult.from_dict(json.loads(path.read_text(encoding="utf-8")))
