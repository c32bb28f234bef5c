"""The class page (``index.html`` of a batch): one self-contained file, no network.

It shows the score distribution as an inline SVG chart drawn by the template (no script, no
library), the pass rate of every check (what the class struggled with), a table of every
submission linking to its report, and the submissions that could not be graded, with why.
The tables sort on a click through a few lines of inline script; without it they are
already in a useful order (by name; checks in catalogue order). A Content-Security-Policy
lets that one script (by its hash) and inline styles run, and nothing else load.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import statistics
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from markupsafe import Markup

from harness import __version__
from harness.i18n import DEFAULT_LANG, LANGS, has, t
from harness.report import _environment
from harness.report.common import (
    counts_as_passed,
    fmt_local,
    round_points,
    task_title,
    task_totals,
    totals,
)

if TYPE_CHECKING:
    from harness.batch import BatchResult

BINS = 10
CHART_W, CHART_H = 640, 260
PLOT_L, PLOT_R, PLOT_T, PLOT_B = 44, 12, 22, 48
STRUGGLE_LIMIT = 5


@dataclass
class CheckRate:
    id: str
    task: str
    title: str
    passed: int = 0
    failed: int = 0
    error: int = 0
    skipped: int = 0

    @property
    def total(self) -> int:
        return self.passed + self.failed + self.error + self.skipped

    @property
    def rate(self) -> float:
        return 100.0 * self.passed / self.total if self.total else 0.0

    @property
    def level(self) -> str:
        return "low" if self.rate < 50 else "mid" if self.rate < 80 else "high"


@dataclass
class Row:
    name: str
    href: str
    student_href: str
    score: float
    max_score: float
    pct: float
    tasks: list[tuple[float, float] | None]
    groups: list[tuple[float, float] | None]
    problems: int
    errors: int
    cached: bool
    duration_s: float

    @property
    def status(self) -> str:
        """``full``, ``partial`` or ``zero``: a word beside the name."""
        return "full" if self.score >= self.max_score > 0 else "zero" if self.score <= 0 \
            else "partial"


@dataclass
class TaskStat:
    """One task across the class: its checks' pass rate and the points students got."""

    id: str
    short: str
    title: str
    group: str
    index: int
    """Its column in :attr:`Row.tasks`."""
    max_score: float = 0.0
    points: list[float] = field(default_factory=list)
    passed: int = 0
    checks: int = 0

    @property
    def mean(self) -> float:
        return statistics.fmean(self.points) if self.points else 0.0

    @property
    def mean_pct(self) -> float:
        return 100.0 * self.mean / self.max_score if self.max_score else 0.0

    @property
    def rate(self) -> float:
        return 100.0 * self.passed / self.checks if self.checks else 0.0

    @property
    def level(self) -> str:
        return "low" if self.rate < 50 else "mid" if self.rate < 80 else "high"


def task_group(task: str) -> str:
    """The group a task's column belongs to: its first id part (``lab9``, ``recipes``)."""
    return task.split(".", 1)[0] if "." in task else ""


@dataclass
class Chart:
    bars: list[dict[str, Any]] = field(default_factory=list)
    ticks: list[dict[str, Any]] = field(default_factory=list)
    mean_x: float | None = None


def report_href(name: str, file: str = "report.html") -> str:
    """The link from the class page to a submission's report (names may hold any character)."""
    return f"submissions/{quote(name, safe='')}/{file}"


DOWNLOADS = ("grades.csv", "moodle-worksheet.csv", "moodle-gradebook.csv", "canvas.csv",
             "junit.xml")
"""Files of a batch's output folder the class page links to, when they exist."""


def histogram(pcts: list[float], bins: int = BINS) -> list[int]:
    """Counts per bin of ``100 / bins`` points of percentage; 100 % is in the last bin."""
    counts = [0] * bins
    for pct in pcts:
        counts[min(bins - 1, max(0, int(pct * bins // 100)))] += 1
    return counts


def _chart(pcts: list[float], lang: str) -> Chart:
    counts = histogram(pcts)
    top = max(counts, default=0) or 1
    step = max(1, -(-top // 5))
    ceiling = step * -(-top // step)
    plot_w, plot_h = CHART_W - PLOT_L - PLOT_R, CHART_H - PLOT_T - PLOT_B
    width = plot_w / BINS
    chart = Chart()
    for i, n in enumerate(counts):
        h = plot_h * n / ceiling
        lo, hi = i * 100 // BINS, (i + 1) * 100 // BINS
        chart.bars.append({
            "x": round(PLOT_L + i * width + 3, 2), "w": round(width - 6, 2),
            "y": round(PLOT_T + plot_h - h, 2), "h": round(h, 2), "n": n,
            "cx": round(PLOT_L + (i + 0.5) * width, 2),
            "label": f"{lo}–{hi}",
            "title": t("class.chart.bar", lang, n=n, lo=lo, hi=hi),
        })
    for v in range(0, ceiling + 1, step):
        chart.ticks.append({"y": round(PLOT_T + plot_h - plot_h * v / ceiling, 2), "v": v})
    if pcts:
        chart.mean_x = round(PLOT_L + plot_w * statistics.fmean(pcts) / 100, 2)
    return chart


def _script() -> str:
    return resources.files("harness").joinpath("report/templates/class.js").read_text(
        encoding="utf-8")


def class_view(batch: BatchResult, lang: str) -> dict[str, Any]:
    """Plain data for ``class.html.j2``."""
    graded = [e for e in batch.entries if e.status == "graded" and e.name in batch.results]
    results = [batch.results[e.name] for e in graded]
    tasks: dict[str, TaskStat] = {}
    rates: dict[str, CheckRate] = {}
    for r in results:
        for c in r.checks:
            stat = tasks.setdefault(c.task, TaskStat(c.task, c.task.split(".", 1)[-1],
                                                     task_title(c.task, lang), task_group(c.task),
                                                     len(tasks)))
            rate = rates.setdefault(c.id, CheckRate(c.id, c.task, c.title))
            passed = counts_as_passed(c)
            status = "passed" if passed else c.status
            setattr(rate, status, getattr(rate, status) + 1)
            stat.checks += 1
            stat.passed += passed
    groups: dict[str, list[str]] = {}
    for task in tasks:
        groups.setdefault(task_group(task), []).append(task)
    for members in groups.values():  # r01_hostname -> r01 where that stays unique
        heads = [tasks[m].short.split("_", 1)[0] for m in members]
        heads = [h if heads.count(h) == 1 else f"{h}_{tasks[m].short.rsplit('_', 1)[-1]}"
                 for h, m in zip(heads, members, strict=True)]
        if len(set(heads)) == len(heads):
            for m, head in zip(members, heads, strict=True):
                tasks[m].short = head
    rows = []
    for e, r in zip(graded, results, strict=True):
        score, max_score = totals(r)
        per_task = task_totals(r)
        for task, (got, avail) in per_task.items():
            tasks[task].points.append(got)
            tasks[task].max_score = max(tasks[task].max_score, avail)
        group_cells: list[tuple[float, float] | None] = []
        for members in groups.values():
            cells = [per_task[m] for m in members if m in per_task]
            group_cells.append((round_points(sum(c[0] for c in cells)),
                                round_points(sum(c[1] for c in cells))) if cells else None)
        rows.append(Row(
            name=e.name, href=report_href(e.name),
            student_href=report_href(e.name, "student.html"), score=score, max_score=max_score,
            pct=round(100 * score / max_score, 1) if max_score else 0.0,
            tasks=[per_task.get(task) for task in tasks], groups=group_cells,
            problems=len(r.problems), errors=sum(c.status == "error" for c in r.checks),
            cached=e.cached, duration_s=r.duration_s))
    exact = [100 * totals(r)[0] / totals(r)[1] if totals(r)[1] else 0.0 for r in results]
    maxima = [row.max_score for row in rows]
    struggled = sorted((x for x in rates.values() if x.rate < 100),
                       key=lambda x: (x.rate, x.id))[:STRUGGLE_LIMIT]
    isolation = sorted({r.isolation for r in results})
    script = _script()
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    chart = _chart(exact, lang)
    return {
        "rows": rows,
        "tasks": list(tasks.values()),
        "groups": [{"id": g, "title": _group_title(g, lang), "tasks": [tasks[m] for m in members]}
                   for g, members in groups.items()],
        "rates": list(rates.values()),
        "struggled": struggled,
        "ungraded": [e for e in batch.entries if e.status != "graded"],
        "n_total": len(batch.entries), "n_graded": len(rows),
        "n_cached": sum(row.cached for row in rows),
        "mean": round(statistics.fmean(exact), 1) if exact else None,
        "median": round(statistics.median(exact), 1) if exact else None,
        "class_max": statistics.mode(maxima) if maxima else 0.0,
        "n_full": sum(row.pct >= 100 for row in rows),
        "chart": chart,
        "chart_size": {"w": CHART_W, "h": CHART_H, "l": PLOT_L, "r": CHART_W - PLOT_R,
                       "b": CHART_H - PLOT_B},
        "settings": batch.settings,
        "isolation": ", ".join(isolation),
        "downloads": [name for name in DOWNLOADS if (batch.out / name).is_file()],
        "generated": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "script": Markup(script),
        "csp": (f"default-src 'none'; script-src 'sha256-{digest}'; style-src 'unsafe-inline'; "
                "img-src data:; base-uri 'none'; form-action 'none'"),
    }


def _group_title(group: str, lang: str) -> str:
    key = f"report.class.{group}"
    return t(key, lang) if has(key, lang) else (group or t("report.class.other", lang))


def render_class_page(batch: BatchResult, *, lang: str | None = None) -> str:
    """The class page of ``batch`` as one HTML document (language: the batch's)."""
    lang = lang or batch.settings.get("lang") or DEFAULT_LANG
    if lang not in LANGS:
        lang = DEFAULT_LANG

    def num(x: float) -> str:
        return fmt_local(x, lang)

    def tr(key: str, **params: Any) -> str:
        return t(key, lang, **params)

    template = _environment().get_template("class.html.j2")
    return template.render(lang=lang, tr=tr, num=num, version=__version__,
                           **class_view(batch, lang))


def write_class_page(batch: BatchResult, path: Path, *, lang: str | None = None) -> Path:
    """Write the class page to ``path`` (atomically)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(render_class_page(batch, lang=lang), encoding="utf-8")
    tmp.replace(path)
    return path
