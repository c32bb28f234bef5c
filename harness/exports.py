"""Platform exports derived from one :class:`~harness.results.SubmissionResult`.

Every writer here reads the same checks and computes totals with :func:`totals`, so a score
agrees across ``results.json``, Gradescope, GitHub Classroom, JUnit XML and the gradebook CSV.

``visible_only`` selects the audience. With ``False`` (the instructor's view) every check
counts, hidden ones included. With ``True`` (the student's view) hidden checks are left out
entirely: neither their messages nor their points appear, and totals are the visible totals.
The GitHub outputs default to ``True`` (they are what a student sees on an assignment repo);
the others default to ``False``.
"""

from __future__ import annotations

import base64
import csv
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from harness.i18n import t
from harness.report.common import (
    check_name,
    check_text,
    clean,
    counts_as_passed,
    fmt_local,
    fmt_points,
    problem_line,
    resolve_lang,
    round_points,
    selected_checks,
    task_file,
    task_title,
    task_totals,
    totals,
)
from harness.results import CheckResult, SubmissionResult

# Gradescope knows no "hidden but counted" state that suits us (its ``hidden`` never shows the
# test to the student); see :func:`to_gradescope`.
GRADESCOPE_HIDDEN = "after_published"
STATUS_EMOJI = {"passed": "✅", "failed": "❌", "error": "⚠️", "skipped": "⏭️"}
JUNIT_TAGS = {"failed": "failure", "error": "error", "skipped": "skipped"}


def _numbers(checks: list[CheckResult]) -> dict[str, str]:
    """``task index.check index`` (1-based, first-seen task order) for each check id."""
    task_index: dict[str, int] = {}
    per_task: dict[str, int] = {}
    out: dict[str, str] = {}
    for c in checks:
        ti = task_index.setdefault(c.task, len(task_index) + 1)
        per_task[c.task] = per_task.get(c.task, 0) + 1
        out[c.id] = f"{ti}.{per_task[c.task]}"
    return out


# --------------------------------------------------------------------------- Gradescope


def to_gradescope(result: SubmissionResult, *, visible_only: bool = False,
                  lang: str | None = None) -> dict[str, Any]:
    """Gradescope autograder ``results.json`` (gradescope-autograders.readthedocs.io, specs).

    One test per check, ``number`` ``"<task index>.<check index>"``, ``status``
    ``passed``/``failed`` (an ``error`` is ``failed``, its output says the grader could not
    judge it; a ``skipped`` check passes only when it cost no points).

    Visibility: our ``hidden`` (instructors only while grading) becomes Gradescope's
    ``after_published``: the instructor sees it at once, the student once grades are
    published, which is when a student should learn why points were lost. Gradescope's own
    ``hidden`` would never show it, even after publication. ``after_due_date`` and
    ``after_published`` pass through. Outputs are plain ``text`` (never interpreted as HTML).
    The autograder's own stdout (harness logs) stays ``hidden`` from students; the top-level
    ``output`` lists the submission's file problems.
    """
    lang = resolve_lang(lang, result)
    checks = selected_checks(result, visible_only)
    numbers = _numbers(checks)
    score, _ = totals(result, visible_only)
    tests = []
    for c in checks:
        visibility = GRADESCOPE_HIDDEN if c.visibility == "hidden" else c.visibility
        tests.append({
            "score": round_points(c.score),
            "max_score": round_points(c.max_score),
            "status": "passed" if counts_as_passed(c) else "failed",
            "name": clean(f"{c.id} — {c.title}" if c.title else c.id),
            "number": numbers[c.id],
            "output": clean(check_text(c, lang)),
            "output_format": "text",
            "visibility": visibility,
        })
    problems = "\n".join(problem_line(p.file, p.line, p.message) for p in result.problems)
    return {
        "score": score,
        "execution_time": round_points(result.duration_s),
        "output": clean(problems),
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def write_gradescope(result: SubmissionResult, path: Path, *, visible_only: bool = False,
                     lang: str | None = None) -> Path:
    """Write the Gradescope ``results.json`` to ``path``."""
    data = to_gradescope(result, visible_only=visible_only, lang=lang)
    return _write_text(path, json.dumps(data, ensure_ascii=False, indent=2))


# --------------------------------------------------------------------------- GitHub


def to_github_classroom(result: SubmissionResult, *, visible_only: bool = True,
                        lang: str | None = None) -> dict[str, Any]:
    """GitHub Classroom autograding result, format version 3.

    The shape the ``classroom-resources/autograding-*-grader`` actions put (base64) in their
    ``result`` step output and ``autograding-grading-reporter`` reads: the classroom grade is
    the sum of the tests' ``score`` over ``max_score``. Top ``status`` is ``error`` when any
    check could not be judged, else ``fail`` when any check lost points, else ``pass``.
    ``filename`` is the student file the check grades. (The reporter's console table assumes
    equally weighted tests; only the classroom grade uses the per-test scores.)
    """
    lang = resolve_lang(lang, result)
    checks = selected_checks(result, visible_only)
    _, max_score = totals(result, visible_only)
    tests = []
    for c in checks:
        status = "error" if c.status == "error" else ("pass" if counts_as_passed(c) else "fail")
        tests.append({
            "name": c.id,
            "status": status,
            "score": round_points(c.score),
            "max_score": round_points(c.max_score),
            "message": clean(check_text(c, lang)),
            "test_code": "",
            "filename": task_file(c.task),
            "line_no": 0,
            "duration": round_points(c.duration_s),
            "execution_time": f"{c.duration_s:.2f}s",
        })
    if any(x["status"] == "error" for x in tests):
        overall = "error"
    elif any(x["status"] == "fail" for x in tests) or result.problems:
        overall = "fail"
    else:
        overall = "pass"
    return {"version": 3, "status": overall, "max_score": max_score, "tests": tests}


def github_output_value(result: SubmissionResult, *, visible_only: bool = True,
                        lang: str | None = None) -> str:
    """Base64 of the compact version 3 JSON: the value of the ``result`` step output."""
    payload = json.dumps(to_github_classroom(result, visible_only=visible_only, lang=lang),
                         ensure_ascii=False, separators=(",", ":"))
    return base64.b64encode(payload.encode("utf-8")).decode("ascii")


def write_github_classroom(result: SubmissionResult, path: Path, *,
                           visible_only: bool = True, lang: str | None = None) -> Path:
    """The version 3 result as a readable JSON file (the step output holds it in base64)."""
    data = to_github_classroom(result, visible_only=visible_only, lang=lang)
    return _write_text(path, json.dumps(data, ensure_ascii=False, indent=2))


def write_github_output(result: SubmissionResult, github_output_path: Path, *,
                        visible_only: bool = True, lang: str | None = None) -> Path:
    """Append ``result=<base64>`` to the ``$GITHUB_OUTPUT`` file.

    The workflow passes it to the reporter as ``<RUNNER>_RESULTS``:
    ``env: LABGRADE_RESULTS: "${{ steps.labgrade.outputs.result }}"`` and ``runners: labgrade``.
    """
    line = f"result={github_output_value(result, visible_only=visible_only, lang=lang)}\n"
    with github_output_path.open("a", encoding="utf-8") as fh:
        fh.write(line)
    return github_output_path


_MD_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", **{
    ch: "\\" + ch for ch in "\\`*_[]|~"}})


def _md_cell(text: str) -> str:
    """Table cell text: inert (HTML and Markdown markup escaped), ``<br>`` between lines."""
    return "<br>".join(clean(text).translate(_MD_ESCAPES).split("\n"))


def github_summary_markdown(result: SubmissionResult, lang: str | None = None, *,
                            visible_only: bool = True) -> str:
    """A job summary (``$GITHUB_STEP_SUMMARY``): the total, then a table per task."""
    lang = resolve_lang(lang, result)
    score, max_score = totals(result, visible_only)
    pct = fmt_local(round(100 * score / max_score, 1) if max_score else 0, lang)
    lines = [f"## {_md_cell(t('report.title', lang))}: {_md_cell(result.submission)}", "",
             t("report.summary.total", lang, score=fmt_local(score, lang),
               max=fmt_local(max_score, lang), pct=pct), ""]
    if result.problems:
        lines += [f"### {t('report.problems', lang)}", ""]
        lines += [f"- {_md_cell(problem_line(p.file, p.line, p.message))}"
                  for p in result.problems]
        lines.append("")
    by_task: dict[str, list[CheckResult]] = {}
    for c in selected_checks(result, visible_only):
        by_task.setdefault(c.task, []).append(c)
    per_task = task_totals(result, visible_only)
    header = (f"| | {t('report.check', lang)} | {t('report.points', lang)} "
              f"| {t('report.message', lang)} |")
    for task, checks in by_task.items():
        got, avail = per_task[task]
        lines += [f"### {_md_cell(task_title(task, lang))} (`{task}`): "
                  f"{fmt_local(got, lang)} / {fmt_local(avail, lang)}", "", header,
                  "|---|---|---:|---|"]
        for c in checks:
            label = t(f"report.status.{c.status}", lang)
            name = f"`{check_name(c)}`" + (f" {_md_cell(c.title)}" if c.title else "")
            lines.append(f"| {STATUS_EMOJI[c.status]} {label} | {name} "
                         f"| {fmt_local(c.score, lang)} / {fmt_local(c.max_score, lang)} "
                         f"| {_md_cell(check_text(c, lang))} |")
        lines.append("")
    return "\n".join(lines)


def write_github_summary(result: SubmissionResult, path: Path, *, visible_only: bool = True,
                         lang: str | None = None) -> Path:
    """The job summary Markdown as a file of its own."""
    return _write_text(path, github_summary_markdown(result, lang, visible_only=visible_only))


def class_summary_markdown(results: list[SubmissionResult], ungraded: dict[str, str], *,
                           lang: str) -> str:
    """A job summary for a whole class (``labgrade batch`` in CI): one line per submission,
    instructor's totals (hidden checks included), then the ungraded ones with why."""
    lines = [f"## {_md_cell(t('class.title', lang))}", "",
             f"| {t('report.submission', lang)} | {t('report.points', lang)} | % |",
             "|---|---:|---:|"]
    for r in results:
        score, max_score = totals(r)
        pct = fmt_local(round(100 * score / max_score, 1) if max_score else 0, lang)
        lines.append(f"| {_md_cell(r.submission)} | {fmt_local(score, lang)} / "
                     f"{fmt_local(max_score, lang)} | {pct} |")
    if ungraded:
        lines += ["", f"### {_md_cell(t('class.ungraded_title', lang))}", ""]
        lines += [f"- {_md_cell(name)}: {_md_cell(reason)}" for name, reason in ungraded.items()]
    return "\n".join(lines) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(kind: str, props: dict[str, str], message: str) -> str:
    joined = ",".join(f"{k}={_escape_property(clean(v))}" for k, v in props.items())
    return f"::{kind} {joined}::{_escape_data(clean(message))}"


def github_annotations(result: SubmissionResult, lang: str | None = None, *,
                       visible_only: bool = True) -> list[str]:
    """Workflow commands, one line each: ``::error`` per failed check and per file problem,
    ``::warning`` per check the grader could not judge (not the student's fault).

    Escaping follows GitHub's workflow-command rules (as ``@actions/core`` does): ``%``, CR
    and LF in the message; also ``:`` and ``,`` in properties.
    """
    lang = resolve_lang(lang, result)
    out = []
    for p in result.problems:
        props = {"file": p.file}
        if p.line:
            props["line"] = str(p.line)
        props["title"] = t("report.problems", lang)
        out.append(_command("error", props, p.message))
    for c in selected_checks(result, visible_only):
        if c.status == "failed":
            out.append(_command("error", {"file": task_file(c.task), "title": c.id},
                                check_text(c, lang)))
        elif c.status == "error":
            out.append(_command("warning", {"file": task_file(c.task), "title": c.id},
                                check_text(c, lang)))
    return out


# --------------------------------------------------------------------------- JUnit XML


def to_junit_xml(result: SubmissionResult, *, visible_only: bool = False,
                 lang: str | None = None) -> str:
    """One ``<testsuite>`` for the submission, one ``<testcase>`` per check.

    ``classname`` is the task, ``name`` the check; ``failed`` gives ``<failure>``, ``error``
    gives ``<error>`` (with the traceback), ``skipped`` gives ``<skipped>``. The suite's
    ``<properties>`` carry the score, max score, isolation, harness version and hash. Texts
    pass through :func:`~harness.report.common.clean`, so the XML stays valid (no NUL).
    """
    lang = resolve_lang(lang, result)
    checks = selected_checks(result, visible_only)
    score, max_score = totals(result, visible_only)
    suite = ET.Element("testsuite", {
        "name": result.submission,
        "tests": str(len(checks)),
        "failures": str(sum(c.status == "failed" for c in checks)),
        "errors": str(sum(c.status == "error" for c in checks)),
        "skipped": str(sum(c.status == "skipped" for c in checks)),
        "time": f"{result.duration_s:.3f}",
    })
    props = ET.SubElement(suite, "properties")
    for name, value in (("score", fmt_points(score)), ("max_score", fmt_points(max_score)),
                        ("isolation", result.isolation),
                        ("harness_version", result.harness_version),
                        ("submission_sha256", result.submission_sha256)):
        ET.SubElement(props, "property", {"name": name, "value": clean(value)})
    for c in checks:
        case = ET.SubElement(suite, "testcase", {
            "classname": c.task, "name": check_name(c), "time": f"{c.duration_s:.3f}"})
        if c.status in ("failed", "error", "skipped"):
            message = clean(check_text(c, lang))
            node = ET.SubElement(case, JUNIT_TAGS[c.status],
                                 {"message": message.split("\n", 1)[0]})
            body = f"{message}\n\n{clean(c.traceback)}" if c.status == "error" else message
            node.text = body.strip() or None
        ET.SubElement(case, "system-out").text = t(
            "report.points_of", lang, score=fmt_local(c.score, lang),
            max=fmt_local(c.max_score, lang))
    if result.problems:
        ET.SubElement(suite, "system-err").text = clean(
            "\n".join(problem_line(p.file, p.line, p.message) for p in result.problems))
    ET.indent(suite)
    return ET.tostring(suite, encoding="unicode", xml_declaration=True)


def write_junit(result: SubmissionResult, path: Path, *, visible_only: bool = False,
                lang: str | None = None) -> Path:
    """Write the JUnit XML to ``path``."""
    return _write_text(path, to_junit_xml(result, visible_only=visible_only, lang=lang))


def write_class_junit(results: list[SubmissionResult], path: Path, *,
                      visible_only: bool = False) -> Path:
    """One ``<testsuites>`` document for a class: each submission's suite, as
    :func:`to_junit_xml` writes it, so a CI server shows the class as one test report."""
    suites = ET.Element("testsuites", {"name": "labgrade"})
    for r in results:
        suites.append(ET.fromstring(to_junit_xml(r, visible_only=visible_only).encode("utf-8")))
    for key in ("tests", "failures", "errors", "skipped"):
        suites.set(key, str(sum(int(s.get(key, "0")) for s in suites)))
    ET.indent(suites)
    return _write_text(path, ET.tostring(suites, encoding="unicode", xml_declaration=True))


# --------------------------------------------------------------------------- gradebook CSV


def write_grades_csv(results: list[SubmissionResult], path: Path, *,
                     visible_only: bool = False, ungraded: Iterable[str] = ()) -> Path:
    """The gradebook: one row per submission, one column per task (first-seen order).

    Columns: ``submission``, the tasks (points earned; empty when the submission has no
    check of that task), ``total``, ``max_score``, ``status`` (``problems`` when the files
    had problems, else ``graded``). The ``ungraded`` submissions (names) follow, every score
    cell empty (no grade, rather than a zero nobody gave) and status ``ungraded``. Plain
    UTF-8, no BOM.
    """
    tasks: dict[str, None] = {}
    for r in results:
        for task in task_totals(r, visible_only):
            tasks.setdefault(task, None)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["submission", *tasks, "total", "max_score", "status"])
        for r in results:
            per_task = task_totals(r, visible_only)
            score, max_score = totals(r, visible_only)
            writer.writerow([
                _csv_safe(r.submission),
                *(fmt_points(per_task[task][0]) if task in per_task else "" for task in tasks),
                fmt_points(score), fmt_points(max_score),
                "problems" if r.problems else "graded",
            ])
        for name in ungraded:
            writer.writerow([_csv_safe(name), *("" for _ in tasks), "", "", "ungraded"])
    return path


def _csv_safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP CSV injection advice)."""
    text = clean(text)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _write_text(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path
