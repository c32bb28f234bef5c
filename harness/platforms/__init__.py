"""Grades into course platforms: Moodle (worksheet round trip, gradebook CSV) and Canvas.

:func:`write_platform_exports` runs after a batch: it writes the files asked for into the
batch's output folder, redraws the class page so it links to them, and returns what it wrote
with a line for the instructor about anything it could not place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from harness.i18n import t
from harness.platforms.canvas import canvas_sheet
from harness.platforms.csvfile import separator
from harness.platforms.moodle import fill_worksheet, gradebook_sheet, participant_id
from harness.results import SubmissionResult

if TYPE_CHECKING:
    from harness.batch import BatchResult

WORKSHEET_FILE = "moodle-worksheet.csv"
GRADEBOOK_FILE = "moodle-gradebook.csv"
CANVAS_FILE = "canvas.csv"

__all__ = ["CANVAS_FILE", "GRADEBOOK_FILE", "WORKSHEET_FILE", "Written",
           "write_platform_exports"]


@dataclass
class Written:
    """What :func:`write_platform_exports` wrote, and notes for the instructor."""

    paths: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def write_platform_exports(batch: BatchResult, *, moodle_worksheet: Path | None = None,
                           moodle_gradebook: str | None = None,
                           moodle_roster: Path | None = None, canvas: Path | None = None,
                           csv_sep: str = ",", assignment: str = "labgrade",
                           lang: str | None = None) -> Written:
    """The platform files of a batch, in its output folder (see the module docstring).

    ``moodle_worksheet``: Moodle's offline grading worksheet to fill (kept in its own
    shape). ``moodle_gradebook``: ``email``, ``idnumber`` or ``username``, the identifier of
    a gradebook CSV, read from ``moodle_roster`` (default: the worksheet). ``canvas``: the
    teacher's Canvas gradebook export. ``csv_sep`` (``,`` or ``;``) is the separator of the
    files we lay out ourselves (gradebook, Canvas); the worksheet keeps its own.
    """
    lang = lang or batch.settings.get("lang") or "es"
    sep = separator(csv_sep)
    graded = [e for e in batch.graded if e.name in batch.results]
    by_pid: dict[str, SubmissionResult] = {}
    rows: list[tuple[str, str | None, SubmissionResult]] = []
    for e in graded:
        pid = participant_id(e.source)
        if pid:
            by_pid[pid] = batch.results[e.name]
        rows.append((e.name, pid, batch.results[e.name]))
    written = Written()
    if moodle_worksheet is not None:
        out = batch.out / WORKSHEET_FILE
        summary = fill_worksheet(moodle_worksheet, by_pid, out, lang=lang)
        written.paths.append(out)
        written.notes.append(t("report.platform.worksheet_done", lang, n=len(summary.filled),
                               rows=len(summary.filled) + len(summary.not_graded)))
        if summary.not_in_sheet:
            written.notes.append(t("report.platform.not_in_sheet", lang,
                                   ids=", ".join(summary.not_in_sheet)))
        if not summary.feedback_column:
            written.notes.append(t("report.platform.no_feedback_column", lang))
    if moodle_gradebook is not None:
        roster = moodle_roster or moodle_worksheet
        if roster is None:
            from harness.errors import UsageError

            raise UsageError("--moodle-gradebook needs a list of participants with their "
                             "identifiers: give --moodle-roster FILE (a Moodle export) or "
                             "--moodle-worksheet FILE")
        sheet, missing = gradebook_sheet(rows, roster, kind=moodle_gradebook,
                                         assignment=assignment, lang=lang, sep=sep)
        written.paths.append(sheet.write(batch.out / GRADEBOOK_FILE))
        if missing:
            written.notes.append(t("report.platform.not_in_roster", lang,
                                   names=", ".join(missing)))
    if canvas is not None:
        results = {name: result for name, _, result in rows}
        sheet, missing = canvas_sheet(canvas, results, assignment=assignment, sep=sep)
        written.paths.append(sheet.write(batch.out / CANVAS_FILE))
        if missing:
            written.notes.append(t("report.platform.not_in_roster", lang,
                                   names=", ".join(missing)))
    if written.paths:  # the class page links to the files that now exist
        from harness.report.classpage import write_class_page

        write_class_page(batch, batch.out / "index.html")
    return written
