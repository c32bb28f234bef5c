"""The per-submission HTML report: one self-contained, printable page.

HTML is produced only by the Jinja2 templates in ``templates/`` with autoescape on; this module
prepares plain data for them. Every value printed by a template first goes through
:func:`clean` (the environment's ``finalize``): ANSI escape sequences are dropped and other
control or invisible characters become visible escapes (``\\x00``), so output copied from a
student program can neither break the page nor hide text in it.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from harness.i18n import t
from harness.report.common import (
    clean,
    fmt_local,
    resolve_lang,
    selected_checks,
    task_file,
    task_title,
    task_totals,
    totals,
)
from harness.results import CheckResult, SubmissionResult

__all__ = ["clean", "evidence_blocks", "render_report", "write_report"]


def _finalize(value: Any) -> Any:
    if isinstance(value, str) and not isinstance(value, Markup):
        return clean(value)
    return value


@lru_cache(maxsize=1)
def _environment() -> Environment:
    """The one Jinja2 environment: autoescape always on, every printed value cleaned."""
    return Environment(
        loader=PackageLoader("harness", "report/templates"),
        autoescape=True,
        undefined=StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


# --------------------------------------------------------------------------- view model


@dataclass
class EvidenceBlock:
    """One piece of evidence, in the form its template part expects."""

    kind: str
    """``argv``, ``exchanges``, ``compare``, ``drop``, ``output`` (stdin, stdout, stderr)
    or ``table`` (any other key, value shown as JSON)."""
    label: str = ""
    text: str = ""
    rows: list[Any] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class CheckView:
    check: CheckResult
    hidden: bool
    evidence: list[EvidenceBlock]


@dataclass
class TaskView:
    id: str
    title: str
    file: str
    score: float
    max_score: float
    checks: list[CheckView]


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)


def _exchanges(value: Any, tr: Callable[[str], str]) -> EvidenceBlock | None:
    if not isinstance(value, list) or not all(isinstance(x, dict) for x in value):
        return None
    rows = []
    for x in value:
        direction = x.get("dir")
        label = tr("report.sent") if direction == "sent" else (
            tr("report.received") if direction == "received" else _as_text(direction))
        rows.append({"dir": direction if direction in ("sent", "received") else "other",
                     "label": label, "peer": _as_text(x.get("peer", "")),
                     "data": _as_text(x.get("data", ""))})
    return EvidenceBlock("exchanges", tr("report.exchanges"), rows=rows)


def _observed(evidence: dict[str, Any]) -> tuple[str | None, str | None]:
    """What to show beside ``expected``, and the evidence key it came from (if any)."""
    for key in ("observed", "received", "actual"):
        if key in evidence:
            return _as_text(evidence[key]), key
    exchanges = evidence.get("exchanges")
    if isinstance(exchanges, list):
        received = [x for x in exchanges if isinstance(x, dict) and x.get("dir") == "received"]
        if received:
            return _as_text(received[-1].get("data", "")), None
    return None, None


def _drop(value: Any, tr: Callable[[str], str]) -> EvidenceBlock | None:
    if not isinstance(value, dict):
        return None
    try:
        n, replies = int(value["n"]), int(value["replies"])
        lo, hi = (int(v) for v in value["interval"])
        z = float(value["z"])
    except (KeyError, TypeError, ValueError):
        return None
    marks = ["■" if ch == "1" else "□" if ch == "0" else "?"
             for ch in str(value.get("pattern", ""))]
    groups = ["".join(marks[i:i + 10]) for i in range(0, len(marks), 10)]
    return EvidenceBlock("drop", tr("report.drop.title"), data={
        "n": n, "replies": replies, "dropped": n - replies, "lo": lo, "hi": hi,
        "z": f"{z:.2f}".replace(".", tr("report.decimal_sep")), "groups": groups,
        "in_interval": lo <= replies <= hi})


def evidence_blocks(evidence: dict[str, Any], lang: str) -> list[EvidenceBlock]:
    """Known evidence keys rendered nicely, in a fixed order; the rest as a key/value table."""

    def tr(key: str) -> str:
        return t(key, lang)

    blocks: list[EvidenceBlock] = []
    used: set[str] = set()
    if "argv" in evidence:
        argv = evidence["argv"]
        text = shlex.join(str(a) for a in argv) if isinstance(argv, list) else _as_text(argv)
        blocks.append(EvidenceBlock("argv", tr("report.argv"), text=text))
        used.add("argv")
    if "stdin" in evidence:
        blocks.append(EvidenceBlock("output", tr("report.stdin"), text=_as_text(evidence["stdin"])))
        used.add("stdin")
    if "exchanges" in evidence and (block := _exchanges(evidence["exchanges"], tr)):
        blocks.append(block)
        used.add("exchanges")
    if "expected" in evidence:
        observed, source = _observed(evidence)
        blocks.append(EvidenceBlock("compare", data={
            "expected": _as_text(evidence["expected"]), "observed": observed}))
        used.update(("expected", source or "expected"))
    if "drop" in evidence and (block := _drop(evidence["drop"], tr)):
        blocks.append(block)
        used.add("drop")
    for key in ("stdout", "stderr"):
        if key in evidence:
            blocks.append(EvidenceBlock("output", tr(f"report.{key}"),
                                        text=_as_text(evidence[key])))
            used.add(key)
    rest = [{"key": k, "value": _as_text(v)} for k, v in evidence.items() if k not in used]
    if rest:
        blocks.append(EvidenceBlock("table", tr("report.other_evidence"), rows=rest))
    return blocks


def _view(result: SubmissionResult, lang: str, show_hidden: bool) -> dict[str, Any]:
    visible_only = not show_hidden
    tasks: dict[str, TaskView] = {}
    per_task = task_totals(result, visible_only)
    for c in selected_checks(result, visible_only):
        if c.task not in tasks:
            got, avail = per_task[c.task]
            tasks[c.task] = TaskView(c.task, task_title(c.task, lang), task_file(c.task),
                                     got, avail, [])
        ev = c.evidence if isinstance(c.evidence, dict) else {"evidence": c.evidence}
        tasks[c.task].checks.append(
            CheckView(c, c.visibility == "hidden", evidence_blocks(ev, lang)))
    score, max_score = totals(result, visible_only)
    pct = 100.0 * score / max_score if max_score else 0.0
    counts: dict[str, int] = {}
    for c in selected_checks(result, visible_only):
        counts[c.status] = counts.get(c.status, 0) + 1
    return {"tasks": list(tasks.values()), "score": score, "max_score": max_score,
            "pct": round(max(0.0, min(pct, 100.0)), 1), "counts": counts}


def render_report(result: SubmissionResult, *, lang: str | None = None,
                  show_hidden: bool = True) -> str:
    """The report page for one submission, as one self-contained HTML document.

    ``lang`` defaults to the result's language. ``show_hidden=True`` is the instructor's
    report: hidden checks (marked as such) and harness tracebacks are included. With
    ``False`` (the student's report) hidden checks are left out, totals included.
    """
    lang = resolve_lang(lang, result)

    def num(x: float) -> str:
        return fmt_local(x, lang)

    def tr(key: str, **params: Any) -> str:
        return t(key, lang, **params)

    template = _environment().get_template("submission.html.j2")
    return template.render(result=result, lang=lang, show_hidden=show_hidden, tr=tr, num=num,
                           **_view(result, lang, show_hidden))


def write_report(result: SubmissionResult, out_dir: Path, *, lang: str | None = None,
                 show_hidden: bool = True) -> Path:
    """Write ``out_dir/report.html`` (atomically) and return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "report.html"
    tmp = out_dir / "report.html.tmp"
    tmp.write_text(render_report(result, lang=lang, show_hidden=show_hidden), encoding="utf-8")
    tmp.replace(path)
    return path
