"""Moodle: its "Download all submissions" folders in, its grading worksheet and a gradebook
CSV out.

What Moodle does, from its source (moodle/moodle; cited so a reader can check):

* ``mod/assign/locallib.php``, ``assign::download_submissions()``: each participant's folder
  is ``clean_filename(str_replace('_', ' ', $groupname . fullname($student)) . '_' .
  get_uniqueid_for_user($userid))`` followed by ``'_' . $plugin->get_subtype() . '_' .
  $plugin->get_type() . '_'``, i.e. ``Ana Pérez_101_assignsubmission_file_``; with blind
  marking the name is ``get_string('participant', 'assign')`` (``Participant`` /
  ``Participante``), with group submissions ``<group>-`` comes first.
* ``mod/assign/feedback/offline/importgradeslib.php``,
  ``assignfeedback_offline_grade_importer::init()``: the uploaded worksheet's columns are found
  by *exact* header text in the uploader's language: ``get_string('grade')`` (``Grade`` /
  ``Calificación``), ``get_string('recordid', 'assign')`` (``Identifier`` /
  ``Identificador``) and ``get_string('lastmodifiedgrade', 'assign')`` (``Last modified
  (grade)`` / ``Última modificación (calificación)``) must all be there, or the import is
  refused (``invalidgradeimport``). Feedback columns are matched by each enabled feedback
  plugin's editor field description: for comments, ``get_string('pluginname',
  'assignfeedback_comments')`` (``Feedback comments`` / ``Comentarios de retroalimentación``).
* ``next()``: the participant is ``substr($idstr, strlen(get_string('hiddenuser',
  'assign')))`` of the identifier cell (``Participant 101``; the Spanish pack's
  ``hiddenuser`` is ``Participante``), looked up by that unique id.
* ``mod/assign/feedback/offline/locallib.php``, ``process_import_grades()``: the grade goes
  through ``unformat_float()`` (a decimal point is always understood), is skipped when empty,
  negative, above the assignment's maximum, unchanged, or when Moodle's own grade is newer than
  the sheet's ``Last modified (grade)`` (unless "ignore modified" is ticked). The upload form
  asks for the file's encoding and separator.

So the worksheet is filled in place: the grade (scaled to the sheet's ``Maximum Grade``) and a
short feedback text per participant we graded; every other cell, the column order and names,
the separator, the encoding and its byte-order mark stay as they came.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from harness.errors import UsageError
from harness.i18n import t
from harness.platforms.csvfile import Sheet, number, read_sheet
from harness.report.common import counts_as_passed, fmt_local, selected_checks, totals
from harness.results import SubmissionResult

# Header texts, English and Spanish language packs (see the module docstring for the keys).
RECORD_ID = ("Identifier", "Identificador")
GRADE = ("Grade", "Calificación")
LAST_MODIFIED_GRADE = ("Last modified (grade)", "Última modificación (calificación)")
FEEDBACK_COMMENTS = ("Feedback comments", "Comentarios de retroalimentación")
MAX_GRADE = ("Maximum Grade", "Maximum grade", "Calificación máxima")
FULL_NAME = ("Full name", "Nombre completo")
EMAIL = ("Email address", "Dirección de correo", "Dirección Email", "Correo electrónico")
HIDDEN_USER = ("Participant ", "Participant", "Participante ", "Participante")
"""``get_string('hiddenuser', 'assign')`` in the packs (English has a trailing space)."""

FOLDER = re.compile(r"^(?P<name>.+)_(?P<id>\d+)_(?P<plugin>assign(?:submission|feedback)_[a-z]+)"
                    r"_?(?:\.zip)?$")
FEEDBACK_LIMIT = 8
"""Failed checks named in a feedback text; more are counted."""


@dataclass
class Participant:
    """One folder of a Moodle "Download all submissions" archive."""

    full_name: str
    id: str
    """Moodle's unique id for the participant in this assignment (``Participant <id>``)."""


def parse_folder(name: str) -> Participant | None:
    """``Ana Pérez_101_assignsubmission_file_`` -> ``Participant("Ana Pérez", "101")``;
    None for a name that is not Moodle's."""
    m = FOLDER.match(name)
    if not m:
        return None
    return Participant(m.group("name").strip(), m.group("id"))


def platform_names(names: list[str]) -> dict[str, str]:
    """The name to show for each submission folder: a Moodle folder becomes the participant's
    full name; ``Ana Pérez (101)`` when two would share a name (or with blind marking)."""
    parsed = {n: parse_folder(n) for n in names}
    wanted = {n: p.full_name if p else n for n, p in parsed.items()}
    seen: dict[str, int] = {}
    for name in wanted.values():
        seen[name] = seen.get(name, 0) + 1
    out = {}
    for n, p in parsed.items():
        shown = wanted[n]
        out[n] = f"{shown} ({p.id})" if p and seen[shown] > 1 else shown
    return out


def participant_id(source: str) -> str | None:
    """The participant id of a submission, from the folder or archive it came from."""
    p = parse_folder(source)
    return p.id if p else None


def record_id(cell: str) -> str | None:
    """The unique id in an identifier cell, as Moodle's importer reads it (``Participant 101``,
    ``Participante101``): what follows the ``hiddenuser`` text."""
    for prefix in sorted(HIDDEN_USER, key=len, reverse=True):
        if cell.startswith(prefix) and cell[len(prefix):].strip().isdigit():
            return cell[len(prefix):].strip()
    return None


def feedback_text(result: SubmissionResult, lang: str) -> str:
    """A short feedback for the platform: the total (the grade given, hidden checks
    included) and what to fix first (hidden checks only counted, never named)."""
    score, max_score = totals(result)
    pct = fmt_local(round(100 * score / max_score, 1) if max_score else 0.0, lang)
    lines = [t("report.platform.total", lang, score=fmt_local(score, lang),
               max=fmt_local(max_score, lang), pct=pct)]
    failed = [c for c in selected_checks(result, visible_only=True) if not counts_as_passed(c)]
    if result.problems:
        lines.append(t("report.platform.problems", lang, n=len(result.problems)))
    if failed:
        names = [c.title or c.id for c in failed[:FEEDBACK_LIMIT]]
        more = len(failed) - len(names)
        text = "; ".join(names) + (t("report.platform.more", lang, n=more) if more else "")
        lines.append(t("report.platform.failed", lang, checks=text))
        lines.append(t("report.platform.see_report", lang))
    hidden = sum(not counts_as_passed(c) for c in result.checks if c.visibility == "hidden")
    if hidden:
        lines.append(t("report.platform.hidden_failed", lang, n=hidden))
    if not failed and not hidden:
        lines.append(t("report.platform.all_passed", lang))
    return " ".join(lines)


def platform_grade(result: SubmissionResult, scale_to: float | None) -> float:
    """The instructor's total (hidden checks included), scaled to ``scale_to`` points."""
    score, max_score = totals(result)
    if scale_to is None:
        return score
    return scale_to * score / max_score if max_score else 0.0


@dataclass
class FillSummary:
    """What filling a worksheet did."""

    filled: list[str] = field(default_factory=list)
    """Participant ids given a grade."""
    not_in_sheet: list[str] = field(default_factory=list)
    """Graded submissions whose participant has no row in the sheet."""
    not_graded: list[str] = field(default_factory=list)
    """Rows of the sheet with no graded submission (left as they were)."""
    feedback_column: bool = True


def _parse_float(text: str) -> float | None:
    try:
        return float(text.strip().replace(",", "."))
    except ValueError:
        return None


def fill_worksheet(sheet_path: Path, results: dict[str, SubmissionResult], out: Path, *,
                   lang: str) -> FillSummary:
    """Fill Moodle's offline grading worksheet ``sheet_path`` with ``results`` (by participant
    id) and write it to ``out`` in the same shape; the input file is never rewritten."""
    if out.resolve() == sheet_path.resolve():
        raise UsageError(f"the filled worksheet would overwrite {sheet_path}; write it "
                         "elsewhere (it goes to the batch's output folder)")
    sheet = read_sheet(sheet_path, what="--moodle-worksheet")
    id_col, grade_col = sheet.column(*RECORD_ID), sheet.column(*GRADE)
    if id_col is None or grade_col is None:
        raise UsageError(
            f"{sheet_path} from --moodle-worksheet is not Moodle's grading worksheet: it has "
            f"no {'/'.join(RECORD_ID)} or {'/'.join(GRADE)} column; download it in the "
            "assignment: View all submissions > Grading action > Download grading worksheet")
    feedback_col = sheet.column(*FEEDBACK_COMMENTS)
    max_col = sheet.column(*MAX_GRADE)
    summary = FillSummary(feedback_column=feedback_col is not None)
    seen: set[str] = set()
    for row in sheet.rows:
        pid = record_id(sheet.cell(row, id_col))
        if pid is None:
            continue
        seen.add(pid)
        result = results.get(pid)
        if result is None:
            summary.not_graded.append(pid)
            continue
        scale_to = _parse_float(sheet.cell(row, max_col)) if max_col is not None else None
        sheet.set(row, grade_col, number(platform_grade(result, scale_to)))
        if feedback_col is not None:
            sheet.set(row, feedback_col, feedback_text(result, lang))
        summary.filled.append(pid)
    summary.not_in_sheet = sorted(set(results) - seen, key=int)
    sheet.write(out)
    return summary


# --------------------------------------------------------------------------- gradebook CSV

ID_KINDS = {
    "email": (EMAIL, {"es": "Dirección de correo", "en": "Email address"}),
    "idnumber": (("ID number", "Número de ID"), {"es": "Número de ID", "en": "ID number"}),
    "username": (("Username", "Nombre de usuario"),
                 {"es": "Nombre de usuario", "en": "Username"}),
}
"""Identifier columns Moodle's gradebook CSV import can map a row to a user by (its
"Identify user by" choice: email address, ID number, username), as the roster names them and
as we name them."""


def fold(text: str) -> str:
    """A name compared without case, accents or extra spaces."""
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return " ".join(plain.casefold().split())


def roster_identifiers(roster: Path, kind: str) -> tuple[dict[str, str], dict[str, str]]:
    """From a Moodle export (the grading worksheet, or a gradebook export): the identifier
    of ``kind`` by participant id (when the file has ``Identifier``) and by folded full name."""
    if kind not in ID_KINDS:
        raise UsageError(f"invalid identifier {kind!r} from --moodle-gradebook; choose one "
                         f"of {', '.join(ID_KINDS)}")
    sheet = read_sheet(roster, what="--moodle-roster")
    col = sheet.column(*ID_KINDS[kind][0])
    if col is None:
        raise UsageError(f"{roster} from --moodle-roster has no {' / '.join(ID_KINDS[kind][0])} "
                         f"column for --moodle-gradebook {kind}; export the participants "
                         "with it from Moodle (or choose another identifier)")
    id_col, name_col = sheet.column(*RECORD_ID), sheet.column(*FULL_NAME)
    first = sheet.column("First name", "Nombre")
    last = sheet.column("Last name", "Surname", "Apellido(s)", "Apellidos")
    by_id: dict[str, str] = {}
    by_name: dict[str, str] = {}
    for row in sheet.rows:
        value = sheet.cell(row, col).strip()
        if not value:
            continue
        pid = record_id(sheet.cell(row, id_col)) if id_col is not None else None
        if pid:
            by_id[pid] = value
        if name_col is not None:
            by_name[fold(sheet.cell(row, name_col))] = value
        elif first is not None and last is not None:
            by_name[fold(f"{sheet.cell(row, first)} {sheet.cell(row, last)}")] = value
    return by_id, by_name


def gradebook_sheet(rows: list[tuple[str, str | None, SubmissionResult]], roster: Path, *,
                    kind: str, assignment: str, lang: str, sep: str) -> tuple[Sheet, list[str]]:
    """One row per graded student: identifier, grade (points), feedback. ``rows`` are
    ``(name, participant id, result)``; returns the sheet and the names not found in the
    roster (left out: Moodle could not place them)."""
    by_id, by_name = roster_identifiers(roster, kind)
    header = [ID_KINDS[kind][1][lang], assignment,
              t("report.platform.feedback_column", lang, assignment=assignment)]
    sheet = Sheet(header=header, sep=sep, newline="\n")
    missing = []
    for name, pid, result in rows:
        ident = (by_id.get(pid) if pid else None) or by_name.get(fold(name))
        if not ident:
            missing.append(name)
            continue
        sheet.rows.append([ident, number(platform_grade(result, None)),
                           feedback_text(result, lang)])
    return sheet, missing
