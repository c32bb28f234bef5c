"""Both report versions and the class page as headless Chromium shows them: on a desktop, at
390 px (a phone), and printed to PDF (A4). Built from the full rubric, so the page is as long
as a real one.

Skipped only when no Chromium is installed (``.ci/run`` installs it).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.batch import BatchResult, Entry
from harness.checks.support import excerpt, show
from harness.i18n import has, t
from harness.report import write_report
from harness.report.classpage import write_class_page
from harness.results import CheckResult, SubmissionResult
from harness.rubric import load, task_of
from tests.chromium_cdp import CHROMIUM, OVERFLOW_JS, SKIP_REASON, Browser, pdf_pages

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason=SKIP_REASON)

LINE = "ñandú, canción, depuración → K7"


def full_result(name: str, failing: dict[str, dict[str, object]]) -> SubmissionResult:
    """Every check of the default rubric, passed except ``failing`` (id -> fields)."""
    rules = load(None)
    checks = []
    for cid in rules.checks:
        rule = rules.rule(cid)
        fields = failing.get(cid)
        title = t(f"check.{cid}", "es") if has(f"check.{cid}", "es") else ""
        if fields is None:
            checks.append(CheckResult(cid, task_of(cid), "passed", rule.points, rule.points,
                                      rule.visibility, title, "Correcto."))
        else:
            checks.append(CheckResult(cid, task_of(cid), str(fields.get("status", "failed")),
                                      0.0, rule.points, rule.visibility, title,
                                      str(fields.get("message", "")),
                                      dict(fields.get("evidence", {})),  # type: ignore[call-overload]
                                      traceback=str(fields.get("traceback", ""))))
    return SubmissionResult(
        submission=name, score=sum(c.score for c in checks),
        max_score=sum(c.max_score for c in checks), lang="es",
        isolation="netns+pidns+uid+rlimits", duration_s=14.2, harness_version="0.1.0",
        submission_sha256="ab" * 32, checks=checks, rubric_sha256=rules.sha256,
        graded_at="2026-03-02T14:05:09Z")


ONE_FAILURE = {"lab9.tcp_server.echo_prefix": {
    "message": f"Se envió {show(LINE.encode())}; se recibió {show(b'Res: ' + LINE.encode())}; "
               f"se esperaba {show(b'Resp: ' + LINE.encode())}.",
    "evidence": {"argv": ["lab9/tcp_server.py"],
                 "exchanges": [{"dir": "sent", "peer": "corrector", "data": show(LINE.encode())},
                               {"dir": "received", "peer": "tu programa",
                                "data": show(b"Res: " + LINE.encode())}],
                 "expected": show(b"Resp: " + LINE.encode()),
                 "bound": {"asked": 21567, "real": 40123}}}}

TRACE = ("Traceback (most recent call last):\n" + '  File "lab9/udp_server.py", line 9, in main\n'
         * 120 + "KeyboardInterrupt\n")
MANY = {
    **ONE_FAILURE,
    "lab9.tcp_client.utf8": {
        "message": f"No se imprimió la respuesta: se esperaba ver Resp: {LINE}; la salida termina "
                   f"con {show('Resp: ' + LINE[:4])}.",
        "evidence": {"argv": ["lab9/tcp_client.py"], "stdin": LINE + "\n",
                     "exchanges": [
                         {"dir": "sent", "peer": "tu programa", "data": show(LINE.encode())},
                         {"dir": "received", "peer": "corrector",
                          "data": show(b"Resp: " + LINE.encode())}],
                     "expected": "Resp: " + LINE, "stdout": "> Resp: " + LINE[:4] + "\n",
                     "exit": {"code": 0, "signal": None, "timed_out": False}}},
    "lab9.udp_time_server.drop_rate": {
        "message": "Se respondieron 200 de 200 solicitudes; se esperan entre 70 y 130.",
        "evidence": {"drop": {"n": 200, "replies": 200, "interval": [70, 130], "z": None,
                              "pattern": "1" * 200}}},
    "lab9.udp_server.keeps_serving": {
        "message": "El servidor dejó de responder.",
        "evidence": {"argv": ["lab9/udp_server.py"], "stdout": "", "stderr": excerpt(TRACE),
                     "exit": {"code": 130, "signal": None, "timed_out": False}}},
    "recipes.r07_socket_errors.refused": {
        "status": "error", "message": "fallo interno",
        "traceback": "Traceback (most recent call last):\n  TRAZA-DEL-CORRECTOR\n"},
}


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("browser")
    one = full_result("Ana Pérez", ONE_FAILURE)
    many = full_result("Beto Ñandú", MANY)
    out: dict[str, Path] = {}
    for key, result in (("one", one), ("many", many)):
        instructor = write_report(result, root / "submissions" / result.submission)
        out[f"{key}-instructor"] = instructor
        out[f"{key}-student"] = instructor.with_name("student.html")
    names = ["Ana Pérez", "Beto Ñandú", "Carla Gómez", "Dani Quispe", "Eva Mamani",
             "Fede Choque", "Gabi Condori", "Hugo Flores", "Inés Huanca", "Juan Ríos",
             "Karla Vargas", "Luis Apaza", "María José Fernández de la Quintana"]
    results = {}
    for i, name in enumerate(names):
        failing = dict(list(MANY.items())[: i % 6])
        results[name] = full_result(name, failing)
    entries = [Entry(n, f"{n}_{100 + i}_assignsubmission_file_", "graded",
                     score=results[n].score, max_score=results[n].max_score)
               for i, n in enumerate(names)]
    entries.append(Entry("Zoe", "Zoe.zip", "ungraded", reason="archivo zip inseguro"))
    batch = BatchResult(out=root, entries=entries, results=results,
                        settings={"lang": "es", "harness_version": "0.1.0"})
    (root / "grades.csv").write_text("submission\n", encoding="utf-8")
    out["class"] = write_class_page(batch, root / "index.html")
    return out


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    with Browser(tmp_path_factory.mktemp("profile")) as b:
        yield b


@pytest.mark.parametrize("page", ["one-student", "one-instructor", "many-student",
                                  "many-instructor", "class"])
def test_nothing_overflows_on_a_phone_or_a_desktop(page: str, pages: dict[str, Path],
                                                   browser: Browser, tmp_path: Path) -> None:
    url = pages[page].as_uri()
    for width, mobile in ((1280, False), (390, True)):
        browser.open(url, width, 844, mobile=mobile)
        assert browser.eval(OVERFLOW_JS) == [], (page, width)
        shot = browser.screenshot(tmp_path / f"{page}-{width}.png", height=2400)
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("page", ["one-student", "one-instructor"])
def test_a_report_with_one_failure_prints_on_at_most_four_pages(
        page: str, pages: dict[str, Path], browser: Browser) -> None:
    browser.open(pages[page].as_uri())
    pdf = browser.pdf()
    assert pdf.startswith(b"%PDF") and 1 <= pdf_pages(pdf) <= 4
    browser.page("Emulation.setEmulatedMedia", media="print")
    try:  # the printed line (A4 portrait less the page margins, 703 px) holds everything
        browser.open(pages[page].as_uri(), 703, 1000)
        assert browser.eval(OVERFLOW_JS) == []
    finally:
        browser.page("Emulation.setEmulatedMedia", media="")


def test_failures_come_first_and_text_is_decoded(pages: dict[str, Path],
                                                 browser: Browser) -> None:
    browser.open(pages["many-student"].as_uri())
    tops = browser.eval("""['failures', 'tasks'].map(id => document.getElementById(id)
        .getBoundingClientRect().top).concat([document.querySelector('.check-failed')
        .getBoundingClientRect().top])""")
    assert tops == sorted(tops)
    listed = browser.eval("""Array.from(document.querySelectorAll('#failures li > a'))
        .map(a => a.getAttribute('href'))""")
    assert listed == ["#check-lab9.tcp_server.echo_prefix", "#check-lab9.tcp_client.utf8",
                      "#check-lab9.udp_server.keeps_serving",
                      "#check-lab9.udp_time_server.drop_rate",
                      "#check-recipes.r07_socket_errors.refused"]  # the rubric's order
    # what a student reads: letters, not \xc3 escapes (bytes only behind "Ver como bytes")
    shown = browser.eval("""Array.from(document.querySelectorAll('.msg, .ev pre'))
        .filter(e => !e.closest('details.raw')).map(e => e.innerText).join('\\n')""")
    assert "\\x" not in shown and LINE in shown
    assert "KeyboardInterrupt" in shown  # a traceback shows its end
    assert "TRAZA-DEL-CORRECTOR" not in browser.eval("document.body.innerText")
    # passed checks are collapsed
    assert browser.eval("document.querySelectorAll('details.passed-list[open]').length") == 0
    assert browser.eval("getComputedStyle(document.querySelector('.check-failed pre'))"
                        ".display") != "none"
    browser.open(pages["many-instructor"].as_uri())
    assert "TRAZA-DEL-CORRECTOR" in browser.eval(
        "document.querySelector('details.traceback').textContent")


def test_class_page_sticky_names_search_and_numbers(pages: dict[str, Path],
                                                    browser: Browser) -> None:
    browser.open(pages["class"].as_uri(), 390, 844, mobile=True)
    assert browser.eval("getComputedStyle(document.querySelector('#students-table th.sticky'))"
                        ".position") == "sticky"
    # a name column that stays while the table scrolls sideways
    left = browser.eval("""(() => { const box = document.querySelector('#group-table-recipes')
        .parentElement; box.scrollLeft = 400;
        return document.querySelector('#group-table-recipes tbody th').getBoundingClientRect()
        .left - box.getBoundingClientRect().left; })()""")
    assert abs(left) < 2
    visible = browser.eval("""(() => { const f = document.getElementById('name-filter');
        f.value = 'NANDU'; f.dispatchEvent(new Event('input'));
        return Array.from(document.querySelectorAll('#students-table tbody tr'))
          .filter(r => !r.hidden).map(r => r.dataset.name); })()""")
    assert visible == ["Beto Ñandú"]
    assert browser.eval("document.querySelector('a[href=\"grades.csv\"]') !== null")
    rows = browser.eval("document.querySelectorAll('#chart-data tbody tr').length")
    assert rows == 10
    browser.open(pages["class"].as_uri())
    assert 1 <= pdf_pages(browser.pdf()) <= 8
    # printed (A4 landscape, 10 mm margins: 1047 px of line), no table loses columns
    browser.page("Emulation.setEmulatedMedia", media="print")
    try:
        browser.open(pages["class"].as_uri(), 1047, 700)
        widths = browser.eval("""Array.from(document.querySelectorAll('table'))
            .filter(t => t.offsetParent !== null)
            .map(t => [t.id, t.scrollWidth, t.parentElement.clientWidth])""")
    finally:
        browser.page("Emulation.setEmulatedMedia", media="")
    assert len(widths) >= 4 and all(w <= room for _, w, room in widths), widths
