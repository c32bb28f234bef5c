"""The command line, run as a user runs it: a real subprocess.

The table below is every mistake a user is known to make (issue 13, and those that always
worked): each runs through ``python -m harness.cli`` (or ``python -m harness.gradescope``)
in Spanish and in English, and must end with its exit status and exactly one line on stderr,
the catalogue's text for that mistake, with no traceback anywhere.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from harness.cli import EXIT_STATUS, build_parser, main
from harness.cli_guard import EXIT_INTERNAL, ArgumentMistake, argument_message
from harness.errors import HarnessError, Text
from harness.i18n import LANGS, t
from tests.conftest import REFERENCE, REPO, TEMPLATE

LANG_ARGS = {"es": ["--lang", "es"], "en": ["--lang", "en"]}


def labgrade(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
             module: str = "harness.cli", timeout: float = 300,
             ) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    full_env.pop("LABGRADE_LANG", None)
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", module, *args], capture_output=True,
                          text=True, timeout=timeout, cwd=cwd, env=full_env, check=False)


def line(key: str, lang: str, **params: Any) -> str:
    """The one line the command prints for the mistake ``key`` (taken from the catalogue)."""
    return "labgrade: " + " ".join(HarnessError(key=key, **params).message(lang).split())


def argparse_line(argv: list[str], lang: str) -> str:
    """The line for a mistake argparse finds: its message, translated (see
    test_argparse_messages_are_translated for the translation itself)."""
    try:
        build_parser().parse_args(argv)
    except ArgumentMistake as exc:
        return "labgrade: " + " ".join(argument_message(exc.prog, str(exc), lang).split())
    raise AssertionError(f"{argv} is no mistake")


# --------------------------------------------------------------------------- the table


@dataclass
class Mistake:
    """One mistake: ``setup`` builds what it needs in a folder and returns the arguments
    (without ``--lang``); ``expected`` gives the one line in a language."""

    setup: Callable[[Path], list[str]]
    expected: Callable[[Path, str], str]
    status: int = 2
    env: dict[str, str] = field(default_factory=dict)
    lang_flag: bool = True
    """Whether the command takes --lang (else the language comes from LABGRADE_LANG)."""
    module: str = "harness.cli"
    cwd: str = ""
    """A folder of the tmp dir to run in (default: the tmp dir itself)."""


def _copy(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def _write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return path


def _dir(path: Path) -> Path:
    path.mkdir(parents=True)
    return path


def _toml_error(text: str) -> str:
    import tomllib

    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return str(exc)
    raise AssertionError(f"{text!r} is valid TOML")


NOT_UTF8 = '[checks]\n"lab9.tcp_server.starts" = 1 # se\xf1al\n'.encode("latin-1")


def _rubric(tmp: Path, data: str | bytes) -> list[str]:
    return ["check", str(_copy(REFERENCE, tmp / "sub")), "--rubric",
            str(_write(tmp / "r.toml", data)), "--only", "lab9.tcp_server"]


def _one_submission_class(tmp: Path) -> list[str]:
    _copy(REFERENCE, tmp / "ana")
    return ["batch", str(tmp / "ana"), "--out", str(tmp / "o"), "-q"]


def _manifest(folder: Path, shard: str | None = None, *, lang: str = "es",
              names: tuple[str, ...] = (), version: int = 1) -> str:
    """A batch output folder as batch writes it, with ungraded entries only (nothing to copy)."""
    entries = [{"name": n, "source": n, "status": "ungraded", "reason": "x"} for n in names]
    settings = {"lang": lang, "shard": shard, "harness_version": "0", "rubric_sha256": "",
                "only": []}
    _write(folder / "batch.json", json.dumps({"manifest_version": version,
                                              "settings": settings, "entries": entries}))
    return str(folder)


def _json_error(text: str) -> str:
    try:
        json.loads(text)
    except ValueError as exc:
        return str(exc)
    raise AssertionError(f"{text!r} is valid JSON")


def _autograder(tmp: Path, config: str) -> list[str]:
    _write(tmp / "ag" / "source" / "labgrade.json", config)
    return ["run", "--root", str(tmp / "ag")]


WANTED = Text("usage.either", {"first": "lab9/", "last": "recipes/"})

MISTAKES: dict[str, Mistake] = {
    # folders that cannot be graded
    "missing folder": Mistake(
        lambda tmp: ["check", str(tmp / "nope")],
        lambda tmp, lang: line("usage.folder_not_found", lang, path=str(tmp / "nope"))),
    "a file, not a folder": Mistake(
        lambda tmp: ["grade", str(_write(tmp / "f.py", "x = 1\n")), "--out", str(tmp / "o")],
        lambda tmp, lang: line("usage.not_a_folder", lang, path=str(tmp / "f.py"))),
    "an empty folder": Mistake(
        lambda tmp: ["check", str(_dir(tmp / "empty"))],
        lambda tmp, lang: line("usage.not_submission", lang, path=str((tmp / "empty").resolve()),
                               wanted=WANTED)),
    "one level above the submission": Mistake(
        lambda tmp: ["check", str(_copy(REFERENCE, tmp / "wrap" / "entrega").parent)],
        lambda tmp, lang: line("usage.not_submission.too_high", lang,
                               path=str((tmp / "wrap").resolve()), wanted=WANTED,
                               inner=str((tmp / "wrap" / "entrega").resolve()))),
    "one level below the submission": Mistake(
        lambda tmp: ["check", str(_copy(REFERENCE, tmp / "sub") / "lab9")],
        lambda tmp, lang: line("usage.not_submission.too_deep", lang,
                               path=str((tmp / "sub" / "lab9").resolve()), wanted=WANTED,
                               parent=str((tmp / "sub").resolve()))),
    "Lab9/ instead of lab9/": Mistake(
        lambda tmp: ["check", str(_copy(REFERENCE / "lab9", tmp / "sub" / "Lab9").parent),
                     "--only", "lab9"],
        lambda tmp, lang: line("usage.not_submission.case", lang,
                               path=str((tmp / "sub").resolve()), wanted="lab9/",
                               found="Lab9/", fix="lab9/")),
    "the files at the top, no folders": Mistake(
        lambda tmp: ["check", str(_write(tmp / "sub" / "tcp_server.py", "x = 1\n").parent)],
        lambda tmp, lang: line("usage.not_submission.flat", lang,
                               path=str((tmp / "sub").resolve()), wanted=WANTED,
                               found="tcp_server.py", fix="lab9/tcp_server.py")),
    "batch of an empty folder": Mistake(
        lambda tmp: ["batch", str(_dir(tmp / "empty")), "--out", str(tmp / "o"), "-q"],
        lambda tmp, lang: line("usage.no_submissions", lang, path=str(tmp / "empty"))),
    "batch of one submission": Mistake(
        _one_submission_class,
        lambda tmp, lang: line("usage.no_submissions.single", lang, path=str(tmp / "ana"))),
    "batch with a missing folder": Mistake(
        lambda tmp: ["batch", str(tmp / "none"), "--out", str(tmp / "o")],
        lambda tmp, lang: line("usage.submissions_not_found", lang, path=str(tmp / "none"))),
    # outputs inside what is graded
    "grade . writes its reports into the submission": Mistake(
        lambda tmp: ["grade", "."] if _copy(REFERENCE, tmp / "ana").is_dir() else [],
        lambda tmp, lang: line("usage.out_inside", lang, out=str(Path("reports") / "ana"),
                               path=".", suggest=str(Path("..") / "reports" / "ana")),
        cwd="ana"),
    "check --out inside the submission": Mistake(
        lambda tmp: ["check", str(_copy(REFERENCE, tmp / "ana")), "--out",
                     str(tmp / "ana" / "out")],
        lambda tmp, lang: line("usage.out_inside", lang, out=str(tmp / "ana" / "out"),
                               path=str(tmp / "ana"),
                               suggest=os.path.relpath(tmp.resolve() / "reports" / "ana",
                                                       tmp))),
    "batch --out inside a submission": Mistake(
        lambda tmp: ["batch", str(_copy(REFERENCE, tmp / "class" / "ana").parent), "--out",
                     str(tmp / "class" / "ana" / "out"), "-q"],
        lambda tmp, lang: line("usage.out_inside_submission", lang,
                               out=str((tmp / "class" / "ana" / "out").resolve()),
                               name="ana")),
    # values that cannot work
    "--timeout nan": Mistake(lambda tmp: ["check", "--timeout", "nan"],
                             lambda tmp, lang: line("usage.timeout", lang, value="nan")),
    "--timeout inf": Mistake(lambda tmp: ["grade", "x", "--timeout", "inf"],
                             lambda tmp, lang: line("usage.timeout", lang, value="inf")),
    "--timeout 0": Mistake(lambda tmp: ["batch", "x", "--timeout", "0"],
                           lambda tmp, lang: line("usage.timeout", lang, value="0")),
    "--timeout -1": Mistake(lambda tmp: ["check", "--timeout=-1"],
                            lambda tmp, lang: line("usage.timeout", lang, value="-1")),
    "--timeout abc": Mistake(
        lambda tmp: ["check", "--timeout", "abc"],
        lambda tmp, lang: argparse_line(["check", "--timeout", "abc"], lang)),
    "--junit without --format junit": Mistake(
        lambda tmp: ["check", "--junit", "j.xml"],
        lambda tmp, lang: line("usage.junit_without_format", lang, path="j.xml")),
    "LABGRADE_ISOLATION_DISABLE=bogus": Mistake(
        lambda tmp: ["check", str(tmp)],
        lambda tmp, lang: line("usage.isolation_env", lang, value="bogus",
                               allowed="netns, pidns, uid, view, readonly, cgroup"),
        env={"LABGRADE_ISOLATION_DISABLE": "bogus"}),
    "check --format pdf": Mistake(
        lambda tmp: ["check", "--format", "text,pdf"],
        lambda tmp, lang: line("usage.format", lang, bad="pdf",
                               choices="text, junit, github, json")),
    "batch --format pdf": Mistake(
        lambda tmp: ["batch", str(tmp), "--format", "pdf"],
        lambda tmp, lang: line("usage.format", lang, bad="pdf",
                               choices="gradescope, github, junit")),
    "batch --jobs 0": Mistake(lambda tmp: ["batch", str(tmp), "--jobs", "0"],
                              lambda tmp, lang: line("usage.jobs", lang, value=0)),
    "batch --shard 3/2": Mistake(lambda tmp: ["batch", str(tmp), "--shard", "3/2"],
                                 lambda tmp, lang: line("usage.shard", lang, value="3/2")),
    "merge of a folder batch did not write": Mistake(
        lambda tmp: ["merge", str(tmp), "--out", str(tmp / "o")],
        lambda tmp, lang: line("usage.not_batch_output", lang, path=str(tmp)),
        lang_flag=False),
    "merge of two whole classes": Mistake(
        lambda tmp: ["merge", _manifest(tmp / "a"), _manifest(tmp / "b"), "--out", str(tmp)],
        lambda tmp, lang: line("usage.merge.unsharded", lang), lang_flag=False),
    "merge of a whole class with a shard": Mistake(
        lambda tmp: ["merge", _manifest(tmp / "a", "1/2"), _manifest(tmp / "b"), "--out",
                     str(tmp)],
        lambda tmp, lang: line("usage.merge.whole", lang, folder=str(tmp / "b")),
        lang_flag=False),
    "merge with a shard missing": Mistake(
        lambda tmp: ["merge", _manifest(tmp / "a", "1/3"), _manifest(tmp / "b", "3/3"),
                     "--out", str(tmp)],
        lambda tmp, lang: line("usage.merge.shards", lang, shards="1/3, 3/3", n=3,
                               missing=Text("usage.merge.missing", {"shards": "2/3"})),
        lang_flag=False),
    "merge of different splits": Mistake(
        lambda tmp: ["merge", _manifest(tmp / "a", "1/2"), _manifest(tmp / "b", "2/3"),
                     "--out", str(tmp)],
        lambda tmp, lang: line("usage.merge.splits", lang, shards="1/2, 2/3"),
        lang_flag=False),
    "merge of shards graded differently": Mistake(
        lambda tmp: ["merge", _manifest(tmp / "a", "1/2"), _manifest(tmp / "b", "2/2", lang="en"),
                     "--out", str(tmp)],
        lambda tmp, lang: line("usage.merge.differ", lang, folder=str(tmp / "b"),
                               first=str(tmp / "a"), setting="lang", value="'en'",
                               first_value="'es'"),
        lang_flag=False),
    "merge of a submission graded twice": Mistake(
        lambda tmp: ["merge", _manifest(tmp / "a", "1/2", names=("ana",)),
                     _manifest(tmp / "b", "2/2", names=("ana",)), "--out", str(tmp / "o")],
        lambda tmp, lang: line("usage.merge.twice", lang, name="'ana'", first=str(tmp / "a"),
                               folder=str(tmp / "b")),
        lang_flag=False),
    "merge of an old manifest": Mistake(
        lambda tmp: ["merge", _manifest(tmp / "a", version=0), "--out", str(tmp / "o")],
        lambda tmp, lang: line("usage.merge.manifest", lang, path=str(tmp / "a" / "batch.json"),
                               version=1),
        lang_flag=False),
    "merge of a broken manifest": Mistake(
        lambda tmp: ["merge", str(_write(tmp / "a" / "batch.json", "{").parent), "--out",
                     str(tmp / "o")],
        lambda tmp, lang: line("usage.merge.unreadable", lang,
                               path=str(tmp / "a" / "batch.json"), error=_json_error("{")),
        lang_flag=False),
    "gradescope settings that are not an object": Mistake(
        lambda tmp: _autograder(tmp, "[]"),
        lambda tmp, lang: line("usage.gradescope.config", lang,
                               path=str(tmp / "ag" / "source" / "labgrade.json"), error="list"),
        lang_flag=False, module="harness.gradescope"),
    "gradescope settings in an unknown language": Mistake(
        lambda tmp: _autograder(tmp, '{"lang": "fr"}'),
        lambda tmp, lang: line("usage.gradescope.lang", lang, value="'fr'",
                               path=str(tmp / "ag" / "source" / "labgrade.json"),
                               choices="es, en"),
        lang_flag=False, module="harness.gradescope"),
    # argparse's own mistakes, in one line
    "no command": Mistake(
        lambda tmp: [],
        lambda tmp, lang: argparse_line([], lang),
        lang_flag=False),
    "an unknown command": Mistake(
        lambda tmp: ["grde", "x"],
        lambda tmp, lang: argparse_line(["grde", "x"], lang),
        lang_flag=False),
    "--lang fr": Mistake(
        lambda tmp: ["check", "--lang", "fr"],
        lambda tmp, lang: argparse_line(["check", "--lang", "fr"], lang),
        lang_flag=False),
    "grade without a folder": Mistake(
        lambda tmp: ["grade"],
        lambda tmp, lang: argparse_line(["grade"], lang)),
    "an option of another command": Mistake(
        lambda tmp: ["check", "--jobs", "3"],
        lambda tmp, lang: argparse_line(["check", "--jobs", "3"], lang)),
    # rubrics
    "a rubric that does not exist": Mistake(
        lambda tmp: ["check", "--rubric", str(tmp / "nope.toml")],
        lambda tmp, lang: line("usage.rubric.unreadable", lang, where=str(tmp / "nope.toml"),
                               reason=Text("oserror.ENOENT"))),
    "a rubric of the wrong shape": Mistake(
        lambda tmp: _rubric(tmp, "checks = 5\n"),
        lambda tmp, lang: line("usage.rubric.shape", lang, where=str(tmp / "r.toml"),
                               name="[checks]", expected=Text("usage.rubric.expect_checks"),
                               got="int 5")),
    "a rubric that is not UTF-8": Mistake(
        lambda tmp: _rubric(tmp, NOT_UTF8),
        lambda tmp, lang: line("usage.rubric.not_utf8", lang, where=str(tmp / "r.toml"),
                               pos=NOT_UTF8.index(b"\xf1"))),
    "a rubric with TOML syntax errors": Mistake(
        lambda tmp: _rubric(tmp, "[checks\n"),
        lambda tmp, lang: line("usage.rubric.toml", lang, where=str(tmp / "r.toml"),
                               detail=_toml_error("[checks\n"))),
    "a misspelled rubric section": Mistake(
        lambda tmp: _rubric(tmp, '[check]\n"lab9.tcp_server.starts" = 1\n'),
        lambda tmp, lang: line("usage.rubric.section", lang, where=str(tmp / "r.toml"),
                               name="check", hint=Text("usage.rubric.hint", {"name": "checks"}),
                               allowed="[limits], [checks], default_points")),
    "a misspelled check id": Mistake(
        lambda tmp: _rubric(tmp, '[checks]\n"lab9.tcp_server.start" = 1\n'),
        lambda tmp, lang: line("usage.rubric.unknown_id", lang, where=str(tmp / "r.toml"),
                               id="lab9.tcp_server.start",
                               hint=Text("usage.rubric.hint_key",
                                         {"name": "lab9.tcp_server.starts"}))),
    "a points value that is not a number": Mistake(
        lambda tmp: _rubric(tmp, '[checks]\n"lab9.tcp_server.starts" = "many"\n'),
        lambda tmp, lang: line("usage.rubric.value", lang, where=str(tmp / "r.toml"),
                               value="'many'", id="lab9.tcp_server.starts")),
    "a misspelled limit": Mistake(
        lambda tmp: _rubric(tmp, "[limits]\nwall = 3\n"),
        lambda tmp, lang: line("usage.rubric.limits", lang, where=str(tmp / "r.toml"),
                               names="wall",
                               hint=Text("usage.rubric.hint_key", {"name": "wall_s"}),
                               allowed="cpu_s, disk_mb, file_size_mb, memory_mb, open_files, "
                                       "processes, stop_grace_s, submission_s, wall_s")),
    "a limit of nan": Mistake(
        lambda tmp: _rubric(tmp, "[limits]\nwall_s = nan\n"),
        lambda tmp, lang: line("usage.rubric.limit_value", lang, where=str(tmp / "r.toml"),
                               name="wall_s", value="nan")),
    "a rubric id without its task": Mistake(
        lambda tmp: _rubric(tmp, '[checks]\n"starts" = 1\n'),
        lambda tmp, lang: line("usage.rubric.check_id", lang, where=str(tmp / "r.toml"),
                               id="'starts'")),
    "a rubric rule with an unknown key": Mistake(
        lambda tmp: _rubric(tmp, '[checks]\n"lab9.tcp_server.starts" = { pts = 1 }\n'),
        lambda tmp, lang: line("usage.rubric.keys", lang, where=str(tmp / "r.toml"),
                               keys=["pts"], id="lab9.tcp_server.starts")),
    "negative points": Mistake(
        lambda tmp: _rubric(tmp, '[checks]\n"lab9.tcp_server.starts" = -1\n'),
        lambda tmp, lang: line("usage.rubric.negative", lang, where=str(tmp / "r.toml"),
                               points=-1.0, id="lab9.tcp_server.starts")),
    "an unknown visibility": Mistake(
        lambda tmp: _rubric(tmp, '[checks]\n"lab9.tcp_server.starts" = '
                                 '{ visibility = "secret" }\n'),
        lambda tmp, lang: line("usage.rubric.visibility", lang, where=str(tmp / "r.toml"),
                               value="'secret'", id="lab9.tcp_server.starts",
                               allowed="visible, hidden, after_due_date, after_published")),
    "default_points that is not a number": Mistake(
        lambda tmp: _rubric(tmp, 'default_points = "one"\n'),
        lambda tmp, lang: line("usage.rubric.default_points", lang, where=str(tmp / "r.toml"),
                               value="'one'")),
    # outputs that cannot be written
    "batch --out whose submissions/ is the graded folder": Mistake(
        lambda tmp: ["batch", str(_copy(REFERENCE, tmp / "submissions" / "ana").parent),
                     "--out", str(tmp)],
        lambda tmp, lang: line("usage.out_holds_submissions", lang, out=str(tmp),
                               path=str(tmp / "submissions"))),
    "an output folder that is a file": Mistake(
        lambda tmp: ["grade", str(TEMPLATE), "--only", "recipes.r01_hostname", "--out",
                     str(_write(tmp / "o.txt", "x"))],
        lambda tmp, lang: line("usage.os_error", lang, path=str(tmp / "o.txt"),
                               reason=Text("oserror.EEXIST"))),
    # new
    "new where nothing can be written": Mistake(
        lambda tmp: ["new", "/proc/nope"],
        lambda tmp, lang: line("usage.new_cannot_write", lang, path="/proc/nope",
                               reason=Text("oserror.ENOENT"))),
    "new into a folder that is not empty": Mistake(
        lambda tmp: ["new", str(_write(tmp / "mine" / "x.txt", "x").parent)],
        lambda tmp, lang: line("usage.new_not_empty", lang, path=str(tmp / "mine"))),
    # Gradescope
    "gradescope bundle without --spec": Mistake(
        lambda tmp: ["bundle", str(tmp / "a.zip")],
        lambda tmp, lang: line("usage.spec_missing", lang), module="harness.gradescope"),
    "gradescope bundle with a rubric of the wrong shape": Mistake(
        lambda tmp: ["bundle", str(tmp / "a.zip"), "--spec", "x", "--rubric",
                     str(_write(tmp / "r.toml", "limits = []\n"))],
        lambda tmp, lang: line("usage.rubric.shape", lang, where=str(tmp / "r.toml"),
                               name="[limits]", expected=Text("usage.rubric.expect_limits"),
                               got="list []"),
        module="harness.gradescope"),
    "gradescope bundle with a rubric that is not UTF-8": Mistake(
        lambda tmp: ["bundle", str(tmp / "a.zip"), "--spec", "x", "--rubric",
                     str(_write(tmp / "r.toml", b"\xff[checks]\n"))],
        lambda tmp, lang: line("usage.rubric.not_utf8", lang, where=str(tmp / "r.toml"),
                               pos=0),
        module="harness.gradescope"),
}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", list(MISTAKES))
def test_every_mistake_gets_its_one_line_and_exit_status(tmp_path: Path, name: str,
                                                         lang: str) -> None:
    case = MISTAKES[name]
    tmp = tmp_path / "t"
    tmp.mkdir()
    argv = case.setup(tmp)
    if case.lang_flag:
        argv += LANG_ARGS[lang]
    proc = labgrade(*argv, cwd=tmp / case.cwd if case.cwd else tmp, module=case.module,
                    env={**case.env, "LABGRADE_LANG": lang})
    assert "Traceback" not in proc.stdout + proc.stderr
    assert proc.returncode == case.status, proc.stderr
    assert proc.stderr.splitlines() == [case.expected(tmp, lang)]
    assert proc.stdout == ""


def test_the_table_covers_every_mistake_key() -> None:
    """A usage message in the catalogue that no case of the table shows is untested."""
    shown = set()
    for case in MISTAKES.values():
        code = case.expected.__code__
        shown |= {c for c in code.co_consts if isinstance(c, str) and c.startswith("usage.")}
    exempt = {"usage.see_help", "usage.internal", "usage.cannot_write", "usage.arg.other",
              "usage.arg.expected", "usage.rubric.hint", "usage.rubric.hint_key",
              "usage.rubric.expect_checks", "usage.rubric.expect_limits", "usage.either",
              "usage.arg.required", "usage.arg.choice", "usage.arg.type",
              "usage.arg.unrecognized",  # parts of other lines, or argparse's (tested below)
              "usage.merge.nothing",  # argparse refuses a merge of nothing first
              "usage.isolation_strict",  # names this machine's level: tests/test_isolation.py
              "usage.rubric.unknown_ids"}  # the engine's last look: tests/test_packs.py
    keys = {k for k in json.loads((REPO / "harness/i18n/en/core.json").read_text("utf-8"))
            if k.startswith("usage.")}
    assert keys - shown - exempt == set()


# --------------------------------------------------------------------------- grading runs


def test_grade_writes_report_and_results_and_exits_zero(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = labgrade("grade", str(REFERENCE), "--out", str(out), "--only", "lab9.tcp_server")
    assert proc.returncode == 0, proc.stderr
    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert data["score"] == data["max_score"] > 0
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "lab9.tcp_server.echo_prefix" in html and '<html lang="es"' in html


def test_check_exits_one_while_checks_fail_and_zero_when_all_pass(tmp_path: Path) -> None:
    failing = labgrade("check", str(TEMPLATE), "--only", "lab9.udp_client", "--lang", "en")
    assert failing.returncode == 1
    assert "sends_input" in failing.stdout and "Traceback" not in failing.stdout + failing.stderr
    passing = labgrade("check", str(REFERENCE), "--only", "lab9.udp_client")
    assert passing.returncode == 0, passing.stdout


def test_check_never_shows_a_hidden_result_through_its_total(tmp_path: Path) -> None:
    rubric = _write(tmp_path / "r.toml", (  # the built-in points, echo_prefix hidden
        '[checks]\n"lab9.tcp_server.starts" = 1\n'
        '"lab9.tcp_server.echo_prefix" = { points = 2, visibility = "hidden" }\n'
        '"lab9.tcp_server.utf8_payload" = 1\n"lab9.tcp_server.sequential_clients" = 2\n'
        '"lab9.tcp_server.survives_silent_client" = 1\n'))
    broken = _copy(REFERENCE, tmp_path / "sub")
    server = broken / "lab9" / "tcp_server.py"
    text = server.read_text(encoding="utf-8")
    assert 'b"Resp: "' in text
    server.write_text(text.replace('b"Resp: "', 'b"Res: "'), encoding="utf-8")
    for sub in (REFERENCE, broken):  # the hidden check passes, then fails: same output
        out = tmp_path / f"out-{sub.name}"
        proc = labgrade("check", str(sub), "--rubric", str(rubric), "--only", "lab9.tcp_server",
                        "--lang", "en", "--format", "text,json", "--out", str(out))
        assert proc.returncode == 0, proc.stdout
        assert "5/5 points" in proc.stdout and "echo_prefix" not in proc.stdout
        written = json.loads((out / "results.json").read_text(encoding="utf-8"))
        assert (written["score"], written["max_score"]) == (5, 5)
        assert "echo_prefix" not in (out / "report.html").read_text(encoding="utf-8")


def test_a_mistake_of_ours_is_one_line_and_no_traceback(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from harness import cli

    def broken(args: object) -> int:
        raise RuntimeError("a bug")

    monkeypatch.setitem(cli.COMMANDS, "new", (cli.COMMANDS["new"][0], broken))
    monkeypatch.delenv("LABGRADE_DEBUG", raising=False)
    assert main(["new", "x", "--lang", "en"]) == EXIT_INTERNAL
    err = capsys.readouterr().err
    assert err.splitlines() == ["labgrade: " + t("usage.internal", "en",
                                                 error="RuntimeError: a bug",
                                                 env="LABGRADE_DEBUG")]
    monkeypatch.setenv("LABGRADE_DEBUG", "1")
    with pytest.raises(RuntimeError):
        main(["new", "x"])


def test_argparse_messages_are_translated() -> None:
    cases = {
        "the following arguments are required: submission": ("usage.arg.required",
                                                              {"args": "submission"}),
        "argument --lang: invalid choice: 'fr' (choose from 'es', 'en')": (
            "usage.arg.choice", {"arg": "--lang", "value": "'fr'", "choices": "'es', 'en'"}),
        "argument --lang: invalid choice: fr (choose from es, en)": (
            "usage.arg.choice", {"arg": "--lang", "value": "fr", "choices": "es, en"}),
        "argument --timeout: invalid float value: 'abc'": (
            "usage.arg.type", {"arg": "--timeout", "value": "'abc'"}),
        "argument --out: expected one argument": ("usage.arg.expected", {"arg": "--out"}),
        "unrecognized arguments: --jobs 3": ("usage.arg.unrecognized", {"args": "--jobs 3"}),
        "something new": ("usage.arg.other", {"message": "something new"}),
    }
    for message, (key, params) in cases.items():
        for lang in LANGS:
            assert argument_message("labgrade x", message, lang) == \
                t(key, lang, **params) + " " + t("usage.see_help", lang, prog="labgrade x")


def test_output_the_terminal_cannot_encode_is_replaced_not_a_traceback() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "harness.cli", "check", str(TEMPLATE), "--only",
         "lab9.udp_client"], capture_output=True, timeout=300, check=False,
        env={**os.environ, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "latin-1"})
    assert proc.returncode == 1
    assert b"Traceback" not in proc.stdout + proc.stderr
    assert "terminó".encode("latin-1") in proc.stdout  # what latin-1 has, kept
    assert b"? sends_input" in proc.stdout  # the mark it has not, replaced


def test_a_reader_that_goes_away_is_no_traceback() -> None:
    """`labgrade check --format json | head`: the reader has gone when labgrade writes."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "harness.cli", "check", str(TEMPLATE), "--only",
         "lab9.udp_client", "--format", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO)})
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # no reader from the start: the first write fails
    err = proc.stderr.read()
    assert proc.wait(timeout=300) == 141
    assert err == b""


def test_near_misses_are_named_and_syntax_errors_shown_in_the_language(tmp_path: Path) -> None:
    sub = _copy(REFERENCE, tmp_path / "sub")
    (sub / "lab9" / "tcp_server.py").rename(sub / "lab9" / "TCP_Server.py")
    (sub / "lab9" / "tcp_client.py").rename(sub / "lab9" / "tcp_client.py.txt")
    (sub / "lab9" / "udp_server.py").rename(sub / "udp_server.py")
    (sub / "lab9" / "extra").mkdir()
    (sub / "lab9" / "udp_client.py").rename(sub / "lab9" / "extra" / "udp_client.py")
    (sub / "recipes").rename(sub / "Recipes")
    _write(sub / "lab9" / "head_client.py", "import socket\nwhile True\n    pass\n")
    only = ["--only", "lab9.tcp_server", "--only", "lab9.tcp_client", "--only",
            "lab9.udp_server", "--only", "lab9.udp_client", "--only", "lab9.head_client",
            "--only", "recipes.r01_hostname"]
    from harness.submission import Problem

    expected = [
        Problem("lab9/tcp_server.py", None, "submission.near_miss",
                {"found": "lab9/TCP_Server.py"}),
        Problem("lab9/tcp_client.py", None, "submission.not_python",
                {"found": "lab9/tcp_client.py.txt"}),
        Problem("lab9/udp_server.py", None, "submission.near_miss", {"found": "udp_server.py"}),
        Problem("lab9/udp_client.py", None, "submission.near_miss",
                {"found": "lab9/extra/udp_client.py"}),
        Problem("lab9/head_client.py", 2, "submission.syntax_error",
                {"error_key": "syntax.expected", "what": ":", "python": "expected ':'",
                 "source": "\n    while True\n              ^"}),
        Problem("recipes/r01_hostname.py", None, "submission.near_miss",
                {"found": "Recipes/r01_hostname.py"}),
    ]
    for lang in LANGS:
        proc = labgrade("check", str(sub), *only, "--lang", lang)
        assert proc.returncode == 1 and "Traceback" not in proc.stdout + proc.stderr
        head = proc.stdout.split("\n\n")[0]
        assert head == "\n".join(f"! {p.file}: {p.message(lang)}" for p in expected)
    assert "línea 2: falta «:»" in expected[4].message("es")
    assert "expected" not in expected[4].message("es")


def test_files_cpython_runs_are_graded_bom_and_coding_lines(tmp_path: Path) -> None:
    sub = _copy(REFERENCE, tmp_path / "sub")
    client = sub / "lab9" / "tcp_client.py"
    client.write_bytes(b"\xef\xbb\xbf" + client.read_bytes())
    server = sub / "lab9" / "udp_server.py"
    latin = b"# -*- coding: latin-1 -*-\n# se\xf1al\n" + server.read_bytes()
    server.write_bytes(latin)
    only = ["--only", "lab9.tcp_client", "--only", "lab9.udp_server"]
    proc = labgrade("check", str(sub), *only, "--lang", "en")
    assert proc.returncode == 0, proc.stdout
    server.write_bytes(latin.split(b"\n", 1)[1])  # no coding line: Python refuses it too
    refused = labgrade("check", str(sub), *only, "--lang", "en")
    assert refused.returncode == 1
    assert "! lab9/udp_server.py: line 1 is not valid utf-8 text" in refused.stdout


def test_a_spent_time_budget_keeps_finished_checks_and_fails_the_rest(tmp_path: Path) -> None:
    from tests.conftest import make_submission

    sub = make_submission(tmp_path / "sub", files={"lab9/udp_server.py": "while True:\n    pass\n"})
    rubric = tmp_path / "r.toml"
    from harness.rubric import load, to_toml

    default = to_toml(load())  # the default rubric as a file (the built-in packs' points)
    # the budget must outlast the TCP server's checks however busy the machine (a second or
    # two alone, several under load) and run out in the UDP server's, which each wait the
    # whole 5 s window for a server that never binds (5 x 5 s > 20 s). The TCP server comes
    # first in the rubric: in one grading run or in one per core, it is graded first.
    rubric.write_text(default.replace("submission_s = 600.0", "submission_s = 20"),
                      encoding="utf-8")
    out = tmp_path / "out"
    proc = labgrade("grade", str(sub), "--out", str(out), "--rubric", str(rubric), "--lang", "en",
                    "--timeout", "5", "--only", "lab9.tcp_server", "--only", "lab9.udp_server")
    assert proc.returncode == 0, proc.stderr
    checks = json.loads((out / "results.json").read_text(encoding="utf-8"))["checks"]
    finished = [c for c in checks if c["task"] == "lab9.tcp_server"]
    hanging = [c for c in checks if c["task"] == "lab9.udp_server"]
    assert finished and all(c["status"] == "passed" for c in finished), finished
    assert hanging and all(c["status"] == "failed" for c in hanging)
    assert any("total time (20 s)" in c["message"] for c in hanging)


def test_what_labgrade_writes_into_a_submission_is_never_hashed_nor_copied(
        tmp_path: Path) -> None:
    from harness.submission import content_hash, private_copy, remove_copy

    sub = _copy(REFERENCE, tmp_path / "sub")
    before = content_hash(sub)
    _write(sub / "labgrade-junit.xml", "<testsuites/>")
    _write(sub / "reports" / "sub" / "results.json", "{}")
    _write(sub / "reports" / "sub" / "report.html", "<html></html>")
    _write(sub / "old" / "batch.json", "{}")
    assert content_hash(sub) == before
    copy = private_copy(sub)
    try:
        assert not (copy / "reports" / "sub").exists() and not (copy / "old").exists()
        assert not (copy / "labgrade-junit.xml").exists()
    finally:
        remove_copy(copy)
    _write(sub / "notes.txt", "mine")
    assert content_hash(sub) != before


def test_counts_agree_in_number() -> None:
    from harness.cli import batch_line

    one = batch_line(1, graded=1, cached=0, ungraded=0, seconds=1.0, lang="es")
    assert one.startswith("1 entrega: 1 corregida (")
    many = batch_line(2, graded=0, cached=0, ungraded=2, seconds=1.0, lang="es")
    assert many.startswith("2 entregas: 0 corregidas (")
    assert batch_line(1, graded=1, cached=1, ungraded=0, seconds=1.0, lang="en").startswith(
        "1 submission: 1 graded (")


# --------------------------------------------------------------------------- new, help


def test_new_copies_the_template_in_the_chosen_language(tmp_path: Path) -> None:
    proc = labgrade("new", str(tmp_path / "mine"), "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "mine" / "lab9" / "tcp_server.py").is_file()
    readme = (tmp_path / "mine" / "README.md").read_text(encoding="utf-8")
    assert readme == (TEMPLATE / "README.en.md").read_text(encoding="utf-8")
    assert not (tmp_path / "mine" / "README.en.md").exists()
    labgrade("new", str(tmp_path / "mio"))
    assert (tmp_path / "mio" / "README.md").read_bytes() == (TEMPLATE / "README.md").read_bytes()


def test_help_is_for_users_with_exit_codes_and_defaults() -> None:
    top = labgrade("--help")
    assert top.returncode == 0
    assert "thin layer" not in top.stdout and "labgrade check" in top.stdout
    assert EXIT_STATUS in top.stdout
    for command in ("grade", "check", "batch"):
        text = " ".join(labgrade(command, "--help").stdout.split()).split("options:", 1)[1]
        assert "exit status: 0" in text
        for option in ("--rubric FILE", "--timeout S"):
            after = text.split(option, 1)[1].split(" --", 1)[0]
            assert "(default:" in after, (command, option)


# --------------------------------------------------------------------------- the README


README = REPO / "README.md"
NOT_RUN = {
    "python -m tox": "the whole test suite, which includes this test; CI runs it through "
                     ".ci/run",
}
OWN_TEST = "### Write your first exercise"
"""A README section whose blocks tests/test_examples.py runs, step by step, with its files."""
MOODLE = 'labgrade batch "Laboratorio 9-123456/"'
REWRITTEN = {
    # no network in the tests: the package is already installed in this environment (the
    # install itself is tested by test_packaging's clean build)
    "python -m pip install .": "python -c 'import harness'",
    # the Moodle download below holds full submissions: graded on one task, for time
    MOODLE + " --moodle-worksheet": MOODLE + " --only lab9.tcp_server -q --moodle-worksheet",
}


def readme_blocks(lang: str) -> list[str]:
    """The README's ``lang`` code blocks, without those of a section tested on its own."""
    import re

    text = README.read_text(encoding="utf-8")
    start = text.index(OWN_TEST)
    end = text.index("\n## ", start)
    text = text[:start] + text[end:]
    return re.findall(rf"```{lang}\n(.*?)```", text, flags=re.S)


def _moodle_download(tmp: Path) -> None:
    """What the Moodle example needs: the unzipped download and the grading worksheet."""
    from tests.test_moodle import to_bytes, worksheet

    folder = tmp / "Laboratorio 9-123456"
    _copy(REFERENCE, folder / "Ana Pérez_101_assignsubmission_file_")
    _write(tmp / "Calificaciones-Laboratorio 9.csv",
           to_bytes(worksheet("es", "100,00"), ",", True, "\r\n"))


def test_every_readme_command_runs(tmp_path: Path) -> None:
    """Every ``sh`` block of the README, in order, in a scratch folder that holds what the
    README assumes (the reference, a submissions/ folder of two students, a Moodle download)."""
    _copy(REFERENCE, tmp_path / "reference")
    for name in ("ana", "beto"):
        _copy(REFERENCE, tmp_path / "submissions" / name)
    _moodle_download(tmp_path)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}"
                                 f"{os.environ.get('PATH', '')}"}
    env.pop("LABGRADE_LANG", None)
    blocks = readme_blocks("sh")
    assert len(blocks) >= 7
    ran = 0
    for block in blocks:
        if any(skip in block for skip in NOT_RUN):
            continue
        script = block
        for old, new in REWRITTEN.items():
            script = script.replace(old, new)
        proc = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=600, check=False)
        assert proc.returncode == 0, f"{block}\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
        assert "Traceback" not in proc.stdout + proc.stderr, block
        ran += 1
    assert ran == len(blocks) - 1
    assert (tmp_path / "reports" / "reference" / "report.html").is_file()
    assert (tmp_path / "my-lab" / "README.md").read_text(encoding="utf-8").startswith(
        "# Network programming lab in Python")
    assert json.loads((tmp_path / "visible.json").read_text(encoding="utf-8"))["checks"]
    assert (tmp_path / "ci" / "junit.xml").is_file()
    assert {r["submission"] for r in _csv(tmp_path / "reports" / "clase" / "grades.csv")} == \
        {"ana", "beto"}
    assert (tmp_path / "class" / "index.html").is_file()
    assert (tmp_path / "autograder.zip").is_file()
    moodle = tmp_path / "reports" / "Laboratorio 9-123456"
    assert "Ana Pérez" in (moodle / "moodle-worksheet.csv").read_text(encoding="utf-8-sig")


def _csv(path: Path) -> list[dict[str, str]]:
    import csv

    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_the_readme_rubric_is_a_valid_rubric(tmp_path: Path) -> None:
    from harness.rubric import load

    [block] = readme_blocks("toml")
    rubric = load(_write(tmp_path / "r.toml", block))
    assert rubric.checks["lab9.tcp_server.echo_prefix"].visibility == "hidden"
    assert rubric.limits.wall_s == 5
