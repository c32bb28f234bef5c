"""The platform exports agree with results.json and follow the published formats."""

from __future__ import annotations

import base64
import csv
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from harness import exports
from harness.report.common import clean, fmt_points, totals
from harness.results import Problem, SubmissionResult, read_json, write_json
from tests.conftest import check, make_result

# Gradescope autograder specification, results.json format
# (gradescope-autograders.readthedocs.io/en/latest/specs/): every field it defines.
GRADESCOPE_TOP_FIELDS = {
    "score", "execution_time", "output", "output_format", "test_output_format",
    "test_name_format", "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard",
}
GRADESCOPE_TEST_FIELDS = {
    "score", "max_score", "status", "name", "name_format", "number", "output", "output_format",
    "tags", "visibility", "extra_data",
}
GRADESCOPE_TOP_REQUIRED = {"score", "execution_time", "output", "visibility",
                           "stdout_visibility", "tests"}
GRADESCOPE_TEST_REQUIRED = {"score", "max_score", "name", "number", "output", "visibility",
                            "status"}
GRADESCOPE_VISIBILITIES = {"visible", "hidden", "after_due_date", "after_published"}

# GitHub Classroom autograding result, format version 3: what the
# classroom-resources/autograding-*-grader actions emit (base64, step output ``result``) and
# education/autograding-grading-reporter reads (``version``, ``status``, ``max_score``,
# ``tests[].status``/``score``/``message``...).
GITHUB_TOP_FIELDS = {"version", "status", "max_score", "tests"}
GITHUB_TEST_FIELDS = {"name", "status", "score", "max_score", "message", "test_code", "filename",
                      "line_no", "duration", "execution_time"}

HOSTILE = '<script>alert(1)</script> "comillas" & \x1b[31mrojo\x1b[0m \x00 ñandú 🚀 100% a,b:c'




def full_marks() -> SubmissionResult:
    return make_result([
        check("lab9.tcp_server", "starts", "passed", 2, 2, title="Arranca"),
        check("lab9.tcp_server", "echo_prefix", "passed", 3, 3, message="Respuesta correcta."),
        check("lab9.udp_time_server", "drop_rate", "passed", 2.5, 2.5),
        check("recipes.r03_ipv4_convert", "to_hex", "passed", 1.5, 1.5),
    ], submission="reference")


def mixed() -> SubmissionResult:
    return make_result([
        check("lab9.tcp_server", "starts", "passed", 2, 2, title="Arranca", duration_s=0.31),
        check("lab9.tcp_server", "echo_prefix", "failed", 0, 3, title=HOSTILE,
              message=f"Se envió b'hola' y llegó {HOSTILE}\nSe esperaba b'Resp: hola'",
              evidence={"exchanges": [{"dir": "sent", "peer": "127.0.0.1:1", "data": "hola"}],
                        "expected": "Resp: hola"}),
        check("lab9.tcp_server", "utf8_payload", "passed", 1.5, 1.5),
        check("lab9.udp_time_server", "drops_random", "failed", 0, 2, visibility="hidden",
              message="SECRETO-OCULTO: patrón periódico"),
        check("lab9.udp_time_server", "logs_discards", "error", 0, 1,
              message="fallo interno", traceback=f"Traceback (most recent call last):\n{HOSTILE}"),
        check("lab9.head_client", "request_line", "skipped", 0, 1, message="no aplica"),
        check("lab9.head_client", "host_header", "passed", 0.5, 0.5, visibility="hidden"),
        check("recipes.r03_ipv4_convert", "to_hex", "passed", 0.1, 0.1),
        check("recipes.r03_ipv4_convert", "from_packed", "passed", 0.2, 0.2),
    ], problems=[Problem("lab9/tcp_client.py", 7, f"SyntaxError: {HOSTILE}")])


RESULTS = {"full": full_marks, "mixed": mixed}


def visible_totals(result: SubmissionResult) -> tuple[float, float]:
    visible = [c for c in result.checks if c.visibility != "hidden"]
    return sum(c.score for c in visible), sum(c.max_score for c in visible)


@pytest.mark.parametrize("visible_only", [False, True])
@pytest.mark.parametrize("name", sorted(RESULTS))
def test_scores_agree_across_formats(name: str, visible_only: bool, tmp_path: Path) -> None:
    result = RESULTS[name]()
    roundtrip = read_json(write_json(result, tmp_path / "results.json"))
    if visible_only:
        expected = pytest.approx(visible_totals(result)[0])
        expected_max = pytest.approx(visible_totals(result)[1])
    else:
        expected, expected_max = pytest.approx(roundtrip.score), pytest.approx(roundtrip.max_score)

    gs = exports.to_gradescope(result, visible_only=visible_only)
    assert gs["score"] == expected
    assert sum(t["score"] for t in gs["tests"]) == expected
    assert sum(t["max_score"] for t in gs["tests"]) == expected_max

    gh = exports.to_github_classroom(result, visible_only=visible_only)
    assert sum(t["score"] for t in gh["tests"]) == expected
    assert gh["max_score"] == expected_max

    suite = ET.fromstring(exports.to_junit_xml(result, visible_only=visible_only).encode())
    props = {p.get("name"): p.get("value", "") for p in suite.iter("property")}
    assert float(props["score"]) == expected
    assert float(props["max_score"]) == expected_max

    exports.write_grades_csv([result], tmp_path / "grades.csv", visible_only=visible_only)
    with (tmp_path / "grades.csv").open(encoding="utf-8", newline="") as fh:
        row = next(csv.DictReader(fh))
    assert float(row["total"]) == expected
    assert float(row["max_score"]) == expected_max
    task_columns = [k for k in row if k not in ("submission", "total", "max_score", "status")]
    assert sum(float(row[k]) for k in task_columns) == expected
    assert totals(result, visible_only) == (expected, expected_max)


def test_gradescope_uses_published_fields_only() -> None:
    data = exports.to_gradescope(mixed())
    assert GRADESCOPE_TOP_REQUIRED <= set(data) <= GRADESCOPE_TOP_FIELDS
    assert data["visibility"] in GRADESCOPE_VISIBILITIES
    assert data["stdout_visibility"] in GRADESCOPE_VISIBILITIES
    assert isinstance(data["execution_time"], (int, float))
    for test in data["tests"]:
        assert GRADESCOPE_TEST_REQUIRED <= set(test) <= GRADESCOPE_TEST_FIELDS
        assert test["status"] in ("passed", "failed")
        assert test["visibility"] in GRADESCOPE_VISIBILITIES
    numbers = [t["number"] for t in data["tests"]]
    assert numbers == ["1.1", "1.2", "1.3", "2.1", "2.2", "3.1", "3.2", "4.1", "4.2"]
    json.dumps(data)  # plain JSON


def test_gradescope_statuses_and_visibility() -> None:
    tests = {t["number"]: t for t in exports.to_gradescope(mixed())["tests"]}
    assert tests["1.1"]["status"] == "passed"
    assert tests["1.2"]["status"] == "failed"
    assert tests["2.1"]["visibility"] == exports.GRADESCOPE_HIDDEN == "after_published"
    assert tests["2.2"]["status"] == "failed"  # error: the grader could not judge it
    assert "no se atribuye" in tests["2.2"]["output"]
    assert tests["3.1"]["status"] == "failed"  # a skip that cost a point
    assert "\x00" not in tests["1.2"]["output"] and "\x1b" not in tests["1.2"]["output"]
    assert "lab9/tcp_client.py:7:" in exports.to_gradescope(mixed())["output"]


def test_write_gradescope(tmp_path: Path) -> None:
    path = exports.write_gradescope(mixed(), tmp_path / "gs" / "results.json")
    assert json.loads(path.read_text(encoding="utf-8")) == exports.to_gradescope(mixed())


def test_github_classroom_version_3_fields() -> None:
    data = exports.to_github_classroom(mixed())
    assert set(data) == GITHUB_TOP_FIELDS
    assert data["version"] == 3
    assert data["status"] == "error"  # a check could not be judged
    for test in data["tests"]:
        assert set(test) == GITHUB_TEST_FIELDS
        assert test["status"] in ("pass", "fail", "error")
        assert test["execution_time"].endswith("s")
    by_name = {t["name"]: t for t in data["tests"]}
    assert by_name["lab9.tcp_server.echo_prefix"]["filename"] == "lab9/tcp_server.py"
    assert by_name["lab9.head_client.request_line"]["status"] == "fail"
    assert exports.to_github_classroom(full_marks())["status"] == "pass"


def test_github_outputs_leave_hidden_checks_out() -> None:
    result = mixed()
    hidden = [c.id for c in result.checks if c.visibility == "hidden"]
    payload = json.dumps(exports.to_github_classroom(result), ensure_ascii=False)
    summary = exports.github_summary_markdown(result)
    annotations = "\n".join(exports.github_annotations(result))
    for text in (payload, summary, annotations):
        assert "SECRETO-OCULTO" not in text
        for check_id in hidden:
            assert check_id not in text
            assert check_id.rsplit(".", 1)[1] not in text
    everything = exports.to_github_classroom(result, visible_only=False)
    assert {t["name"] for t in everything["tests"]} >= set(hidden)


def test_github_output_base64_decodes_back(tmp_path: Path) -> None:
    out = tmp_path / "github_output"
    out.write_text("other=1\n", encoding="utf-8")
    exports.write_github_output(mixed(), out)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "other=1" and len(lines) == 2
    key, value = lines[1].split("=", 1)
    assert key == "result"
    decoded = json.loads(base64.b64decode(value, validate=True).decode("utf-8"))
    assert decoded == exports.to_github_classroom(mixed())
    assert any("ñandú 🚀" in t["message"] for t in decoded["tests"])


def test_annotations_are_escaped_workflow_commands() -> None:
    result = mixed()
    result.checks.append(check("lab9.tcp_client", "exits", "failed", 0, 1,
                               message="50% hecho\r\nsegunda línea\nfin"))
    result.problems.append(Problem("lab9/a,b:c.py", None, "roto"))
    lines = exports.github_annotations(result, "en")
    for line in lines:
        assert "\n" not in line and "\r" not in line and "\x00" not in line
        head, _message = line[2:].split("::", 1)
        kind, props = head.split(" ", 1)
        assert kind in ("error", "warning")
        for prop in props.split(","):
            key, value = prop.split("=", 1)
            assert key in ("file", "line", "title") and ":" not in value
    assert ("::error file=lab9/tcp_client.py,title=lab9.tcp_client.exits::"
            "50%25 hecho%0Asegunda línea%0Afin") in lines
    assert "::error file=lab9/a%2Cb%3Ac.py,title=Problems in the files::roto" in lines
    assert lines[0].startswith("::error file=lab9/tcp_client.py,line=7,title=")
    warnings = [x for x in lines if x.startswith("::warning ")]
    assert warnings == [
        "::warning file=lab9/udp_time_server.py,title=lab9.udp_time_server.logs_discards::"
        "fallo interno%0AThe grader could not judge this check; it is not held against the "
        "submission."]


def test_summary_markdown() -> None:
    result = mixed()
    md = exports.github_summary_markdown(result, "en")
    assert "**Total: 3.8 / 8.8 points (43.2%)**" in md
    assert "<script" not in md and "\x1b" not in md and "\x00" not in md
    assert "&lt;script&gt;" in md
    for c in result.checks:
        if c.visibility == "visible":
            assert f"`{c.id.rsplit('.', 1)[1]}`" in md
    rows = [x for x in md.splitlines() if x.startswith("| ")]
    assert rows and all(x.replace("\\|", "").count("|") == 5 for x in rows)
    assert "❌" in md and "⚠️" in md and "⏭️" in md and "✅" in md
    es = exports.github_summary_markdown(result)
    assert "**Total: 3,8 / 8,8 puntos (43,2 %)**" in es
    assert "Servidor de eco TCP" in es


def test_junit_parses_and_counts_match() -> None:
    result = mixed()
    xml = exports.to_junit_xml(result)
    assert "\x00" not in xml and "\x1b" not in xml
    suite = ET.fromstring(xml.encode("utf-8"))
    assert suite.tag == "testsuite" and suite.get("name") == "ana-pérez"
    cases = suite.findall("testcase")
    assert int(suite.get("tests", "-1")) == len(cases) == len(result.checks)
    for attr, tag in (("failures", "failure"), ("errors", "error"), ("skipped", "skipped")):
        assert int(suite.get(attr, "-1")) == len(suite.findall(f"testcase/{tag}"))
    assert [len(suite.findall(f"testcase/{t}")) for t in ("failure", "error", "skipped")] == \
        [2, 1, 1]
    first = cases[1]
    assert (first.get("classname"), first.get("name")) == ("lab9.tcp_server", "echo_prefix")
    failure = first.find("failure")
    assert failure is not None and "<script>" in failure.get("message", "")
    assert "\\x00" in failure.get("message", "")
    error = suite.find("testcase/error")
    assert error is not None and "Traceback" in (error.text or "")
    assert "SyntaxError" in (suite.findtext("system-err") or "")


def test_write_junit(tmp_path: Path) -> None:
    path = exports.write_junit(full_marks(), tmp_path / "junit.xml")
    suite = ET.parse(path).getroot()
    assert suite.get("failures") == suite.get("errors") == suite.get("skipped") == "0"


def test_grades_csv(tmp_path: Path) -> None:
    other = make_result([check("recipes.r01_hostname", "returns_hostname", "passed", 1, 1),
                         check("lab9.tcp_server", "starts", "failed", 0, 2)],
                        submission="=HYPERLINK(1)")
    path = exports.write_grades_csv([mixed(), full_marks(), other], tmp_path / "g" / "grades.csv")
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["submission", "lab9.tcp_server", "lab9.udp_time_server",
                       "lab9.head_client", "recipes.r03_ipv4_convert",
                       "recipes.r01_hostname", "total", "max_score", "status"]
    assert rows[1] == ["ana-pérez", "3.5", "0", "0.5", "0.3", "", "4.3", "11.3", "problems"]
    assert rows[2] == ["reference", "5", "2.5", "", "1.5", "", "9", "9", "graded"]
    assert rows[3] == ["'=HYPERLINK(1)", "0", "", "", "", "1", "1", "3", "graded"]


@pytest.mark.parametrize(("value", "text"), [
    (3.0, "3"), (2.5, "2.5"), (0.1 + 0.2, "0.3"), (-0.0, "0"), (1 / 3, "0.3333"), (100, "100"),
])
def test_fmt_points(value: float, text: str) -> None:
    assert fmt_points(value) == text


def test_clean_keeps_text_and_neutralises_controls() -> None:
    assert clean("a\x1b[31mrojo\x1b[0m b") == "arojo b"
    assert clean("x\x00y\r\nz\rw\t") == "x\\x00y\nz\\rw\t"
    assert clean("ñandú 🚀 «ok»") == "ñandú 🚀 «ok»"
    assert clean("abc\u202edef") == "abc\\u202edef"
    assert clean("\ud800") == "\\ud800"


def test_exports_show_utf8_as_letters() -> None:
    """Issue 11: summary.md (and every export) decodes UTF-8 the checks wrote as escapes."""
    from harness.checks.support import show
    from harness.exports import github_annotations, github_summary_markdown

    result = make_result([check("lab9.tcp_server", "utf8_payload", "failed", 0, 1,
                                message=f"Se envió {show('depuración'.encode())}")])
    summary = github_summary_markdown(result, "es")
    assert "depuración" in summary and "\\xc3" not in summary
    assert any("depuración" in line for line in github_annotations(result, "es"))
