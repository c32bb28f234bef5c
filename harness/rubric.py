"""Points, visibility and limits per check: the default rubric ships in the package
(``harness/rubric.toml``); an instructor can pass their own with ``--rubric``.

A rubric file is TOML::

    [limits]            # optional, see harness.sandbox.runner.Limits
    wall_s = 10

    [checks]
    "lab9.tcp_server.starts" = 1                                   # points
    "lab9.tcp_server.echo_prefix" = { points = 3, visibility = "hidden" }

A check the grading suite runs but the rubric does not name is worth ``default_points``
(1 unless set). An id the rubric names but no check has is a usage error: it is a typo.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field, fields
from importlib import resources
from pathlib import Path
from typing import Any

from harness.errors import UsageError
from harness.results import VISIBILITIES
from harness.sandbox.runner import Limits


@dataclass(frozen=True)
class CheckRule:
    points: float = 1.0
    visibility: str = "visible"


@dataclass
class Rubric:
    checks: dict[str, CheckRule] = field(default_factory=dict)
    limits: Limits = field(default_factory=Limits)
    default_points: float = 1.0
    source: str = "default"
    sha256: str = ""

    def rule(self, check_id: str) -> CheckRule:
        return self.checks.get(check_id, CheckRule(points=self.default_points))

    def tasks(self) -> list[str]:
        """Task ids in rubric order."""
        seen: dict[str, None] = {}
        for check_id in self.checks:
            seen.setdefault(task_of(check_id), None)
        return list(seen)

    def unknown(self, known_ids: set[str]) -> list[str]:
        return [c for c in self.checks if c not in known_ids]


def task_of(check_id: str) -> str:
    return check_id.rsplit(".", 1)[0]


def task_file(task: str) -> str:
    """``lab9.tcp_server`` -> ``lab9/tcp_server.py``."""
    return task.replace(".", "/") + ".py"


def load(path: Path | None = None) -> Rubric:
    """The rubric at ``path``, or the default one shipped in the package."""
    if path is None:
        text = resources.files("harness").joinpath("rubric.toml").read_text(encoding="utf-8")
        where = "harness/rubric.toml"
    else:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot read rubric {path}: {exc.strerror}; pass an existing "
                             "TOML file with --rubric") from exc
        where = str(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"invalid rubric {where}: {exc}") from exc
    return parse(data, where=where, sha256=hashlib.sha256(text.encode()).hexdigest())


def parse(data: dict[str, Any], *, where: str, sha256: str = "") -> Rubric:
    sections = set(data) - {"checks", "limits", "default_points"}
    if sections:
        raise UsageError(f"invalid rubric {where}: unknown {sorted(sections)}; allowed: "
                         "[checks], [limits], default_points")
    checks: dict[str, CheckRule] = {}
    for check_id, value in (data.get("checks") or {}).items():
        if check_id.count(".") < 2:
            raise UsageError(f"invalid check id {check_id!r} in {where}: use "
                             "<group>.<task>.<check>, e.g. lab9.tcp_server.starts")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            rule = CheckRule(points=float(value))
        elif isinstance(value, dict):
            unknown = set(value) - {"points", "visibility"}
            if unknown:
                raise UsageError(f"invalid keys {sorted(unknown)} for {check_id} in {where}; "
                                 "allowed: points, visibility")
            rule = CheckRule(points=float(value.get("points", 1.0)),
                             visibility=str(value.get("visibility", "visible")))
        else:
            raise UsageError(f"invalid value {value!r} for {check_id} in {where}: give points "
                             "(a number) or {{ points = N, visibility = \"visible\" }}")
        if rule.points < 0:
            raise UsageError(f"invalid points {rule.points} for {check_id} in {where}: "
                             "points cannot be negative")
        if rule.visibility not in VISIBILITIES:
            raise UsageError(f"invalid visibility {rule.visibility!r} for {check_id} in "
                             f"{where}; choose one of {', '.join(VISIBILITIES)}")
        checks[check_id] = rule
    limits_data = data.get("limits") or {}
    names = {f.name for f in fields(Limits)}
    bad = set(limits_data) - names
    if bad:
        raise UsageError(f"invalid limits {sorted(bad)} in {where}; allowed: {sorted(names)}")
    try:
        limits = Limits(**{k: type(getattr(Limits(), k))(v) for k, v in limits_data.items()})
    except (TypeError, ValueError) as exc:
        raise UsageError(f"invalid limits in {where}: {exc}") from exc
    for name in names:
        if getattr(limits, name) <= 0:
            raise UsageError(f"invalid limit {name}={getattr(limits, name)} in {where}: "
                             "must be positive")
    default = data.get("default_points", 1.0)
    return Rubric(checks=checks, limits=limits, default_points=float(default), source=where,
                  sha256=sha256)
