"""Course packs: loading, lint, declarative exercises, --course, course new/test, and the
seams they need (one --only rule, one totals function, rubric mistakes exit 2)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from harness.checks import BUILTIN, builtin_roots
from harness.errors import UsageError
from harness.packs import builtin, courses
from harness.packs.course import new_pack, prove_pack
from harness.packs.declarative import load as load_exercise
from harness.packs.lint import lint
from harness.packs.model import PackError, load
from harness.packs.templates import TRANSFORMS, Expectation, render
from harness.points import round_points, total
from harness.selection import check_selected, matches, task_selected, validate
from harness.templates import reference_dir, template_dir
from tests.conftest import REFERENCE, REPO, TEMPLATE
from tests.test_cli import labgrade

LAB9 = ["lab9.tcp_server.starts", "lab9.udp_server.starts", "lab9.udp_client.exits",
        "lab9.udp_time_server.drop_rate", "lab9.head_client.exits"]


# ------------------------------------------------------------------ --only

def test_only_starts_with_on_dotted_segments_as_the_help_says() -> None:
    chosen = {c for c in LAB9 if check_selected(c, ["lab9.udp"])}
    assert chosen == {"lab9.udp_server.starts", "lab9.udp_client.exits",
                      "lab9.udp_time_server.drop_rate"}
    assert check_selected("lab9.tcp_server.starts", ["lab9.tcp_server"])
    assert check_selected("lab9.tcp_server.echo_prefix", ["lab9.tcp_server.echo"])
    assert matches("lab9.tcp_server.starts", "lab")  # starts with, as the help says
    assert not matches("lab9x.tcp_server.starts", "lab9.tcp")  # whole segments must be equal
    assert matches("lab9.tcp_server.starts", "lab9")
    assert not matches("lab9.tcp_server.starts", "lab9.tcp_server.starts.more")
    assert not matches("lab9.tcp_server.starts", "")
    assert check_selected("x.y.z", None) and check_selected("x.y.z", [])
    assert task_selected("lab9.tcp_server", ["lab9.tcp_server.echo_prefix"])
    assert task_selected("lab9.udp_client", ["lab9.udp"])
    assert not task_selected("lab9.tcp_client", ["lab9.udp"])


def test_only_that_selects_nothing_is_a_usage_error() -> None:
    validate(["lab9.udp"], LAB9)
    with pytest.raises(UsageError, match=r"'lab9\.udpx'.*selects no check"):
        validate(["lab9", "lab9.udpx"], LAB9)


def test_cli_only_matching_nothing_exits_2_with_one_line() -> None:
    proc = labgrade("check", str(REFERENCE), "--only", "lab9.nothing")
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "selects no check" in proc.stderr


def test_cli_check_level_only_grades_that_check_alone(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = labgrade("grade", str(REFERENCE), "--out", str(out), "--only",
                    "lab9.tcp_server.echo")
    assert proc.returncode == 0, proc.stderr
    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert [c["id"] for c in data["checks"]] == ["lab9.tcp_server.echo_prefix"]


def test_a_misspelled_rubric_id_exits_2_whatever_only_says(tmp_path: Path) -> None:
    rubric = tmp_path / "r.toml"
    rubric.write_text('[checks]\n"lab9.tcp_server.starts" = 1\n'
                      '"lab9.tcp_server.echo_prefx" = 2\n', encoding="utf-8")
    proc = labgrade("grade", str(REFERENCE), "--rubric", str(rubric), "--only",
                    "lab9.tcp_server.starts", "--out", str(tmp_path / "o"))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.strip().count("\n") == 0 and "echo_prefx" in proc.stderr


def test_a_misspelled_rubric_section_exits_2_whatever_only_says(tmp_path: Path) -> None:
    rubric = tmp_path / "r.toml"
    rubric.write_text('[check]\n"lab9.tcp_server.starts" = 1\n', encoding="utf-8")
    proc = labgrade("check", str(REFERENCE), "--rubric", str(rubric), "--only", "lab9.tcp")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.strip().count("\n") == 0 and "[check]" in proc.stderr


# ------------------------------------------------------------------ totals

def test_one_totals_function_for_every_output() -> None:
    from harness.engine import score
    from harness.exports import to_gradescope, write_grades_csv
    from harness.rubric import CheckRule, Rubric

    third = 1 / 3
    rules = Rubric(checks={f"p.t.c{i}": CheckRule(points=third) for i in range(3)})
    outcomes = [{"id": f"p.t.c{i}", "task": "p.t", "status": "passed", "key": "",
                 "params": {}} for i in range(3)]
    result = score(outcomes, rules, lang="en")
    assert result.score == result.max_score == total([third] * 3) == 1.0
    assert to_gradescope(result)["score"] == result.score
    assert round_points(0.1 + 0.2) == 0.3 and round_points(-0.0) == 0.0
    one = score(outcomes[:1], Rubric(checks={"p.t.c0": CheckRule(points=third)}), lang="en")
    assert one.score == to_gradescope(one)["score"] == round_points(third) == 0.333333
    assert write_grades_csv is not None  # the CSV takes report.common.totals, built on total


# ------------------------------------------------------------------ loading and lint

def _pack(tmp_path: Path, name: str = "mi_curso") -> Path:
    root = tmp_path / name
    new_pack(root)
    return root


def test_new_pack_loads_and_lints_clean(tmp_path: Path) -> None:
    root = _pack(tmp_path)
    pack = load(root)
    assert pack.name == "mi_curso" and list(pack.tasks) == ["mi_curso.upper_server"]
    assert pack.check_ids() == ["mi_curso.upper_server.listens", "mi_curso.upper_server.upper"]
    assert [m.loses for m in pack.mutants] == [("mi_curso.upper_server.upper",)]
    assert lint(pack) == []
    with pytest.raises(UsageError, match="not an empty folder"):
        new_pack(root)


@pytest.mark.parametrize(("change", "where", "what"), [
    (lambda r: (r / "pack.toml").unlink(), "no pack.toml", "course new"),
    (lambda r: _edit(r / "pack.toml", "[pack]", "[limits]\nwall_z = 3\n[pack]"),
     "pack.toml [limits]", "invalid limits"),
    (lambda r: _edit(r / "pack.toml", 'name = "mi_curso"', 'name = "Mi Curso"'),
     "pack.toml", "lowercase name"),
    (lambda r: _edit(r / "pack.toml", "[pack]", "[packs]\n[pack]"), "pack.toml",
     "unknown sections"),
    (lambda r: _edit(r / "pack.toml", '"upper_server.upper"', '"upper_server.uper"'),
     "pack.toml [mutants.echo_unchanged]", "no such check"),
    (lambda r: (r / "i18n" / "en.json").unlink(), "i18n/en.json", "missing"),
    (lambda r: _edit(r / "pack.toml", 'file = "ej1/upper_server.py"', 'file = "../x.py"'),
     "[tasks.upper_server]", "relative to the submission"),
    (lambda r: _edit(r / "pack.toml", 'name = "mi_curso"',
                     'name = "mi_curso"\nreference = "labgrade:referencia"'),
     "pack.toml", "labgrade:reference and labgrade:template"),
])
def test_a_broken_pack_is_refused_saying_where(tmp_path: Path, change, where: str,
                                               what: str) -> None:  # type: ignore[no-untyped-def]
    root = _pack(tmp_path)
    change(root)
    with pytest.raises(PackError) as caught:
        load(root)
    assert where in str(caught.value) and what in str(caught.value)
    assert str(root.resolve()) in str(caught.value)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_lint_finds_a_missing_translation_naming_file_and_key(tmp_path: Path) -> None:
    root = _pack(tmp_path)
    en = json.loads((root / "i18n/en.json").read_text(encoding="utf-8"))
    del en["mi_curso.upper_server.not_upper"]
    (root / "i18n/en.json").write_text(json.dumps(en), encoding="utf-8")
    problems = lint(load(root))
    assert any(p.startswith("mi_curso/i18n/en.json: missing key 'mi_curso.upper_server."
                            "not_upper'") and "checks/upper_server.toml" in p
               for p in problems), problems


def test_lint_finds_checks_outside_the_rubric_internal_imports_and_field_mismatch(
        tmp_path: Path) -> None:
    root = _pack(tmp_path)
    (root / "checks/test_extra.py").write_text(
        'from harness.checks.support import Probe\nimport harness.api\n'
        'from harness import engine\n'
        'TASK = "mi_curso.upper_server"\n\n'
        'def test_bonus(probe):\n    harness.api.expect(False, "mi_curso.bonus_missing")\n',
        encoding="utf-8")
    es = json.loads((root / "i18n/es.json").read_text(encoding="utf-8"))
    es["mi_curso.upper_server.wrong_port"] = "puerto {puerto}"
    (root / "i18n/es.json").write_text(json.dumps(es), encoding="utf-8")
    problems = "\n".join(lint(load(root)))
    assert "checks/test_extra.py:1: imports harness.checks.support" in problems
    assert "checks/test_extra.py:3: imports harness.engine" in problems
    assert "imports harness.api," not in problems  # the public API is allowed
    assert "check mi_curso.upper_server.bonus is not in pack.toml" in problems
    assert "missing key 'mi_curso.bonus_missing'" in problems
    assert "'mi_curso.upper_server.wrong_port' has fields ['puerto'] in es" in problems
    (root / "checks/test_made.py").write_text(
        'from .helpers import make\nTASK = "mi_curso.upper_server"\n'
        'fixture, test_made_a, test_made_b = make()\n', encoding="utf-8")
    made = "\n".join(lint(load(root)))
    assert "check mi_curso.upper_server.made_a is not in pack.toml" in made
    assert "check mi_curso.upper_server.made_b is not in pack.toml" in made
    (root / "checks/helpers.py").write_text("from harness.fakes import WebServer\n",
                                            encoding="utf-8")
    assert "checks/helpers.py:1: imports harness.fakes" in "\n".join(lint(load(root)))
    (root / "mutants/forgotten").mkdir()
    assert "mi_curso/mutants/forgotten: not in pack.toml" in "\n".join(lint(load(root)))


def test_pack_keys_cannot_replace_the_harness_s(tmp_path: Path) -> None:
    root = _pack(tmp_path, "other")
    for lang in ("es", "en"):
        path = root / "i18n" / f"{lang}.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        data["common.passed"] = "¡todo bien!"
        path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(PackError, match=r"common\.passed"):
        courses([root])


# ------------------------------------------------------------------ declarative

def test_templates_and_transforms() -> None:
    values = {"n": 255, "w": "abc"}
    assert render("{n|hex} {n|oct} {n|bin}", values) == "0xff 0o377 0b11111111"
    assert render("{n|bases}", values) == "0xff 0o377 0b11111111"
    assert render("{n|hex|noprefix|upper} {w|reverse|upper} {{x}}", values) == "FF CBA {x}"
    assert render("{w|len} {n|int}", values) == "3 255"
    assert render("a.b{w}", values, escape=True) == "a.babc"
    assert render("{w}", {"w": "a.b"}, escape=True) == r"a\.b"
    assert {"upper", "lower", "reverse", "hex", "oct", "bin", "bases", "noprefix"} <= set(
        TRANSFORMS)


def test_expectations() -> None:
    v = {"n": 10}
    assert Expectation("equals", "{n|hex}").judge("0xa", v)
    assert not Expectation("equals", "{n|hex}").judge("0xa\n", v)
    assert Expectation("equals", "{n|hex}", strip=True).judge("0xa\n", v)
    assert Expectation("contains", "{n|bin}").judge("bin: 0b1010!", v)
    assert Expectation("regex", "^(0x)?{n|hex|noprefix}$", ignore_case=True).judge("0XA", v)
    eq = Expectation("equals", "HELLO")
    assert eq.complete(b"HELLO", {}) and eq.complete(b"HX", {}) and not eq.complete(b"HEL", {})
    assert not Expectation("contains", "x").complete(b"abc", {})


@pytest.mark.parametrize(("text", "what"), [
    ('reply = { equals = "{n|hx}" }', "unknown transform |hx"),
    ('reply = { equals = "{m}" }', "unknown value {m}"),
    ('stdout = { contains = "x" }', "stdout is not for a server"),
    ('reply = { same = "x" }', "equals|contains|regex"),
])
def test_a_broken_exercise_is_refused_saying_where(tmp_path: Path, text: str,
                                                   what: str) -> None:
    path = tmp_path / "p" / "checks" / "ex.toml"
    path.parent.mkdir(parents=True)
    path.write_text('task = "t"\nprogram = "server"\nproto = "tcp"\nport = 5000\n'
                    '[values]\nn = { int = [0, 9] }\n[[check]]\nname = "c"\nsend = "{n}"\n'
                    f'fail = "p.k"\n{text}\n', encoding="utf-8")
    with pytest.raises(PackError) as caught:
        load_exercise(path, "p")
    assert "checks/ex.toml: check 'c'" in str(caught.value) or "checks/ex.toml" in str(
        caught.value)
    assert what in str(caught.value)


# ------------------------------------------------------------------ commands

def test_course_new_then_course_test_passes(tmp_path: Path) -> None:
    made = labgrade("course", "new", str(tmp_path / "mi-curso"))
    assert made.returncode == 0, made.stderr
    proc = labgrade("course", "test", str(tmp_path / "mi-curso"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "✔ reference: 3/3" in proc.stdout and "✔ template: 0/3" in proc.stdout
    assert "✔ mutant echo_unchanged: loses mi_curso.upper_server.upper" in proc.stdout


def test_course_test_refuses_a_failing_reference_and_a_broken_check(tmp_path: Path) -> None:
    root = _pack(tmp_path)
    _edit(root / "reference/ej1/upper_server.py", ".upper()", ".lower()")
    (root / "checks/test_broken.py").write_text(
        'from harness.api import Probe\nTASK = "mi_curso.upper_server"\n\n'
        'def test_broken(probe: Probe) -> None:\n    raise RuntimeError("a bug of mine")\n',
        encoding="utf-8")
    (root / "checks/test_no_import.py").write_text(
        'from harness.api import Nonexistent\nTASK = "mi_curso.upper_server"\n\n'
        'def test_unimportable() -> None:\n    pass\n', encoding="utf-8")
    _edit(root / "pack.toml", "upper = 2", "upper = 2\nbroken = 1\nunimportable = 1")
    for lang in ("es", "en"):
        path = root / "i18n" / f"{lang}.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        data["check.mi_curso.upper_server.broken"] = "broken"
        data["check.mi_curso.upper_server.unimportable"] = "unimportable"
        path.write_text(json.dumps(data), encoding="utf-8")
    proc = labgrade("course", "test", str(root))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "mi_curso/reference: mi_curso.upper_server.upper failed" in proc.stdout
    assert "mi_curso/reference: mi_curso.upper_server.broken error" in proc.stdout
    assert "RuntimeError: a bug of mine" in proc.stdout
    assert "mi_curso/reference: mi_curso.upper_server.unimportable error" in proc.stdout
    assert "cannot import name 'Nonexistent' from 'harness.api'" in proc.stdout
    assert "mi_curso.upper_server.listens" not in proc.stdout  # the rest still graded


def test_course_test_refuses_a_lint_problem_before_grading(tmp_path: Path) -> None:
    root = _pack(tmp_path)
    es = json.loads((root / "i18n/es.json").read_text(encoding="utf-8"))
    del es["check.mi_curso.upper_server.upper"]
    (root / "i18n/es.json").write_text(json.dumps(es), encoding="utf-8")
    proc = labgrade("course", "test", str(root))
    assert proc.returncode == 1
    assert "mi_curso/i18n/es.json: missing key 'check.mi_curso.upper_server.upper'" in \
        proc.stdout
    assert "reference:" not in proc.stdout


def test_course_option_on_grade_check_and_batch(tmp_path: Path) -> None:
    root = _pack(tmp_path)
    out = tmp_path / "out"
    graded = labgrade("grade", str(root / "reference"), "--course", str(root), "--out",
                      str(out), "--lang", "en")
    assert graded.returncode == 0, graded.stderr
    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert (data["score"], data["max_score"]) == (3.0, 3.0)
    assert [c["title"] for c in data["checks"]] == ["Listens on port 5000",
                                                    "Answers the text in capitals"]
    assert "Exercise 1: capitals server (TCP)" in (out / "report.html").read_text(
        encoding="utf-8")
    checked = labgrade("check", str(root / "template"), "--course", str(root))
    assert checked.returncode == 1 and "NotImplementedError" in checked.stdout
    assert "lab9" not in checked.stdout  # the built-in checks are not graded with --course
    subs = tmp_path / "subs"
    shutil.copytree(root / "reference", subs / "ana")
    shutil.copytree(root / "template", subs / "beto")
    for name in ("ana", "beto"):  # not a single wrapping folder (a batch steps into those)
        (subs / name / "LEEME.txt").write_text(name, encoding="utf-8")
    batch = labgrade("batch", str(subs), "--course", str(root), "--out", str(tmp_path / "b"),
                     "--quiet", "--jobs", "2")
    assert batch.returncode == 0, batch.stderr
    csv = (tmp_path / "b" / "grades.csv").read_text(encoding="utf-8")
    assert "ana,3,3,3" in csv and "beto,0,0,3" in csv, csv


def test_a_check_level_only_reuses_the_batch_cache(tmp_path: Path) -> None:
    from harness.batch import run_batch

    root = _pack(tmp_path)
    subs = tmp_path / "subs"
    shutil.copytree(root / "reference", subs / "ana")
    (subs / "ana" / "LEEME.txt").write_text("ana", encoding="utf-8")
    kw = {"out": tmp_path / "out", "jobs": 1, "progress": False, "courses": [root],
          "only": ["mi_curso.upper_server.upper"]}
    first = run_batch(subs, **kw)  # type: ignore[arg-type]
    again = run_batch(subs, **kw)  # type: ignore[arg-type]
    assert [e.cached for e in first.entries] == [False]
    assert [e.cached for e in again.entries] == [True]
    assert again.entries[0].score == 2.0


def test_a_submission_graded_with_two_packs_gets_the_tasks_of_both(tmp_path: Path) -> None:
    first, second = _pack(tmp_path, "uno"), _pack(tmp_path, "dos")
    _edit(second / "pack.toml", 'file = "ej1/upper_server.py"', 'file = "ej2/upper_server.py"')
    sub = tmp_path / "sub"
    shutil.copytree(first / "reference", sub)
    shutil.copytree(second / "template/ej1", sub / "ej2")
    proc = labgrade("grade", str(sub), "--course", str(first), "--course", str(second),
                    "--out", str(tmp_path / "o"))
    assert proc.returncode == 0, proc.stderr
    data = json.loads((tmp_path / "o/results.json").read_text(encoding="utf-8"))
    got = {c["id"]: c["status"] for c in data["checks"]}
    assert got == {"uno.upper_server.listens": "passed", "uno.upper_server.upper": "passed",
                   "dos.upper_server.listens": "failed", "dos.upper_server.upper": "failed"}
    same = labgrade("grade", str(sub), "--course", str(first), "--course", str(first))
    assert same.returncode == 2 and "both named 'uno'" in same.stderr


def test_built_in_grading_is_unchanged_without_course(tmp_path: Path) -> None:
    proc = labgrade("check", str(TEMPLATE), "--only", "lab9.udp_client", "--lang", "en")
    assert proc.returncode == 1 and "lab9.udp_client" in proc.stdout


def test_a_rubric_file_over_a_pack_changes_points_and_refuses_unknown_ids(
        tmp_path: Path) -> None:
    from harness.packs import rubric

    root = _pack(tmp_path)
    _edit(root / "pack.toml", "[pack]", "[limits]\nwall_s = 7\nmemory_mb = 300\n\n[pack]")
    packs = courses([root])
    base = rubric(packs)
    assert (base.limits.wall_s, base.limits.memory_mb) == (7.0, 300)
    assert {k: v.points for k, v in base.checks.items()} == {
        "mi_curso.upper_server.listens": 1.0, "mi_curso.upper_server.upper": 2.0}
    overlay = tmp_path / "r.toml"
    overlay.write_text('[limits]\nwall_s = 4\n[checks]\n"mi_curso.upper_server.upper" = '
                       '{ points = 5, visibility = "hidden" }\n', encoding="utf-8")
    over = rubric(packs, overlay)
    assert over.checks["mi_curso.upper_server.upper"].points == 5.0
    assert over.checks["mi_curso.upper_server.upper"].visibility == "hidden"
    assert (over.limits.wall_s, over.limits.memory_mb) == (4.0, 300)
    assert over.sha256 != base.sha256
    overlay.write_text('[checks]\n"mi_curso.upper_server.uper" = 1\n', encoding="utf-8")
    with pytest.raises(UsageError, match=r"uper"):
        rubric(packs, overlay)


def test_reference_and_template_may_live_outside_the_pack(tmp_path: Path) -> None:
    """As the built-in packs will: their reference and template stay at the top level."""
    root = _pack(tmp_path)
    shutil.move(root / "reference", tmp_path / "reference")
    shutil.move(root / "template", tmp_path / "student_template")
    assert any("reference folder" in p for p in lint(load(root)))
    _edit(root / "pack.toml", 'name = "mi_curso"', 'name = "mi_curso"\n'
          'reference = "../reference"\ntemplate = "../student_template"')
    pack = load(root)
    assert pack.reference == (tmp_path / "reference").resolve()
    assert pack.template == (tmp_path / "student_template").resolve()
    assert lint(pack) == []


def test_loading_a_pack_again_takes_its_new_texts(tmp_path: Path) -> None:
    from harness.i18n import t

    root = _pack(tmp_path, "textos")
    courses([root])
    key = "check.textos.upper_server.upper"
    assert t(key, "en") == "Answers the text in capitals"
    en = json.loads((root / "i18n/en.json").read_text(encoding="utf-8"))
    en[key] = "Capitals"
    (root / "i18n/en.json").write_text(json.dumps(en), encoding="utf-8")
    courses([root])
    assert t(key, "en") == "Capitals"


def test_a_gradescope_autograder_carries_the_pack_and_grades_with_it(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys
    import zipfile

    from harness.gradescope import bundle

    pack = _pack(tmp_path, "curso_gs")
    root = tmp_path / "autograder"
    shutil.copytree(pack / "reference", root / "submission")
    (root / "submission" / "LEEME.txt").write_text("-", encoding="utf-8")  # not one wrapper
    archive = bundle(tmp_path / "autograder.zip", lang="en", courses=[pack],
                     spec="labgrade @ git+https://example.invalid/labgrade")
    with zipfile.ZipFile(archive) as zf:
        names = set(zf.namelist())
        zf.extractall(root / "source")
    assert {"courses/curso_gs/pack.toml", "courses/curso_gs/checks/upper_server.toml",
            "courses/curso_gs/i18n/es.json"} <= names
    assert not any("/reference/" in n or "/mutants/" in n for n in names)
    env = {**os.environ, "LABGRADE_AUTOGRADER_ROOT": str(root), "PYTHONPATH": str(REPO)}
    proc = subprocess.run([sys.executable, "-m", "harness.gradescope", "run"], env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    gs = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    assert gs["score"] == 3.0 and len(gs["tests"]) == 2


# ------------------------------------------------------------------ the built-in packs

@pytest.mark.parametrize("root", builtin_roots(), ids=BUILTIN)
def test_built_in_pack_is_proven_both_ways(root: Path) -> None:
    """Laboratorio 9 and the recipes are packs on harness.api like an instructor's: ``course
    test`` lints them (only harness.api imported, every key in es and en, every check in
    pack.toml), then grades labgrade's reference (full marks) and template (zero) with them,
    and each declared mutant loses exactly its checks."""
    outcome = prove_pack(root, lang="en")
    assert outcome.ok, "\n".join(outcome.lines)
    assert outcome.lines[0].startswith("✔ lint") and "✔ template: 0/" in outcome.lines[2]
    assert sum(line.startswith("✔ mutant") for line in outcome.lines) >= 3


def test_grading_without_course_is_the_built_in_packs() -> None:
    """The default rubric is the built-in packs' points in pack.toml order, with the limits
    of harness/rubric.toml; the grading run collects the packs' check modules."""
    from harness import engine
    from harness.rubric import load as load_rubric
    from harness.rubric import shipped

    packs = builtin()
    assert [p.name for p in packs] == list(BUILTIN) == ["lab9", "recipes"]
    rules = load_rubric()
    assert list(rules.checks) == [c for p in packs for c in p.check_ids()]
    assert total(r.points for r in rules.checks.values()) == 114
    assert rules.limits == shipped().limits and shipped().checks == {}
    assert engine._builtin_tasks() == [t for p in packs for t in p.tasks]
    assert sum(len(p.tasks) for p in packs) == 26
    assert engine._check_files(["lab9.udp_server"]) == {
        "check_files": [str(builtin_roots()[0] / "checks" / "test_udp_server.py")]}
    assert all(p.reference == reference_dir().resolve() for p in packs)
    assert all(p.template == template_dir().resolve() for p in packs)


def test_a_copy_of_a_built_in_pack_grades_like_it_and_can_be_changed(tmp_path: Path) -> None:
    """An instructor copies a built-in pack and changes it: the copy is a pack of its own
    (lint clean, labgrade's reference), ``--course`` grades with it instead of the built-in
    one, and its pack.toml is what counts."""
    from harness.engine import grade

    copy = tmp_path / "mi_lab9"
    shutil.copytree(builtin_roots()[0], copy, ignore=shutil.ignore_patterns("__pycache__"))
    _edit(copy / "pack.toml", "[tasks.udp_client.points]\nsends_input = 2",
          "[tasks.udp_client.points]\nsends_input = 5")
    assert lint(load(copy)) == []
    result = grade(REFERENCE, courses=[copy], only=["lab9.udp_client"], lang="en",
                   report=False)
    assert {c.id: (c.status, c.score) for c in result.checks} == {
        "lab9.udp_client.sends_input": ("passed", 5.0),
        "lab9.udp_client.prints_reply": ("passed", 2.0),
        "lab9.udp_client.utf8": ("passed", 1.0), "lab9.udp_client.exits": ("passed", 1.0)}


def test_course_rubric_prints_the_rubric_graded_with_as_a_file(tmp_path: Path) -> None:
    """The default rubric's points live in the packs; ``labgrade course rubric`` writes them
    (with the default limits) as a --rubric file that reads back to the same rubric."""
    from harness.rubric import load as load_rubric

    proc = labgrade("course", "rubric")
    assert proc.returncode == 0, proc.stderr
    assert '"lab9.udp_time_server.drop_rate" = 3' in proc.stdout
    path = tmp_path / "mine.toml"
    path.write_text(proc.stdout, encoding="utf-8")
    mine, default = load_rubric(path), load_rubric()
    assert (mine.checks, mine.limits) == (default.checks, default.limits)
    root = _pack(tmp_path)
    of_pack = labgrade("course", "rubric", str(root))
    assert of_pack.stdout.splitlines()[-2:] == ['"mi_curso.upper_server.listens" = 1',
                                                 '"mi_curso.upper_server.upper" = 2']


def test_a_mutant_is_graded_on_the_tasks_it_replaces_or_on_everything(tmp_path: Path) -> None:
    """``course test`` grades a mutant on the tasks whose files it replaces; a mutant that
    replaces any other file (a helper every task may import), or that says it loses a check
    of a task it does not touch, is graded on every task."""
    from harness.packs import courses
    from harness.packs.course import _changed_tasks
    from harness.packs.model import Mutant

    pack = courses([REPO / "examples" / "bases2023"])[0]

    def mutant(files: list[str], loses: tuple[str, ...]) -> Mutant:
        root = tmp_path / f"m{len(list(tmp_path.iterdir()))}"
        for rel in files:
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text("pass\n", encoding="utf-8")
        return Mutant(name=root.name, path=root, loses=loses)

    server = "bases2023.base_server"
    assert _changed_tasks(pack, mutant(["lab9/base_server.py"], (f"{server}.octal",))) == [
        server]
    assert _changed_tasks(pack, mutant(["lab9/base_server.py", "lab9/helper.py"],
                                       (f"{server}.octal",))) is None
    assert _changed_tasks(pack, mutant(["lab9/base_server.py"],
                                       ("bases2023.base_client.exits",))) is None


def test_a_rubric_naming_checks_no_run_found_is_refused_in_the_run_language() -> None:
    """The engine's last look at a rubric (the ids every run collected): checks it names
    that no check module defines are a usage error, said in Spanish or English."""
    from harness.engine import score
    from harness.rubric import CheckRule, Rubric

    rules = Rubric(checks={"mi_curso.upper_server.upper": CheckRule(points=1.0),
                           "mi_curso.upper_server.uper": CheckRule(points=1.0)},
                   source="r.toml")
    with pytest.raises(UsageError) as caught:
        score([], rules, lang="es", collected=["mi_curso.upper_server.upper"])
    assert caught.value.message("es") == (
        "la rúbrica r.toml nombra comprobaciones que no existen: mi_curso.upper_server.uper; "
        "corrige los ids (están en el catálogo del README)")
    assert str(caught.value) == caught.value.message("en") == (
        "rubric r.toml names checks that do not exist: mi_curso.upper_server.uper; fix the "
        "ids (see the README's catalogue)")
    # every id collected: no refusal (the checks no run reported are "not run")
    assert [c.id for c in score([], rules, lang="es", collected=[*rules.checks]).checks] == \
        [*rules.checks]
