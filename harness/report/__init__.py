"""The per-submission HTML report: one self-contained, printable page, in two versions.

* the **student's** (``student.html``): visible checks only, totals over them, no harness
  tracebacks, no evidence key the catalogues have no words for;
* the **instructor's** (``report.html``): every check, hidden ones marked, harness tracebacks.

What failed comes first (a list linking to each failed check, with the command that runs it
again locally), then the task table, then each task: failed checks with their evidence open,
passed checks on one line each. HTML is produced only by the Jinja2 templates in
``templates/`` with autoescape on; this module prepares plain data for them. Every value
printed by a template first goes through :func:`clean` (the environment's ``finalize``):
ANSI escape sequences are dropped and other control or invisible characters become visible
escapes (``\\x00``), so output copied from a student program can neither break the page nor
hide text in it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemBytecodeCache, PackageLoader, StrictUndefined
from jinja2.bccache import Bucket
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
from harness.report.evidence import EvidenceBlock, evidence_blocks
from harness.report.text import decode_escapes
from harness.results import CheckResult, SubmissionResult

__all__ = ["REPORT_FILES", "EvidenceBlock", "clean", "evidence_blocks", "render_report",
           "reproduce_command", "write_report"]

REPORT_FILES = {"instructor": "report.html", "student": "student.html"}
"""The two versions :func:`write_report` writes, by audience."""


def _finalize(value: Any) -> Any:
    if isinstance(value, str) and not isinstance(value, Markup):
        return clean(value)
    return value


class _TemplateCache(FileSystemBytecodeCache):
    """Compiled templates kept beside the package's own bytecode (``__pycache__``, written by
    the grader's user only, trusted like Python's ``.pyc`` files): compiling them costs a
    report about 0.1 s. Keyed by each template's source; nothing is kept where the package
    is read-only."""

    def __init__(self, folder: Path | None = None) -> None:
        folder = folder or Path(__file__).with_name("__pycache__") / "templates"
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            pass
        super().__init__(str(folder), "%s.jinja")

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, ValueError, EOFError):
            bucket.reset()  # unreadable or damaged: compiled again

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass  # read-only package: compiled in each process instead


@lru_cache(maxsize=1)
def _environment() -> Environment:
    """The one Jinja2 environment: autoescape always on, every printed value cleaned."""
    return Environment(
        loader=PackageLoader("harness", "report/templates"),
        bytecode_cache=_TemplateCache(),
        autoescape=True,
        undefined=StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


# --------------------------------------------------------------------------- view model


@dataclass
class CheckView:
    check: CheckResult
    hidden: bool
    message: str
    """The message, with UTF-8 written as escapes turned back into letters."""
    evidence: list[EvidenceBlock]
    reproduce: str


@dataclass
class TaskView:
    id: str
    title: str
    file: str
    score: float
    max_score: float
    checks: list[CheckView]

    @property
    def failed(self) -> list[CheckView]:
        return [cv for cv in self.checks if cv.check.status in ("failed", "error")]

    @property
    def passed(self) -> list[CheckView]:
        return [cv for cv in self.checks if cv.check.status not in ("failed", "error")]


def reproduce_command(check_id: str) -> str:
    """The command a student runs in their folder to run one check again."""
    return f"labgrade check . --only {check_id}"


def graded_at_text(stamp: str, lang: str) -> str:
    """``2026-03-02T14:05:09Z`` as ``2026-03-02 14:05 UTC`` (empty stays empty)."""
    try:
        when = dt.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return stamp
    return t("report.when", lang, date=f"{when:%Y-%m-%d}", time=f"{when:%H:%M}")


def _same_output_once(task: TaskView) -> None:
    """A program that crashed fails every check of its task with the same output: show it
    under the first check, and under the others a link to it."""
    first: dict[tuple[str, str], CheckView] = {}
    for cv in task.failed:
        for i, block in enumerate(cv.evidence):
            if block.kind != "output" or len(block.text) < 80:
                continue
            seen = first.setdefault((block.label, block.text), cv)
            if seen is not cv:
                cv.evidence[i] = EvidenceBlock("same", block.label, data={
                    "id": seen.check.id, "title": seen.check.title or seen.check.id})


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
        tasks[c.task].checks.append(CheckView(
            c, c.visibility == "hidden", decode_escapes(c.message),
            evidence_blocks(ev, lang, instructor=show_hidden)
            if c.status in ("failed", "error") else [],
            reproduce_command(c.id)))
    for task in tasks.values():
        _same_output_once(task)
    score, max_score = totals(result, visible_only)
    pct = 100.0 * score / max_score if max_score else 0.0
    counts: dict[str, int] = {}
    for c in selected_checks(result, visible_only):
        counts[c.status] = counts.get(c.status, 0) + 1
    failures = [cv for task in tasks.values() for cv in task.failed]
    return {"tasks": list(tasks.values()), "score": score, "max_score": max_score,
            "pct": round(max(0.0, min(pct, 100.0)), 1), "counts": counts,
            "failures": failures, "n_checks": sum(counts.values()),
            "graded_at": graded_at_text(result.graded_at, lang)}


def render_report(result: SubmissionResult, *, lang: str | None = None,
                  show_hidden: bool = True) -> str:
    """The report page for one submission, as one self-contained HTML document.

    ``lang`` defaults to the result's language. ``show_hidden=True`` is the instructor's
    report: hidden checks (marked as such), harness tracebacks and every evidence key. With
    ``False`` (the student's report) hidden checks are left out entirely, totals included.
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
                 show_hidden: bool | None = None) -> Path:
    """Write the report (atomically) and return its path.

    By default both versions: ``report.html`` (the instructor's) and ``student.html`` (the
    student's); the path returned is the instructor's. ``show_hidden=True`` or ``False``
    writes only that version, as ``report.html``.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    if show_hidden is not None:
        return _write(out_dir / REPORT_FILES["instructor"],
                      render_report(result, lang=lang, show_hidden=show_hidden))
    _write(out_dir / REPORT_FILES["student"], render_report(result, lang=lang, show_hidden=False))
    return _write(out_dir / REPORT_FILES["instructor"],
                  render_report(result, lang=lang, show_hidden=True))


def _write(path: Path, text: str) -> Path:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path
