"""What the engine and a grading run (:mod:`harness.runner`) exchange across the process
boundary, in one place: :class:`RunConfig` in, :class:`RunReport` out.

The engine writes the configuration (``config.json``) and never reads it back; the run reads
it, adds the namespaces it entered, and hands its own copy to the plugin (``run.json``); the
plugin writes the report (``report.json``) when the run starts and after every check, so a run
stopped midway still reports the checks it finished and the isolation it had. Both are small
JSON objects whose shape is checked when read (:class:`ProtocolError` says which field).
"""

from __future__ import annotations

import json
import types
import typing
from dataclasses import MISSING, asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from harness.errors import HarnessError


class ProtocolError(HarnessError):
    """A configuration or report that does not have the shape of this module's classes."""


@dataclass
class RunConfig:
    """One grading run's configuration, written by the engine."""

    workdir: str
    """The private working copy of the submission (the only copy student code sees)."""
    report: str
    """Where the run writes its :class:`RunReport`."""
    isolation: dict[str, Any]
    """The fields of :class:`~harness.sandbox.isolation.Isolation` the engine prepared; the
    run adds the namespaces it enters itself (``netns``, ``pidns``)."""
    limits: dict[str, Any]
    """The fields of :class:`~harness.sandbox.runner.Limits`."""
    lang: str
    """The language of the texts the checks write themselves (``es``, ``en``)."""
    only: list[str] = field(default_factory=list)
    """``--only`` prefixes (:mod:`harness.selection`); empty: every check."""
    hide: list[str] = field(default_factory=list)
    """Folders a student process never sees."""
    problems: dict[str, str] = field(default_factory=dict)
    """Student file -> the problem found in it before the run (in ``lang``)."""
    courses: dict[str, str] = field(default_factory=dict)
    """Course pack folder -> pack name, for every pack graded (the built-in ones by default)."""
    course_files: list[str] = field(default_factory=list)
    """Every check file of those packs."""
    task_files: dict[str, str] = field(default_factory=dict)
    """Task id -> the student's file it grades."""
    check_files: list[str] = field(default_factory=list)
    """The check files of this run when it grades only some tasks (a shard); empty: all."""
    builtin: bool = False
    """The packs are labgrade's own (pytest runs without the plugins their checks never use)."""
    claims: str = ""
    """A folder the grading runs of one submission share: a run grades a task only once it
    has claimed it there (one ``mkdir`` per task: exactly one run wins), so the runs take the
    tasks as they go and end about together, whatever each task takes; empty: this run
    grades every task it collects."""
    want_netns: bool = False
    """Enter a network namespace with only loopback (where the machine allows it)."""
    want_pidns: bool = False
    """Also a PID namespace, once in the network namespace's user namespace."""
    check_timeout: float = 120.0
    """pytest-timeout's bound on one check: a harness bug, never a student's slowness."""

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str, where: str = "run configuration") -> RunConfig:
        return cls(**_checked(cls, text, where))

    def files(self) -> list[str]:
        """The check files the run collects."""
        return self.check_files or self.course_files


@dataclass
class RunReport:
    """What a grading run found, written by its plugin."""

    outcomes: list[dict[str, Any]] = field(default_factory=list)
    """One per finished check: id, task, status, key, params, evidence, duration_s,
    traceback (the engine applies the rubric and the language)."""
    collected: list[str] = field(default_factory=list)
    """Every check id the run found, selected or not."""
    collect_errors: list[str] = field(default_factory=list)
    """Check files that could not be collected, with the reason."""
    isolation: dict[str, Any] | None = None
    """The isolation the run had (None: it ended before saying)."""

    def to_json(self) -> str:
        return json.dumps(asdict(self), default=str)

    @classmethod
    def from_json(cls, text: str, where: str = "run report") -> RunReport:
        return cls(**_checked(cls, text, where))


def journal_path(report: str | Path) -> Path:
    """The journal beside a run's report: each finished check's outcome, one JSON line each,
    appended as the run goes (the report itself holds them all only once the run ends)."""
    return Path(f"{report}.outcomes")


def read_journal(report: str | Path) -> list[dict[str, Any]]:
    """The outcomes in the journal of the report ``report``, in order; a line cut short (the
    run killed while writing it) and anything not an object are left out."""
    try:
        text = journal_path(report).read_text(encoding="utf-8")
    except OSError:
        return []
    outcomes = []
    for line in text.splitlines():
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            outcomes.append(value)
    return outcomes


def _checked(cls: type, text: str, where: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ProtocolError(f"{where}: not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ProtocolError(f"{where}: not a JSON object")
    hints = typing.get_type_hints(cls)
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ProtocolError(f"{where}: unknown fields {unknown}")
    for f in fields(cls):
        if f.name not in data:
            if f.default is MISSING and f.default_factory is MISSING:
                raise ProtocolError(f"{where}: missing field {f.name!r}")
            continue
        if not _is(data[f.name], hints[f.name]):
            raise ProtocolError(f"{where}: field {f.name!r} is "
                                f"{type(data[f.name]).__name__}, not {hints[f.name]}")
    return data


def _is(value: Any, hint: Any) -> bool:
    """``value`` has the outer type of ``hint`` (``list[str]``: a list; a float takes an
    int; ``X | None`` takes None)."""
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        return any(_is(value, h) for h in typing.get_args(hint))
    if hint is type(None):
        return value is None
    if hint is Any:
        return True
    outer = origin or hint
    if outer is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if outer is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, outer)
