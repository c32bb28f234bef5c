"""Points, visibility and limits per check. The default rubric is the built-in packs' points
(``harness/checks/*/pack.toml``) with the limits of ``harness/rubric.toml``; an instructor can
pass their own with ``--rubric``.

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

import difflib
import hashlib
import math
import tomllib
from dataclasses import dataclass, field, fields
from importlib import resources
from pathlib import Path
from typing import Any

from harness.errors import Text, UsageError, os_reason
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


SECTIONS = ("limits", "checks", "default_points")


def load(path: Path | None = None) -> Rubric:
    """The rubric at ``path``, or the default one (the built-in packs' points, the limits of
    ``harness/rubric.toml``)."""
    if path is None:
        from harness.packs import builtin_rubric

        return builtin_rubric()
    return _load(path)


def shipped() -> Rubric:
    """``harness/rubric.toml`` alone: labgrade's default limits."""
    return _load(None)


def _load(path: Path | None) -> Rubric:
    if path is None:
        data_bytes = resources.files("harness").joinpath("rubric.toml").read_bytes()
        where = "harness/rubric.toml"
    else:
        where = str(path)
        try:
            data_bytes = path.read_bytes()
        except OSError as exc:
            raise UsageError(key="usage.rubric.unreadable", where=where,
                             reason=os_reason(exc)) from exc
    try:
        text = data_bytes.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(key="usage.rubric.not_utf8", where=where, pos=exc.start) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(key="usage.rubric.toml", where=where, detail=str(exc)) from exc
    rubric = parse(data, where=where, sha256=hashlib.sha256(text.encode()).hexdigest())
    if path is not None:
        _known_ids(rubric, load())
    return rubric


def _known_ids(rubric: Rubric, catalogue: Rubric) -> None:
    """An id of a built-in group (``lab9``, ``recipes``) that the shipped catalogue does not
    have is a typo: say so before grading, with the nearest real id."""
    groups = {c.split(".", 1)[0] for c in catalogue.checks}
    known = list(catalogue.checks)
    for check_id in rubric.checks:
        if check_id.split(".", 1)[0] in groups and check_id not in catalogue.checks:
            near = _nearest(check_id, known)
            raise UsageError(key="usage.rubric.unknown_id", where=rubric.source, id=check_id,
                             hint=Text("usage.rubric.hint_key", {"name": near}) if near else "")


def _nearest(name: str, choices: list[str]) -> str:
    found = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    return found[0] if found else ""


def _shape(where: str, name: str, value: Any, expected: Text) -> UsageError:
    return UsageError(key="usage.rubric.shape", where=where, name=name, expected=expected,
                      got=f"{type(value).__name__} {value!r}"[:80])


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) \
        and math.isfinite(value)


def parse(data: dict[str, Any], *, where: str, sha256: str = "") -> Rubric:
    for name in data:
        if name not in SECTIONS:
            near = _nearest(name, list(SECTIONS))
            raise UsageError(key="usage.rubric.section", where=where, name=name,
                             hint=Text("usage.rubric.hint", {"name": near}) if near else "",
                             allowed=", ".join(f"[{s}]" for s in SECTIONS[:2])
                             + ", default_points")
    raw_checks = data.get("checks", {})
    if not isinstance(raw_checks, dict):
        raise _shape(where, "[checks]", raw_checks, Text("usage.rubric.expect_checks"))
    checks: dict[str, CheckRule] = {}
    for check_id, value in raw_checks.items():
        if check_id.count(".") < 2:
            raise UsageError(key="usage.rubric.check_id", where=where, id=repr(check_id))
        if _number(value):
            rule = CheckRule(points=float(value))
        elif isinstance(value, dict):
            unknown = set(value) - {"points", "visibility"}
            if unknown:
                raise UsageError(key="usage.rubric.keys", where=where, keys=sorted(unknown),
                                 id=check_id)
            points = value.get("points", 1.0)
            if not _number(points):
                raise UsageError(key="usage.rubric.value", where=where, value=repr(points),
                                 id=check_id)
            rule = CheckRule(points=float(points),
                             visibility=str(value.get("visibility", "visible")))
        else:
            raise UsageError(key="usage.rubric.value", where=where, value=repr(value),
                             id=check_id)
        if rule.points < 0:
            raise UsageError(key="usage.rubric.negative", where=where, points=rule.points,
                             id=check_id)
        if rule.visibility not in VISIBILITIES:
            raise UsageError(key="usage.rubric.visibility", where=where,
                             value=repr(rule.visibility), id=check_id,
                             allowed=", ".join(VISIBILITIES))
        checks[check_id] = rule
    limits_data = data.get("limits", {})
    if not isinstance(limits_data, dict):
        raise _shape(where, "[limits]", limits_data, Text("usage.rubric.expect_limits"))
    names = sorted(f.name for f in fields(Limits))
    bad = sorted(set(limits_data) - set(names))
    if bad:
        near = _nearest(bad[0], names)
        hint = Text("usage.rubric.hint_key", {"name": near}) if near else ""
        raise UsageError(key="usage.rubric.limits", where=where, names=", ".join(bad),
                         hint=hint, allowed=", ".join(names))
    for name, value in limits_data.items():
        if not _number(value) or value <= 0:
            raise UsageError(key="usage.rubric.limit_value", where=where, name=name,
                             value=repr(value))
    limits = Limits(**{k: type(getattr(Limits(), k))(v) for k, v in limits_data.items()})
    default = data.get("default_points", 1.0)
    if not _number(default) or default < 0:
        raise UsageError(key="usage.rubric.default_points", where=where, value=repr(default))
    return Rubric(checks=checks, limits=limits, default_points=float(default), source=where,
                  sha256=sha256)


def to_toml(rubric: Rubric) -> str:
    """``rubric`` as a rubric file (what ``--rubric`` reads back to the same points,
    visibility and limits): the default one, to start an instructor's own from."""
    lines = [f"# labgrade rubric: {rubric.source}", ""]
    if rubric.default_points != 1.0:
        lines += [f"default_points = {rubric.default_points:g}", ""]
    lines.append("[limits]")
    lines += [f"{f.name} = {getattr(rubric.limits, f.name)!r}" for f in fields(Limits)]
    lines += ["", "[checks]"]
    for check_id, rule in rubric.checks.items():
        value = f"{rule.points:g}" if rule.visibility == "visible" else \
            f'{{ points = {rule.points:g}, visibility = "{rule.visibility}" }}'
        lines.append(f'"{check_id}" = {value}')
    return "\n".join(lines) + "\n"
