"""Helpers shared by the HTML report and the platform exports (:mod:`harness.exports`).

They decide, in one place, which checks an audience sees, how totals are computed and how
numbers and untrusted text are shown, so every output of one result agrees with the others.
This module imports neither Jinja2 nor :mod:`harness.exports`.
"""

from __future__ import annotations

import re

from harness.i18n import DEFAULT_LANG, LANGS, has, t
from harness.points import round_points, total
from harness.results import CheckResult, SubmissionResult

_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?")
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e"
                        "\u2066-\u2069\ufeff\ud800-\udfff\ufffe\uffff]")
_NAMED = {"\r": "\\r", "\x0b": "\\v", "\x0c": "\\f"}


def clean(text: str) -> str:
    """Printable text: ANSI escape sequences removed; other control, invisible and
    direction-changing characters (and NUL, lone surrogates) shown escaped as ``\\x00``.

    Newlines and tabs stay; ``\\r\\n`` becomes ``\\n``. Text a student program printed can
    then neither break an output format nor hide or reorder what a reader sees.
    """
    text = _ANSI.sub("", text).replace("\r\n", "\n")
    return _INVISIBLE.sub(lambda m: _escape_char(m.group()), text)


def _escape_char(ch: str) -> str:
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def resolve_lang(lang: str | None, result: SubmissionResult) -> str:
    """``lang`` if given and known, else the result's language, else the default (Spanish)."""
    for candidate in (lang, result.lang):
        if candidate is not None and candidate in LANGS:
            return candidate
    return DEFAULT_LANG


def selected_checks(result: SubmissionResult, visible_only: bool) -> list[CheckResult]:
    """The checks an audience sees: all of them, or only those not ``hidden``."""
    if not visible_only:
        return list(result.checks)
    return [c for c in result.checks if c.visibility != "hidden"]


def totals(result: SubmissionResult, visible_only: bool = False) -> tuple[float, float]:
    """Points earned and available over the selected checks: the one place totals come from.

    For a well-formed result with ``visible_only=False`` these equal ``result.score`` and
    ``result.max_score``.
    """
    checks = selected_checks(result, visible_only)
    return total(c.score for c in checks), total(c.max_score for c in checks)


def task_totals(result: SubmissionResult, visible_only: bool = False
                ) -> dict[str, tuple[float, float]]:
    """Points earned and available per task, in first-seen order."""
    out: dict[str, list[CheckResult]] = {}
    for c in selected_checks(result, visible_only):
        out.setdefault(c.task, []).append(c)
    return {task: (total(c.score for c in checks), total(c.max_score for c in checks))
            for task, checks in out.items()}


def fmt_points(x: float) -> str:
    """A number without trailing noise, machine style: ``3``, ``2.5``, ``0.3333``."""
    text = f"{round_points(x):.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def fmt_local(x: float, lang: str) -> str:
    """:func:`fmt_points` with the language's decimal separator (``2,5`` in Spanish)."""
    return fmt_points(x).replace(".", t("report.decimal_sep", lang))


def check_name(check: CheckResult) -> str:
    """The check's own name: ``echo_prefix`` for ``lab9.tcp_server.echo_prefix``."""
    prefix = check.task + "."
    return check.id[len(prefix):] if check.id.startswith(prefix) else check.id


def task_file(task: str) -> str:
    """The student file a task grades: ``lab9.tcp_server`` -> ``lab9/tcp_server.py``."""
    return task.replace(".", "/") + ".py"


def task_title(task: str, lang: str) -> str:
    """The task's human title from the catalogue (``task.<id>``), else its id."""
    key = f"task.{task}"
    return t(key, lang) if has(key, lang) else task


def counts_as_passed(check: CheckResult) -> bool:
    """Pass/fail for platforms without ``error``/``skipped``: a skip passes when it cost nothing."""
    if check.status == "passed":
        return True
    return check.status == "skipped" and check.score >= check.max_score


def check_text(check: CheckResult, lang: str) -> str:
    """A check's message for a platform (UTF-8 written as ``\\xNN`` escapes shown as letters);
    a harness error adds that it is not the student's."""
    from harness.report.text import decode_escapes

    message = decode_escapes(check.message)
    if check.status == "error":
        note = t("report.error_note", lang)
        return f"{message}\n{note}" if message else note
    return message


def problem_line(file: str, line: int | None, message: str) -> str:
    """``file:line: message`` (``file: message`` when the line is unknown)."""
    return f"{file}:{line}: {message}" if line else f"{file}: {message}"
