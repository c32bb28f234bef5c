"""Canvas: a gradebook CSV for its "Import" built from the teacher's own gradebook export.

Canvas imports a CSV whose first five columns are the ones its export starts with,
``Student, ID, SIS User ID, SIS Login ID, Section``, and one column per assignment (its
header ``<name> (<assignment id>)`` as exported, or a new name for a new assignment). The
export's ``Points Possible`` row, when present, is kept. Students are matched to submissions
by a submission named after their login, SIS id or Canvas id, or by the same name words
(``Pérez, Ana`` is ``Ana Pérez``).
"""

from __future__ import annotations

from pathlib import Path

from harness.errors import UsageError
from harness.platforms.csvfile import Sheet, number, read_sheet
from harness.platforms.moodle import fold, platform_grade
from harness.results import SubmissionResult

LEADING = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
POINTS_POSSIBLE = "Points Possible"


def _words(name: str) -> frozenset[str]:
    return frozenset(fold(name.replace(",", " ")).split())


def canvas_sheet(export: Path, results: dict[str, SubmissionResult], *, assignment: str,
                 sep: str) -> tuple[Sheet, list[str]]:
    """The import file: the export's five leading columns, the assignment column filled with
    each matched student's points. Returns it and the submissions no student matched."""
    sheet = read_sheet(export, what="--canvas")
    cols = [sheet.column(name) for name in LEADING]
    if any(c is None for c in cols):
        missing = [n for n, c in zip(LEADING, cols, strict=True) if c is None]
        raise UsageError(f"{export} from --canvas is not a Canvas gradebook export: no "
                         f"{', '.join(missing)} column; export it from Grades > Export")
    existing = next((h for h in sheet.header
                     if h == assignment or h.startswith(assignment + " (")), assignment)
    out = Sheet(header=[*LEADING, existing], sep=sep, newline="\n")
    by_words = {_words(name): name for name in results}
    used: set[str] = set()
    max_score = max((r.max_score for r in results.values()), default=0.0)
    for row in sheet.rows:
        lead = [sheet.cell(row, c) for c in cols]
        if lead[0].strip() == POINTS_POSSIBLE or "Points Possible" in lead[0]:
            out.rows.append([*lead, number(max_score)])
            continue
        name = next((n for n in (lead[3], lead[2], lead[1]) if n and n in results), None)
        name = name or by_words.get(_words(lead[0]))
        if name is None or name in used:
            continue
        used.add(name)
        out.rows.append([*lead, number(platform_grade(results[name], None))])
    return out, sorted(set(results) - used)
