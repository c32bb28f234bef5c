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
    assert "error del evaluador" in text
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
    assert "→ enviado" in html and "← recibido" in html
    assert "hola \\xf1" in html
    assert "Esperado" in html and "Observado" in html
    assert "python tcp_server.py &#39;http://example.com/a b&#39;" in html
    assert "línea 1\nlínea 2" in html  # ANSI gone, CRLF folded
    assert "■□■■■□■■■□" in html and "■ respondida" in html and "□ descartada" in html
    assert "[70, 130]" in html and "0,41" in html and "103" in html
    assert "\\ud800 lone surrogate" in html
    assert "&#34;nested&#34;" in html or "&quot;nested&quot;" in html


def test_evidence_blocks_order_and_fallbacks() -> None:
    blocks = evidence_blocks({"zeta": 1, "stdout": "out", "drop": "not a dict", "argv": "x",
                              "expected": "e", "received": "r"}, "en")
    assert [b.kind for b in blocks] == ["argv", "compare", "output", "table"]
    assert blocks[1].data == {"expected": "e", "observed": "r"}
    assert [r["key"] for r in blocks[-1].rows] == ["zeta", "drop"]


@pytest.mark.parametrize(("lang", "labels"), [
    ("es", ["Informe de calificación", "→ enviado", "Esperado", "Aislamiento", "Tareas"]),
    ("en", ["Grading report", "→ sent", "Expected", "Isolation", "Tasks", "TCP echo server",
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
               root.joinpath("report/common.py")]
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
                assert all(key + s in cat for s in STATUSES), key
            else:
                assert key in cat, (lang, key)
