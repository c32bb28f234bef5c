"""Grades into Moodle and Canvas: Moodle's folder names read, its grading worksheet filled in
its own shape and imported the way Moodle's importer reads it, a gradebook CSV, a Canvas
import file."""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import pytest

from harness.batch import BatchResult, Entry, discover
from harness.errors import UsageError
from harness.platforms import write_platform_exports
from harness.platforms.moodle import parse_folder, platform_names, record_id
from harness.results import SubmissionResult
from tests.conftest import check, make_result

# The header texts of Moodle's worksheet download (mod/assign gradingtable, lang packs en/es)
HEADERS = {
    "en": ["Identifier", "Full name", "Email address", "Status", "Grade", "Maximum Grade",
           "Grade can be changed", "Last modified (submission)", "Last modified (grade)",
           "Feedback comments"],
    "es": ["Identificador", "Nombre completo", "Dirección de correo", "Estado", "Calificación",
           "Calificación máxima", "La calificación puede ser cambiada",
           "Última modificación (entrega)", "Última modificación (calificación)",
           "Comentarios de retroalimentación"],
}
# What Moodle's importer looks for, per language (get_string in the en and es packs)
STRINGS = {
    "en": {"grade": "Grade", "recordid": "Identifier",
           "lastmodifiedgrade": "Last modified (grade)", "hiddenuser": "Participant ",
           "comments": "Feedback comments", "decsep": "."},
    "es": {"grade": "Calificación", "recordid": "Identificador",
           "lastmodifiedgrade": "Última modificación (calificación)",
           "hiddenuser": "Participante", "comments": "Comentarios de retroalimentación",
           "decsep": ","},
}
PEOPLE = [("101", "Ana Pérez", "ana@uni.bo"), ("102", "Beto Ñandú", "beto@uni.bo"),
          ("103", "Carla Gómez", "carla@uni.bo")]  # Carla did not submit


def worksheet(lang: str, max_grade: str) -> list[list[str]]:
    prefix = STRINGS[lang]["hiddenuser"]
    status = "Submitted for grading" if lang == "en" else "Enviado para calificar"
    return [HEADERS[lang]] + [
        [f"{prefix}{pid}", name, mail, status, "", max_grade, "Yes" if lang == "en" else "Sí",
         "Monday, 2 March 2026, 10:00 AM", "-", ""] for pid, name, mail in PEOPLE]


def to_bytes(rows: list[list[str]], sep: str, bom: bool, newline: str) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, delimiter=sep, lineterminator=newline).writerows(rows)
    return (codecs.BOM_UTF8 if bom else b"") + buf.getvalue().encode("utf-8")


def unformat_float(text: str, decsep: str) -> float | None:
    """Moodle's lib/moodlelib.php unformat_float(): the locale's decimal separator becomes
    a point, spaces go, an empty cell is no grade."""
    text = text.strip().replace(" ", "")
    if text == "":
        return None
    return float(text.replace(decsep, "."))


def moodle_import(data: bytes, *, lang: str, sep: str, uniqueids: set[str],
                  max_grade: float) -> dict[str, tuple[float, str]]:
    """Moodle's assignfeedback_offline importer, re-implemented: csv_import_reader (the BOM
    trimmed, the encoding and separator the teacher picks in the upload form), columns found
    by exact header text, the id as what follows ``hiddenuser``, and process_import_grades'
    skip rules. Returns ``{participant id: (grade, feedback)}`` of the rows it would save."""
    s = STRINGS[lang]
    text = data.decode("utf-8")
    text = text.removeprefix("\ufeff")  # core_text::trim_utf8_bom
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    columns = rows[0]
    gradeindex = idindex = modifiedindex = -1
    feedbackindex = None
    for index, column in enumerate(columns):
        if column == s["comments"]:
            feedbackindex = index
        if column == s["grade"]:
            gradeindex = index
        if column == s["recordid"]:
            idindex = index
        if column == s["lastmodifiedgrade"]:
            modifiedindex = index
    assert min(idindex, gradeindex, modifiedindex) >= 0, "invalidgradeimport"
    saved = {}
    for record in rows[1:]:
        unique = record[idindex][len(s["hiddenuser"]):].strip()
        if unique not in uniqueids:
            continue
        grade = unformat_float(record[gradeindex], s["decsep"])
        if grade is None or grade < 0 or grade > max_grade:  # skipped
            continue
        feedback = record[feedbackindex] if feedbackindex else ""  # !empty($details['index'])
        saved[unique] = (grade, feedback)
    return saved


def results() -> dict[str, SubmissionResult]:
    ana = make_result([check("lab9.tcp_server", "starts", "passed", 1, 1, title="Arranca"),
                       check("lab9.tcp_server", "echo_prefix", "failed", 0, 2,
                             title="Responde «Resp: » + datos")], submission="Ana Pérez")
    beto = make_result([check("lab9.tcp_server", "starts", "passed", 1, 1),
                        check("lab9.tcp_server", "echo_prefix", "passed", 2, 2),
                        check("lab9.tcp_server", "secret", "failed", 0, 1,
                              visibility="hidden", title="SECRETA")],
                       submission="Beto Ñandú")
    return {"Ana Pérez": ana, "Beto Ñandú": beto}


def batch(out: Path) -> BatchResult:
    res = results()
    entries = [Entry(name, f"{name}_{pid}_assignsubmission_file_", "graded",
                     score=res[name].score, max_score=res[name].max_score)
               for pid, name, _ in PEOPLE[:2]]
    return BatchResult(out=out, entries=entries, results=res, settings={"lang": "es"})


@pytest.mark.parametrize("case", [
    ("es", ";", True, "\r\n", "10,00", 10.0),  # saved again by a spreadsheet in Spanish
    ("en", ",", False, "\n", "100.00", 100.0),  # as Moodle downloads it
], ids=["es", "en"])
def test_worksheet_round_trip(tmp_path: Path, case: tuple[str, str, bool, str, str, float]
                              ) -> None:
    lang, sep, bom, newline, max_grade, max_value = case
    sheet = tmp_path / "Calificaciones.csv"
    original = to_bytes(worksheet(lang, max_grade), sep, bom, newline)
    sheet.write_bytes(original)
    written = write_platform_exports(batch(tmp_path / "out"), moodle_worksheet=sheet, lang=lang)
    out = tmp_path / "out" / "moodle-worksheet.csv"
    assert written.paths == [out] and sheet.read_bytes() == original  # input left alone
    data = out.read_bytes()
    assert data.startswith(codecs.BOM_UTF8) == bom
    assert (b"\r\n" in data) == (newline == "\r\n")
    saved = moodle_import(data, lang=lang, sep=sep, uniqueids={"101", "102", "103"},
                          max_grade=max_value)
    # Ana: 1 of 3 points; Beto: 3 of 4 (the hidden check counts for the instructor's grade)
    assert set(saved) == {"101", "102"}  # Carla's row kept without a grade
    assert saved["101"][0] == pytest.approx(round(max_value / 3, 2))
    assert saved["102"][0] == pytest.approx(max_value * 3 / 4)
    word = "Nota" if lang == "es" else "Grade"
    assert saved["101"][1].startswith(word) and "Responde «Resp: » + datos" in saved["101"][1]
    assert "SECRETA" not in saved["102"][1]  # a hidden check is counted, never named
    beto = saved["102"][1]
    if lang == "es":
        assert "Comprobaciones ocultas sin superar: 1" in beto and "3 de 4 puntos" in beto
    else:
        assert "Hidden checks not passed: 1" in beto and "3 of 4 points" in beto
    # every other cell, the header and the column order as they came
    before = list(csv.reader(io.StringIO(original.decode("utf-8-sig"), newline=""),
                             delimiter=sep))
    after = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=sep))
    assert after[0] == before[0] and len(after) == len(before)
    for old, new in zip(before[1:], after[1:], strict=True):
        changed = {i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b}
        assert changed <= {4, 9}
    assert after[3] == before[3]  # no submission: untouched
    assert written.notes and "2" in written.notes[0]
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert 'href="moodle-worksheet.csv"' in index


def test_a_file_that_is_not_the_worksheet_is_a_usage_error(tmp_path: Path) -> None:
    sheet = tmp_path / "otra.csv"
    sheet.write_text("Nombre,Nota\nAna,5\n", encoding="utf-8")
    with pytest.raises(UsageError, match="Download grading worksheet"):
        write_platform_exports(batch(tmp_path / "out"), moodle_worksheet=sheet)


def test_moodle_folder_names() -> None:
    ana = parse_folder("Ana Pérez_101_assignsubmission_file_")
    assert ana is not None and (ana.full_name, ana.id) == ("Ana Pérez", "101")
    assert parse_folder("ana-perez") is None
    names = platform_names(["Ana Pérez_101_assignsubmission_file_",
                            "Juan Ríos_7_assignsubmission_file_",
                            "Juan Ríos_8_assignsubmission_file_", "plain"])
    assert names == {"Ana Pérez_101_assignsubmission_file_": "Ana Pérez",
                     "Juan Ríos_7_assignsubmission_file_": "Juan Ríos (7)",
                     "Juan Ríos_8_assignsubmission_file_": "Juan Ríos (8)", "plain": "plain"}
    assert record_id("Participant 101") == "101" and record_id("Participante101") == "101"
    assert record_id("Ana") is None


def test_batch_discovers_a_moodle_download_by_participant_name(tmp_path: Path) -> None:
    for folder in ("Ana Pérez_101_assignsubmission_file_", "Participant_5_assignsubmission_file_",
                   "Participant_6_assignsubmission_file_", "otro"):
        (tmp_path / folder).mkdir()
    found = {s.name: s.path.name for s in discover(tmp_path)}
    assert found == {"Ana Pérez": "Ana Pérez_101_assignsubmission_file_",
                     "Participant (5)": "Participant_5_assignsubmission_file_",
                     "Participant (6)": "Participant_6_assignsubmission_file_", "otro": "otro"}


def test_gradebook_csv_by_email_with_semicolons(tmp_path: Path) -> None:
    sheet = tmp_path / "worksheet.csv"
    sheet.write_bytes(to_bytes(worksheet("es", "10,00"), ",", False, "\n"))
    written = write_platform_exports(batch(tmp_path / "out"), moodle_worksheet=sheet,
                                     moodle_gradebook="email", csv_sep=";", assignment="Lab 9")
    out = tmp_path / "out" / "moodle-gradebook.csv"
    assert out in written.paths
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8")), delimiter=";"))
    assert rows[0] == ["Dirección de correo", "Lab 9", "Lab 9 (retroalimentación)"]
    grades = {r[0]: r[1] for r in rows[1:]}
    assert grades == {"ana@uni.bo": "1", "beto@uni.bo": "3"}  # points, decimal point
    with pytest.raises(UsageError, match="--moodle-roster"):
        write_platform_exports(batch(tmp_path / "out2"), moodle_gradebook="email")


def test_canvas_import_keeps_the_five_leading_columns(tmp_path: Path) -> None:
    export = tmp_path / "canvas-export.csv"
    export.write_text(
        "Student,ID,SIS User ID,SIS Login ID,Section,Lab 9 (4411),Current Score\n"
        "    Points Possible,,,,,10,(read only)\n"
        "\"Pérez, Ana\",31,A-1,aperez,Sección 1,,\n"
        "\"Ñandú, Beto\",32,A-2,bnandu,Sección 1,,\n"
        "\"Solo, Han\",33,A-3,hsolo,Sección 2,,\n", encoding="utf-8")
    write_platform_exports(batch(tmp_path / "out"), canvas=export, assignment="Lab 9")
    rows = list(csv.reader(io.StringIO(
        (tmp_path / "out" / "canvas.csv").read_text(encoding="utf-8"))))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Lab 9 (4411)"]
    assert rows[1][0].strip() == "Points Possible"
    assert rows[2:] == [["Pérez, Ana", "31", "A-1", "aperez", "Sección 1", "1"],
                        ["Ñandú, Beto", "32", "A-2", "bnandu", "Sección 1", "3"]]


def test_cli_batch_has_the_platform_options() -> None:
    from harness.cli import build_parser

    args = build_parser().parse_args(["batch", "subs", "--moodle-worksheet", "w.csv",
                                      "--moodle-gradebook", "username", "--canvas", "c.csv",
                                      "--csv-sep", ";"])
    assert (args.moodle_worksheet, args.moodle_gradebook, args.canvas, args.csv_sep) == (
        Path("w.csv"), "username", Path("c.csv"), ";")
