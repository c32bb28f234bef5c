"""The HTML report: escaped, self-contained, well-formed, complete, in both languages."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

import pytest

from harness.i18n import catalogue
from harness.report import evidence_blocks, render_report, write_report
from harness.results import Problem, SubmissionResult
from tests.conftest import check, make_result

HOSTILE = '<script>alert(1)</script> "comillas" & \x1b[31mrojo\x1b[0m \x00 ñandú 🚀 \u202eevil'
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
STATUSES = ("passed", "failed", "error", "skipped")
PREFIXES = {"report.class.status.": ("full", "partial", "zero")}




def mixed(**kw: object) -> SubmissionResult:
    return make_result([
        check("lab9.tcp_server", "starts", "passed", 2, 2, title="Arranca en el puerto 21567"),
        check("lab9.tcp_server", "echo_prefix", "failed", 0, 3, title=HOSTILE,
              message=f"Se envió b'hola' y llegó {HOSTILE}",
              evidence={
                  "exchanges": [
                      {"dir": "sent", "peer": "127.0.0.1:40000", "data": "hola \\xf1"},
                      {"dir": "received", "peer": "127.0.0.1:40000", "data": HOSTILE}],
                  "expected": "Resp: hola \\xf1",
                  "argv": ["python", "tcp_server.py", "http://example.com/a b"],
                  "stdin": "hola\n",
                  "stdout": f"\x1b[1mlínea 1\x1b[0m\r\nlínea 2 {HOSTILE}\n" + "x" * 3000,
                  "stderr": "",
                  HOSTILE: {"nested": [HOSTILE, 1, None]},
              }),
        check("lab9.udp_time_server", "drop_rate", "passed", 3, 3, title="Descarta la mitad",
              evidence={"drop": {"n": 200, "replies": 103, "interval": [70, 130], "z": 0.41,
                                 "pattern": "1011" * 50}}),
        check("lab9.udp_time_server", "drops_random", "failed", 0, 2, visibility="hidden",
              message="SECRETO-OCULTO: patrón periódico"),
        check("lab9.udp_time_server", "logs_discards", "error", 0, 1, message="fallo interno",
              traceback=f"Traceback (most recent call last):\n  TRAZA-INTERNA {HOSTILE}"),
        check("lab9.head_client", "request_line", "skipped", 0, 1, message="no aplica"),
        check("recipes.r03_ipv4_convert", "to_hex", "passed", 1.5, 1.5,
              evidence={"weird": "\ud800 lone surrogate", "count": 3}),
    ], problems=[Problem("lab9/tcp_client.py", 7, f"SyntaxError: {HOSTILE}")], **kw)


class Structure(HTMLParser):
    """Checks that tags nest and close, and records every tag and attribute."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.style = ""
        self.doctype = ""

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1] == "style":
            self.style += data
        else:
            self.text.append(data)


def parse(html: str) -> Structure:
    parser = Structure()
    parser.feed(html)
    parser.close()
    return parser


def test_html_is_well_formed() -> None:
    html = render_report(mixed())
    doc = parse(html)
    assert doc.errors == []
    assert doc.stack == []
    assert doc.doctype.lower() == "doctype html"
    tags = dict(doc.tags)
    assert tags["html"]["lang"] == "es"
    assert ("meta", {"charset": "utf-8"}) in doc.tags
    ids = [a["id"] for _, a in doc.tags if "id" in a]
    assert len(ids) == len(set(ids))


def test_data_is_escaped_never_markup() -> None:
    html = render_report(mixed())
    assert re.search(r"<\s*script", html, re.IGNORECASE) is None
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "\x00" not in html and "\x1b" not in html and "\u202e" not in html
    assert "\\x00" in html and "\\u202e" in html
    assert "ñandú 🚀" in html
    doc = parse(html)
    assert not any(tag == "script" for tag, _ in doc.tags)
    assert not any(name.startswith("on") for _, attrs in doc.tags for name in attrs)


def test_page_is_self_contained() -> None:
    html = render_report(mixed())
    doc = parse(html)
    for tag, attrs in doc.tags:
        assert tag not in ("script", "link", "img", "iframe", "object", "embed")
        for name in ("src", "href", "action", "srcset"):
            value = attrs.get(name)
            assert value is None or value.startswith("#"), (tag, name, value)
        assert "url(" not in (attrs.get("style") or "")
    assert "url(" not in doc.style and "@import" not in doc.style
    assert "http" not in doc.style
    # the only "http" in the page is the student's own argument, as text
    assert html.count("http://") == 1 and "https://" not in html


def test_every_check_appears_with_status_and_points() -> None:
    result = mixed()
    html = render_report(result)
    for c in result.checks:
        assert f'id="check-{c.id}"' in html
    for status in STATUSES:
        assert f'class="badge s-{status}"' in html
    text = " ".join(" ".join(parse(html).text).split())
    assert "superada" in text and "fallida" in text and "omitida" in text
    assert "error del corrector" in text
    assert "6,5 de 13,5 puntos" in text and "48,1 %" in text
    assert "SECRETO-OCULTO" in text and "oculta" in text
    assert "lab9/tcp_client.py:7" in text
    assert "Servidor de eco TCP" in text
    assert "recipes.r03_ipv4_convert" in text


def test_student_report_leaves_hidden_checks_and_tracebacks_out() -> None:
    result = mixed()
    html = render_report(result, show_hidden=False)
    assert "SECRETO-OCULTO" not in html and "drops_random" not in html
    assert "TRAZA-INTERNA" not in html
    assert 'id="check-lab9.udp_time_server.logs_discards"' in html
    assert "6,5 de 11,5 puntos" in html
    instructor = render_report(result)
    assert "TRAZA-INTERNA" in instructor
    details = re.search(r'<details class="traceback">(.*?)</details>', instructor, re.DOTALL)
    assert details and "TRAZA-INTERNA" in details.group(1)
    assert "equipo docente" in details.group(1)


def test_evidence_is_rendered() -> None:
    html = render_report(mixed())
    assert "Envía: 127.0.0.1:40000" in html and "Recibe: 127.0.0.1:40000" in html
    assert "hola \\xf1" in html and "No es texto UTF-8" in html  # not text: bytes shown
    assert "Esperado" in html and "Observado" in html
    assert "python tcp_server.py &#39;http://example.com/a b&#39;" in html
    assert "línea 1\nlínea 2" in html  # ANSI gone, CRLF folded
    assert "■□■■■□■■■□" not in html  # a passed check's evidence is not shown
    failing = make_result([check(
        "lab9.udp_time_server", "drop_rate", "failed", 0, 3,
        evidence={"drop": {"n": 200, "replies": 103, "interval": [70, 130], "z": None,
                           "pattern": "1011" * 50}, "weird": "\ud800 lone surrogate",
                  "odd": {"nested": [1]}})])
    html = render_report(failing)  # the chart also for a failing pattern (no z statistic)
    assert "■□■■■□■■■□" in html and "■ respondida" in html and "□ descartada" in html
    assert "[70, 130]" in html and "103" in html and "&#34;n&#34;" not in html
    assert "\\ud800 lone surrogate" in html
    assert "&#34;nested&#34;" in html or "&quot;nested&quot;" in html


def test_evidence_blocks_order_and_fallbacks() -> None:
    evidence = {"zeta": 1, "stdout": "out", "drop": "not a dict", "argv": "x",
                "expected": "e", "received": "r", "exit": {"code": 1, "signal": None}}
    blocks = evidence_blocks(evidence, "en")
    assert [b.kind for b in blocks] == ["argv", "compare", "output", "table"]
    assert (blocks[1].data["expected"], blocks[1].data["observed"]) == ("e", "r")
    assert [r["key"] for r in blocks[-1].rows] == ["zeta", "drop", "How it ended"]
    assert blocks[-1].rows[-1]["value"] == "exited with status 1"
    student = evidence_blocks(evidence, "en", instructor=False)  # no unlabelled keys
    assert [r["key"] for r in student[-1].rows] == ["How it ended"]


@pytest.mark.parametrize(("lang", "labels"), [
    ("es", ["Informe de calificación", "Qué falló", "Esperado", "Aislamiento", "Tareas"]),
    ("en", ["Grading report", "What failed", "Expected", "Isolation", "Tasks", "TCP echo server",
            "6.5 of 13.5 points", "48.1%"]),
])
def test_both_languages(lang: str, labels: list[str]) -> None:
    html = render_report(mixed(), lang=lang)
    assert f'<html lang="{lang}">' in html
    for label in labels:
        assert label in html
    assert parse(html).errors == []


def test_language_defaults_to_the_result() -> None:
    assert '<html lang="en">' in render_report(mixed(lang="en"))
    assert '<html lang="es">' in render_report(mixed(lang="xx"))


def test_full_marks_and_empty_results() -> None:
    full = make_result([check("lab9.tcp_server", "starts", "passed", 2, 2)])
    html = render_report(full)
    assert "2 de 2 puntos" in html and "100\u00a0%" in html and "width: 100.0%" in html
    empty = render_report(make_result([]))
    assert "No se ejecutó ninguna comprobación." in empty
    assert parse(empty).errors == []


def test_write_report(tmp_path: Path) -> None:
    result = mixed()
    path = write_report(result, tmp_path / "out" / "ana")
    assert path == tmp_path / "out" / "ana" / "report.html"
    assert path.read_text(encoding="utf-8") == render_report(result)
    student = path.with_name("student.html")  # both versions
    assert student.read_text(encoding="utf-8") == render_report(result, show_hidden=False)
    assert not list(path.parent.glob("*.tmp"))


def test_report_catalogues_have_identical_keys() -> None:
    folder = resources.files("harness.i18n")
    es = json.loads(folder.joinpath("es/report.json").read_text(encoding="utf-8"))
    en = json.loads(folder.joinpath("en/report.json").read_text(encoding="utf-8"))
    assert set(es) == set(en)
    assert all(k.startswith(("report.", "task.")) for k in es)
    for key in es:
        fields_es = set(re.findall(r"{(\w+)}", es[key]))
        assert fields_es == set(re.findall(r"{(\w+)}", en[key])), key


def test_every_label_used_exists() -> None:
    root = resources.files("harness")
    sources = [root.joinpath("exports.py"), root.joinpath("report/__init__.py"),
               root.joinpath("report/common.py"), root.joinpath("report/evidence.py"),
               root.joinpath("report/classpage.py"), root.joinpath("platforms/__init__.py"),
               root.joinpath("platforms/moodle.py")]
    sources += [entry for entry in root.joinpath("report/templates").iterdir()]
    keys: set[str] = set()
    for source in sources:
        found = re.findall(r"""["'](report\.[a-z0-9_.]+)["']""", source.read_text("utf-8"))
        keys |= {k for k in found if not k.startswith("report.html")}  # file names
    assert len(keys) > 30
    for lang in ("es", "en"):
        cat = catalogue(lang)
        for key in keys:
            if key.endswith("."):  # a prefix completed with a status
                ends = PREFIXES.get(key, STATUSES)
                assert all(key + s in cat for s in ends), key
            else:
                assert key in cat, (lang, key)


# --------------------------------------------------------------------------- issue 11

def utf8_client() -> SubmissionResult:
    """A client check as the real one records it: wire data escaped by support.show, the
    student's program printing the reply's bytes instead of its text."""
    from harness.checks.support import excerpt, show

    line = "ñandú, canción → x1"
    printed = "> b'Resp: " + repr(line.encode())[2:-1] + "'\n"
    trace = "Traceback (most recent call last):\n" + "  File \"x.py\", line 3, in f\n" * 200 \
        + "KeyboardInterrupt\n"
    return make_result([
        check("lab9.tcp_client", "sends_input", "passed", 1, 1, title="Envía la línea"),
        check("lab9.tcp_client", "utf8", "failed", 0, 1, title="Texto UTF-8",
              message=f"se esperaba ver Resp: {line}; la salida termina con {show(printed)}. "
                      f"Se envió {show(line.encode())}",
              evidence={"argv": ["lab9/tcp_client.py"], "stdin": line + "\n",
                        "exchanges": [
                            {"dir": "sent", "peer": "tu programa", "data": show(line.encode())},
                            {"dir": "received", "peer": "corrector",
                             "data": show(b"Resp: " + line.encode())}],
                        "expected": show(line.encode()), "stdout": printed,
                        "stderr": excerpt(trace),
                        "exit": {"code": 130, "signal": None, "timed_out": False},
                        "bound": {"asked": 21567, "real": 40001}, "time_wait": [],
                        "internal_bookkeeping": 7}),
        check("lab9.tcp_server", "hidden_one", "failed", 0, 2, visibility="hidden",
              message="OCULTA-DETALLE"),
        check("lab9.tcp_server", "oops", "error", 0, 1, message="fallo interno",
              traceback="Traceback: TRAZA-DEL-CORRECTOR"),
    ], graded_at="2026-03-02T14:05:09Z", only=["lab9.tcp_client", "lab9.tcp_server"])


def test_utf8_is_shown_as_text_not_escapes() -> None:
    html = render_report(utf8_client())
    # bytes only on request (a closed "show as bytes"), and where the program printed them
    text = " ".join(parse(re.sub(r'<details class="raw">.*?</details>', "", html,
                                 flags=re.S)).text)
    assert '<details class="raw"><summary>Ver como bytes' in html
    printed = "b'Resp: " + repr("ñandú, canción → x1".encode())[2:-1] + "'"
    assert "\\x" not in text.replace(printed, "")  # escapes only where the program printed them
    assert "Se envió ñandú, canción → x1" in text  # the message's escapes decoded
    assert "ñandú, canción → x1" in html.split('id="check-lab9.tcp_client.utf8"')[1]
    # what the program printed is shown as it printed it: a bytes repr, one backslash
    assert "b&#39;Resp: \\xc3\\xb1and\\xc3\\xba" in html
    assert "\\\\xc3" not in html


def test_failures_come_first_with_a_command_to_repeat_them() -> None:
    html = render_report(utf8_client(), show_hidden=False)
    first = html.index('id="failures"')
    assert first < html.index('id="tasks"') < html.index('id="check-lab9.tcp_client.utf8"')
    failures = html[first:html.index('id="tasks"')]
    assert re.findall(r'href="#check-([^"]+)"', failures) == [
        "lab9.tcp_client.utf8", "lab9.tcp_server.oops"]
    assert "labgrade check . --only lab9.tcp_client.utf8" in failures
    assert 'class="task-failed"' in html  # the task table highlights failed tasks
    # passing checks collapsed: one line in a closed list, no evidence
    passed = re.search(r'<details class="passed-list">(.*?)</details>', html, re.S)
    assert passed and 'id="check-lab9.tcp_client.sends_input"' in passed.group(1)
    assert "Qué falló" in html and "Superadas: 1" in html


def test_observed_is_the_programs_side_and_facts_are_in_words() -> None:
    blocks = evidence_blocks(utf8_client().checks[1].evidence, "es", instructor=False)
    compare = next(b for b in blocks if b.kind == "compare")
    assert compare.data["observed_label"] == "Observado (salida de tu programa)"
    assert compare.data["observed"].startswith("> b'Resp: ")
    assert compare.data["expected"] == "ñandú, canción → x1"
    facts = {r["key"]: r["value"] for r in blocks[-1].rows}
    assert facts["Cómo terminó"].startswith("seguía en marcha; el corrector lo detuvo con Ctrl+C")
    assert facts["Puerto"] == "pidió el puerto 21567; el corrector le dio el 40001"
    assert facts["Conexiones en TIME_WAIT"] == "ninguno"
    assert not any("internal_bookkeeping" in k or "{" in v for k, v in facts.items())
    english = evidence_blocks(utf8_client().checks[1].evidence, "en", instructor=False)
    assert "How it ended" in {r["key"] for r in english[-1].rows}


def test_cut_output_says_so_and_a_traceback_keeps_its_end() -> None:
    html = render_report(utf8_client())
    assert "KeyboardInterrupt" in html  # the end of the program's own traceback
    assert re.search(r"Cortado: faltan \d+ caracteres más\.", html)
    assert "líneas omitidas" not in html or "KeyboardInterrupt" in html


def test_student_and_instructor_versions() -> None:
    result = utf8_client()
    student = render_report(result, show_hidden=False)
    instructor = render_report(result)
    assert "OCULTA-DETALLE" not in student and "hidden_one" not in student
    assert "TRAZA-DEL-CORRECTOR" not in student and "internal_bookkeeping" not in student
    assert "OCULTA-DETALLE" in instructor and "TRAZA-DEL-CORRECTOR" in instructor
    assert "internal_bookkeeping" in instructor
    assert "versión del estudiante" in student and "versión del equipo docente" in instructor
    for html in (student, instructor):  # date of grading, the rubric, the --only selection
        assert "2026-03-02, 14:05 UTC" in html
        assert "lab9.tcp_client, lab9.tcp_server" in html and "Rúbrica" in html


def test_one_word_for_the_grader_in_spanish() -> None:
    es = catalogue("es")
    texts = [v for k, v in es.items() if k.startswith("report.")]
    assert not any("evaluador" in v.lower() for v in texts)
    assert es["report.class.notes"] == "Observaciones"
    assert es["report.class.pass_rate"] == "% superadas" and es["class.passed"] == "Superadas"
    assert "Extremo" not in texts


def test_results_without_the_new_fields_still_load() -> None:
    data = make_result([check("lab9.tcp_server", "starts", "passed", 1, 1)]).to_dict()
    del data["graded_at"], data["only"]
    old = SubmissionResult.from_dict(data)
    assert old.graded_at == "" and old.only == []
    assert "Corregido el" not in render_report(old)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ",
                        make_result([]).graded_at)


def test_a_programs_output_is_never_unescaped() -> None:
    """Only wire data the checks escaped is decoded; a printed backslash stays a backslash."""
    blocks = evidence_blocks({"stdout": "C:\\temp\\x41", "argv": ["a.py"]}, "es")
    assert [b.text for b in blocks if b.kind == "output"] == ["C:\\temp\\x41"]


def test_class_median_comes_from_exact_scores(tmp_path: Path) -> None:
    """0/3 and 1/3: the median of the scores is 16.7 %; from rounded percentages it would
    be 16.6 %."""
    from harness.batch import BatchResult, Entry
    from harness.report.classpage import class_view

    results = {name: make_result([check("lab9.tcp_server", "starts", status, pts, 3)],
                                 submission=name)
               for name, status, pts in (("ana", "failed", 0), ("beto", "passed", 1))}
    batch = BatchResult(out=tmp_path, entries=[Entry(n, n, "graded") for n in results],
                        results=results, settings={"lang": "es"})
    view = class_view(batch, "es")
    assert view["median"] == 16.7
    assert [(t.id, round(t.mean, 2), t.max_score) for t in view["tasks"]] == [
        ("lab9.tcp_server", 0.5, 3)]


def test_the_same_crash_is_shown_once_per_task() -> None:
    crash = "Traceback (most recent call last):\n  File \"a.py\", line 1\nNotImplementedError: x\n"
    result = make_result([check("lab9.tcp_client", name, "failed", 0, 1, title=name.upper(),
                                evidence={"stderr": crash, "argv": ["a.py"]})
                          for name in ("sends_input", "prints_reply", "exits")])
    html = render_report(result)
    assert html.count("NotImplementedError: x") == 1
    assert html.count('La misma que en <a href="#check-lab9.tcp_client.sends_input">') == 2


def test_a_spanish_result_in_an_english_report_names_the_peers_in_english() -> None:
    ev = {"exchanges": [{"dir": "sent", "peer": "corrector", "data": "hola"},
                        {"dir": "received", "peer": "tu programa", "data": "Res: hola"}],
          "expected": "Resp: hola"}
    blocks = evidence_blocks(ev, "en")
    assert [r["label"] for r in blocks[0].rows] == ["Sends: grader", "Replies: your program"]
    assert blocks[1].data["observed"] == "Res: hola"


def test_every_evidence_key_the_checks_note_has_words() -> None:
    """The student's report leaves out evidence keys without a label: every key a check
    notes must have one (or its own block)."""
    root = resources.files("harness").joinpath("checks")
    source = "\n".join(p.read_text("utf-8") for p in Path(str(root)).rglob("*.py"))
    noted = set()
    for call in re.findall(r"note\(([^)]*)", source):
        noted |= set(re.findall(r"(?:^|[\s(,])([a-z_]+)=", call))
    blocks = {"argv", "stdin", "stdout", "stderr", "exchanges", "expected", "observed", "drop",
              "traceback", "received", "returned", "printed", "actual"}
    assert len(noted) > 20
    for lang in ("es", "en"):
        missing = {k for k in noted - blocks if f"report.ev.{k}" not in catalogue(lang)}
        assert missing == set(), (lang, missing)


def test_compiled_templates_are_kept_and_a_damaged_or_read_only_cache_is_harmless(
        tmp_path: Path) -> None:
    """The templates' compiled form is kept beside the package's bytecode; a cache file that
    is damaged, or a folder that cannot be written, only means compiling again."""
    from jinja2 import Environment, PackageLoader

    from harness.report import _TemplateCache

    def render(folder: Path) -> None:
        env = Environment(loader=PackageLoader("harness", "report/templates"),
                          bytecode_cache=_TemplateCache(folder), autoescape=True)
        assert env.get_template("submission.html.j2").name == "submission.html.j2"

    cache = tmp_path / "cache"
    render(cache)
    kept = sorted(cache.iterdir())
    assert kept and all(p.suffix == ".jinja" and p.stat().st_size > 0 for p in kept)
    for p in kept:
        p.write_bytes(b"damaged")
    render(cache)  # compiled again, and the damaged files replaced
    assert all(p.read_bytes() != b"damaged" for p in kept)
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the folder would be", encoding="utf-8")
    render(blocked / "cache")  # cannot be created: no cache, still renders
    assert not (blocked / "cache").exists()
