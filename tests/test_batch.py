"""Batch grading of a class, the class page, the gradebook, the platform exports, shards and
their merge, the Gradescope adapter and the assignment repository's workflow.

One folder of generated submissions (the reference, the template, broken variants, zips,
a hostile one, unsafe archives) is graded once per module with ``--only lab9.tcp_server``
(a few seconds per submission) and every output is checked against the others.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shlex
import shutil
import stat
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from harness import batch as batch_mod
from harness.batch import Source, discover, parse_shard, run_batch, shard_of
from harness.batch_merge import merge
from harness.batch_progress import Progress, fmt_duration
from harness.batch_zip import UnsafeArchive, extract, submission_root
from harness.cli import CHECK_FORMATS, COMMANDS, build_parser, main
from harness.errors import UsageError
from harness.i18n import t
from harness.results import read_json
from tests.conftest import REFERENCE, REPO, TEMPLATE, make_submission
from tests.test_exports import (
    GITHUB_TEST_FIELDS,
    GITHUB_TOP_FIELDS,
    GRADESCOPE_TEST_FIELDS,
    GRADESCOPE_TEST_REQUIRED,
    GRADESCOPE_TOP_FIELDS,
    GRADESCOPE_TOP_REQUIRED,
    GRADESCOPE_VISIBILITIES,
)

ONLY = "lab9.tcp_server"
FULL = 7.0  # the default rubric's points for lab9.tcp_server
ECHO_PREFIX = 2.0
WEIRD = "zoé <b>&\"x\""

HOSTILE_SERVER = '''"""Hostil: ignora las señales, deja hijos colgados e inunda la salida."""
import os
import signal
import sys

for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
    signal.signal(sig, signal.SIG_IGN)
for _ in range(4):
    if os.fork() == 0:
        os.setsid()
        while True:
            signal.pause()
junk = "\\x1b[31m<script>alert(1)</script>\\x00" * 4096
while True:
    sys.stdout.write(junk)
'''


def zip_folder(folder: Path, archive: Path, *, prefix: str = "") -> Path:
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                zf.write(path, prefix + path.relative_to(folder).as_posix())
        zf.writestr("__MACOSX/._junk", b"\x00\x05\x16\x07")
    return archive


def zip_bomb(archive: Path, size: int) -> Path:
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("lab9/tcp_server.py", "w", force_zip64=True) as out:
            block = b"\0" * (1 << 20)
            for _ in range(size // len(block)):
                out.write(block)
    return archive


def build_class(root: Path) -> Path:
    """The class: what each submission should score is in EXPECTED."""
    subs = root / "subs"
    subs.mkdir(parents=True)
    make_submission(subs / "ana")
    shutil.copytree(TEMPLATE, subs / "beto")
    make_submission(subs / "carla", patch={"lab9/tcp_server.py": [('b"Resp: "', 'b"Rsp: "')]})
    make_submission(root / "dani")
    zip_folder(root / "dani", subs / "dani.zip", prefix="dani-entrega/")
    make_submission(subs / "eva", patch={"lab9/tcp_server.py": [("def main", "def main(:")]})
    make_submission(subs / "fede", files={"lab9/tcp_server.py": HOSTILE_SERVER})
    zip_bomb(subs / "gabi.zip", 60 << 20)
    with zipfile.ZipFile(subs / "hugo.zip", "w") as zf:
        zf.writestr("lab9/tcp_server.py", "print('hola')\n")
        zf.writestr("../../escaped.py", "print('fuera')\n")
    zip_folder(REFERENCE, subs / "ana.zip")
    make_submission(subs / WEIRD)
    (subs / "notas.txt").write_text("no es una entrega", encoding="utf-8")
    (subs / ".oculto").mkdir()
    return subs


EXPECTED = {"ana": FULL, "beto": 0.0, "carla": FULL - ECHO_PREFIX, "dani": FULL, "eva": 0.0,
            "fede": 0.0, WEIRD: FULL}
UNGRADED = {"gabi": "MB", "hugo": "escaped.py", "ana.zip": "ana"}


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The class graded whole (CLI, two jobs, every export), then in two shards, merged."""
    root = tmp_path_factory.mktemp("class")
    subs = build_class(root)
    out = root / "out"
    summary = root / "step-summary.md"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GITHUB_STEP_SUMMARY", str(summary))
        code = main(["batch", str(subs), "--out", str(out), "--only", ONLY, "--jobs", "2",
                     "--lang", "en", "--format", "gradescope,github,junit"])
    assert code == 0
    shards = []
    for i in (1, 2):
        shard_out = root / f"shard{i}"
        run_batch(subs, out=shard_out, jobs=2, lang="en", only=[ONLY], shard=(i, 2),
                  progress=False)
        shards.append(shard_out)
    assert main(["merge", *map(str, shards), "--out", str(root / "merged")]) == 0
    return {"root": root, "subs": subs, "out": out, "shards": shards,
            "merged": root / "merged", "summary": summary}


def manifest(out: Path) -> dict[str, Any]:
    return json.loads((out / "batch.json").read_text(encoding="utf-8"))


def csv_rows(out: Path) -> list[dict[str, str]]:
    with (out / "grades.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


class PageParser(HTMLParser):
    """Well-formedness, the student table's rows, external references."""

    VOID = frozenset({"meta", "br", "hr", "img", "input", "link", "source", "wbr", "col",
                      "area"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.rows: dict[str, dict[str, str]] = {}
        self.links: list[str] = []
        self.external: list[str] = []
        self.rects = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "tr" and "data-score" in a:
            self.rows[a["data-name"]] = a
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        if tag == "rect" and a.get("class") == "col":
            self.rects += 1
        for key in ("src", "href"):
            if a.get(key, "").startswith(("http:", "https:", "//")):
                self.external.append(a[key])
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-3:]}"
        self.stack.pop()


def parse_page(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    assert parser.stack == []
    return parser


# --------------------------------------------------------------------------- the whole class


def test_every_submission_is_accounted_for(graded: dict[str, Any]) -> None:
    entries = {e["name"]: e for e in manifest(graded["out"])["entries"]}
    assert set(entries) == set(EXPECTED) | set(UNGRADED)
    for name, score in EXPECTED.items():
        assert entries[name]["status"] == "graded", entries[name]
        assert entries[name]["score"] == score, name
        assert entries[name]["max_score"] == FULL
    for name, hint in UNGRADED.items():
        assert entries[name]["status"] == "ungraded"
        assert hint in entries[name]["reason"], entries[name]["reason"]
    assert entries["dani"]["source"] == "dani.zip"
    eva = read_json(graded["out"] / "submissions" / "eva" / "results.json")
    assert [p.file for p in eva.problems] == ["lab9/tcp_server.py"]


def test_every_output_exists_and_parses(graded: dict[str, Any]) -> None:
    out = graded["out"]
    page = parse_page(out / "index.html")
    assert page.external == []
    assert page.rects == 10
    for name in EXPECTED:
        sub = out / "submissions" / name
        result = read_json(sub / "results.json")
        assert result.submission == name
        assert result.rubric_sha256 and result.submission_sha256
        parse_page(sub / "report.html")
        json.loads((sub / "gradescope.json").read_text(encoding="utf-8"))
        json.loads((sub / "classroom.json").read_text(encoding="utf-8"))
        ET.parse(sub / "junit.xml")
        assert (sub / "summary.md").read_text(encoding="utf-8").startswith("## ")
        assert page.rows[name]["data-name"] == name
    suites = ET.parse(out / "junit.xml").getroot()
    assert suites.tag == "testsuites" and len(suites) == len(EXPECTED)
    assert int(suites.get("tests", "0")) == sum(len(s.findall("testcase")) for s in suites)


def test_links_reach_every_report_even_with_odd_names(graded: dict[str, Any]) -> None:
    from urllib.parse import unquote

    out = graded["out"]
    page = parse_page(out / "index.html")
    reports = [h for h in page.links if h.endswith("report.html")]
    assert len(reports) == len(EXPECTED)
    for href in reports:
        assert "<" not in href and " " not in href
        assert (out / unquote(href)).is_file()
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "<b>&" not in html and "zoé &lt;b&gt;&amp;" in html


def test_scores_agree_across_every_format(graded: dict[str, Any]) -> None:
    out = graded["out"]
    page = parse_page(out / "index.html")
    rows = {r["submission"]: r for r in csv_rows(out)}
    entries = {e["name"]: e for e in manifest(out)["entries"]}
    suites = {s.get("name"): s for s in ET.parse(out / "junit.xml").getroot()}
    for name, expected in EXPECTED.items():
        sub = out / "submissions" / name
        result = read_json(sub / "results.json")
        gs = json.loads((sub / "gradescope.json").read_text(encoding="utf-8"))
        gh = json.loads((sub / "classroom.json").read_text(encoding="utf-8"))
        props = {p.get("name"): p.get("value") for p in ET.parse(sub / "junit.xml").iter(
            "property")}
        class_props = {p.get("name"): p.get("value") for p in suites[name].iter("property")}
        scores = {
            "results.json": result.score,
            "manifest": entries[name]["score"],
            "gradescope": gs["score"],
            "gradescope tests": sum(x["score"] for x in gs["tests"]),
            "classroom tests": sum(x["score"] for x in gh["tests"]),
            "junit": float(props["score"] or "nan"),
            "class junit": float(class_props["score"] or "nan"),
            "grades.csv": float(rows[name]["total"]),
            "grades.csv task": float(rows[name][ONLY]),
            "index.html": float(page.rows[name]["data-score"]),
        }
        assert set(scores.values()) == {expected}, (name, scores)
        maxima = {result.max_score, gh["max_score"], float(rows[name]["max_score"]),
                  sum(x["max_score"] for x in gs["tests"]), float(page.rows[name]["data-max"])}
        assert maxima == {FULL}, (name, maxima)
    for name in UNGRADED:
        assert rows[name]["status"] == "ungraded" and rows[name]["total"] == ""


def test_class_job_summary_lists_every_submission(graded: dict[str, Any]) -> None:
    text = graded["summary"].read_text(encoding="utf-8")
    assert text.startswith("## Class summary")
    for name, score in EXPECTED.items():
        if "<" not in name:
            assert f"| {name} | {score:g} / {FULL:g} |" in text
    assert "zoé &lt;b&gt;&amp;" in text
    for name in UNGRADED:
        assert f"- {name.replace('_', chr(92) + '_')}: " in text


def test_gradescope_and_github_outputs_follow_the_published_fields(
        graded: dict[str, Any]) -> None:
    for name in EXPECTED:
        sub = graded["out"] / "submissions" / name
        gs = json.loads((sub / "gradescope.json").read_text(encoding="utf-8"))
        assert GRADESCOPE_TOP_REQUIRED <= gs.keys() <= GRADESCOPE_TOP_FIELDS
        for test in gs["tests"]:
            assert GRADESCOPE_TEST_REQUIRED <= test.keys() <= GRADESCOPE_TEST_FIELDS
            assert test["visibility"] in GRADESCOPE_VISIBILITIES
        assert isinstance(gs["execution_time"], (int, float))
        gh = json.loads((sub / "classroom.json").read_text(encoding="utf-8"))
        assert gh.keys() == GITHUB_TOP_FIELDS and gh["version"] == 3
        assert gh["status"] in ("pass", "fail", "error")
        for test in gh["tests"]:
            assert test.keys() == GITHUB_TEST_FIELDS
            assert test["status"] in ("pass", "fail", "error")


def test_class_page_shows_chart_pass_rates_table_and_ungraded(graded: dict[str, Any]) -> None:
    html = (graded["out"] / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en"' in html
    assert 'id="score-chart"' in html and 'id="students-table"' in html
    assert 'id="rate-lab9.tcp_server.echo_prefix"' in html
    assert 'id="ungraded-table"' in html
    for name in UNGRADED:
        assert f'data-name="{name}"' in html
    assert "Content-Security-Policy" in html and "http" not in html.split("<body>")[1].replace(
        'xmlns="http://www.w3.org/2000/svg"', "")
    assert "<script>alert" not in html


def test_hostile_submission_is_bounded_and_leaves_no_process(graded: dict[str, Any]) -> None:
    fede = read_json(graded["out"] / "submissions" / "fede" / "results.json")
    assert fede.score == 0 and all(c.status == "failed" for c in fede.checks)
    assert fede.duration_s < 120
    ana = read_json(graded["out"] / "submissions" / "ana" / "results.json")
    assert ana.score == FULL and ana.duration_s < 60
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True, check=False)
    assert "fede" not in ps.stdout


# --------------------------------------------------------------------------- shards and merge


def test_sharded_grading_merged_equals_unsharded(graded: dict[str, Any]) -> None:
    whole, merged = graded["out"], graded["merged"]
    assert (merged / "grades.csv").read_bytes() == (whole / "grades.csv").read_bytes()

    def scores(out: Path) -> list[tuple[Any, ...]]:
        return [(e["name"], e["status"], e["score"], e["max_score"], e["submission_sha256"],
                 e["reason"]) for e in manifest(out)["entries"]]

    assert scores(merged) == scores(whole)
    pages = [parse_page(out / "index.html").rows for out in (whole, merged)]
    assert {k: v["data-score"] for k, v in pages[0].items()} == \
        {k: v["data-score"] for k, v in pages[1].items()}
    for name in EXPECTED:
        assert (merged / "submissions" / name / "report.html").is_file()
    names = [{e["name"] for e in manifest(s)["entries"]} for s in graded["shards"]]
    assert names[0] and names[1] and not names[0] & names[1]


def test_merge_refuses_a_missing_or_repeated_shard(graded: dict[str, Any],
                                                   tmp_path: Path) -> None:
    first, second = graded["shards"]
    with pytest.raises(UsageError, match="missing 2/2"):
        merge([first], out=tmp_path / "m1")
    with pytest.raises(UsageError, match="exactly once"):
        merge([first, first, second], out=tmp_path / "m2")
    with pytest.raises(UsageError, match="not a batch output folder"):
        merge([tmp_path], out=tmp_path / "m3")


def test_shards_are_deterministic_disjoint_slices_covering_everything() -> None:
    items = [f"s{i:02d}" for i in range(23)]
    for n in (1, 2, 3, 7, 30):
        slices = [shard_of(items, (i, n)) for i in range(1, n + 1)]
        assert sorted(x for s in slices for x in s) == items
        assert sum(len(s) for s in slices) == len(items)
        assert slices == [shard_of(items, (i, n)) for i in range(1, n + 1)]
    assert parse_shard("2/4") == (2, 4)
    for bad in ("0/2", "3/2", "x", "1/0", "1-2"):
        with pytest.raises(UsageError, match="--shard"):
            parse_shard(bad)


# --------------------------------------------------------------------------- cache


def test_rerun_skips_unchanged_regrades_changed_and_force(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    subs.mkdir()
    make_submission(subs / "ana")
    make_submission(subs / "beto")
    out = tmp_path / "out"
    kw: dict[str, Any] = {"out": out, "jobs": 2, "only": [ONLY], "progress": False}
    first = run_batch(subs, **kw)
    assert [e.cached for e in first.entries] == [False, False]
    again = run_batch(subs, **kw)
    assert [e.cached for e in again.entries] == [True, True]
    assert [e.score for e in again.entries] == [FULL, FULL]
    path = subs / "beto" / "lab9" / "tcp_server.py"
    path.write_text(path.read_text(encoding="utf-8").replace('b"Resp: "', 'b"R: "'),
                    encoding="utf-8")
    changed = run_batch(subs, **kw)
    assert [(e.name, e.cached, e.score) for e in changed.entries] == [
        ("ana", True, FULL), ("beto", False, FULL - ECHO_PREFIX)]
    assert [e.cached for e in run_batch(subs, **kw, force=True).entries] == [False, False]
    other = run_batch(subs, **{**kw, "only": ["lab9.udp_client"]})
    assert [e.cached for e in other.entries] == [False, False]
    assert [e.cached for e in run_batch(subs, **{**kw, "lang": "en"}).entries] == [False, False]


def test_a_harness_bug_in_one_submission_does_not_stop_the_batch(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    subs = tmp_path / "subs"
    subs.mkdir()
    make_submission(subs / "ana")
    make_submission(subs / "boom")
    real = batch_mod.grade

    def flaky(root: Path, **kw: Any) -> Any:
        if kw.get("name") == "boom":
            raise RuntimeError("simulated harness bug")
        return real(root, **kw)

    monkeypatch.setattr(batch_mod, "grade", flaky)
    result = run_batch(subs, out=tmp_path / "out", only=[ONLY], progress=False, lang="en")
    by_name = {e.name: e for e in result.entries}
    assert by_name["ana"].score == FULL
    assert by_name["boom"].status == "ungraded"
    assert "simulated harness bug" in by_name["boom"].reason
    assert "RuntimeError" in by_name["boom"].detail
    html = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "simulated harness bug" in html


# --------------------------------------------------------------------------- discovery, zips


def test_discovery_takes_folders_and_zips_and_reports_clashes(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "a.zip").write_bytes(b"")
    (tmp_path / "b.ZIP").write_bytes(b"")
    (tmp_path / "__MACOSX").mkdir()
    (tmp_path / ".git").mkdir()
    (tmp_path / "readme.txt").write_text("x", encoding="utf-8")
    (tmp_path / "old-output").mkdir()
    (tmp_path / "old-output" / "batch.json").write_text("{}", encoding="utf-8")
    (tmp_path / "out").mkdir()
    found = discover(tmp_path, exclude=tmp_path / "out")
    assert [(s.name, s.kind, s.duplicate_of) for s in found] == [
        ("a", "zip", ""), ("b", "folder", ""), ("b.ZIP", "zip", "b")]
    with pytest.raises(UsageError, match="not found"):
        discover(tmp_path / "missing")
    assert isinstance(found[0], Source)


def test_zip_extraction_unwraps_and_skips_clutter(tmp_path: Path) -> None:
    archive = zip_folder(REFERENCE, tmp_path / "a.zip", prefix="entrega/")
    root = submission_root(extract(archive, tmp_path / "x"))
    assert root.name == "entrega" and (root / "lab9" / "tcp_server.py").is_file()
    assert not (tmp_path / "x" / "__MACOSX").exists()


@pytest.mark.parametrize("case", ["traversal", "absolute", "symlink", "bomb", "too_many",
                                  "not_zip", "duplicate"])
def test_unsafe_archives_are_refused_with_a_reason(tmp_path: Path, case: str) -> None:
    archive = tmp_path / "a.zip"
    if case == "not_zip":
        archive.write_bytes(b"PK\x03\x04 broken")
    elif case == "bomb":
        zip_bomb(archive, 8 << 20)
    else:
        with zipfile.ZipFile(archive, "w") as zf:
            if case == "traversal":
                zf.writestr("lab9/../../evil.py", "x")
            elif case == "absolute":
                zf.writestr("/etc/evil.py", "x")
            elif case == "symlink":
                info = zipfile.ZipInfo("lab9/tcp_server.py")
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
                zf.writestr(info, "/etc/passwd")
            elif case == "too_many":
                for i in range(12):
                    zf.writestr(f"f{i}.py", "")
            elif case == "duplicate":
                zf.writestr("a.py", "1")
                zf.writestr("./a.py", "2")
    dest = tmp_path / "out"
    with pytest.raises(UnsafeArchive) as info:
        extract(archive, dest, max_files=10, max_bytes=4 << 20)
    assert str(info.value) and info.value.message("es") != info.value.message("en")
    assert not (tmp_path / "evil.py").exists()
    assert not any(p.is_symlink() for p in dest.rglob("*")) if dest.exists() else True


# --------------------------------------------------------------------------- progress


def test_progress_prints_one_line_per_submission_off_a_terminal() -> None:
    stream = io.StringIO()
    bar = Progress(3, lang="en", stream=stream, tty=False)
    for name in ("a", "b", "c"):
        bar.finished(name, f"{name}: done", cached=name == "b")
    bar.close()
    assert stream.getvalue().splitlines() == ["[1/3] a: done", "[2/3] b: done", "[3/3] c: done"]


def test_progress_bar_on_a_terminal_shows_an_estimate() -> None:
    stream = io.StringIO()
    bar = Progress(4, lang="en", stream=stream, tty=True)
    bar.finished("a", "", cached=False)
    text = stream.getvalue()
    assert text.startswith("\r[") and "1/4" in text and "left" in text and "\n" not in text
    bar.close()
    assert stream.getvalue().endswith("\n")
    assert fmt_duration(65) == "1:05" and fmt_duration(3723) == "1:02:03"


# --------------------------------------------------------------------------- the CLI


# the batch's usage mistakes are in the table of tests/test_cli.py


def test_a_folder_without_submissions_is_refused_and_nothing_written(tmp_path: Path) -> None:
    (tmp_path / "subs").mkdir()
    with pytest.raises(UsageError) as info:
        run_batch(tmp_path / "subs", out=tmp_path / "out", progress=False)
    assert info.value.key == "usage.no_submissions"
    make_submission(tmp_path / "one")
    with pytest.raises(UsageError) as info:
        run_batch(tmp_path / "one", out=tmp_path / "out", progress=False)
    assert info.value.key == "usage.no_submissions.single"
    assert not (tmp_path / "out").exists()


def test_outputs_inside_the_graded_folder_are_never_graded(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`labgrade batch .` from inside the class folder writes reports/ there: the next run
    must neither grade it nor see a changed class."""
    subs = tmp_path / "subs"
    make_submission(subs / "ana")
    monkeypatch.chdir(subs)
    for _ in range(2):
        assert main(["batch", ".", "--only", ONLY, "-q", "--lang", "en"]) == 0
    out = subs / "reports" / "subs"
    entries = manifest(out)["entries"]
    assert [(e["name"], e["cached"], e["score"]) for e in entries] == [("ana", True, FULL)]
    assert [row["submission"] for row in csv_rows(out)] == ["ana"]
    earlier = subs / "old"  # an earlier run's output folder, under another name
    shutil.copytree(out, earlier / "run1")
    shutil.copytree(out / "submissions" / "ana", subs / "ana-report")  # `grade --out` there
    assert main(["batch", ".", "--only", ONLY, "-q", "--lang", "en"]) == 0
    assert [e["name"] for e in manifest(out)["entries"]] == ["ana"]
    (subs / "reports" / "notes.txt").write_text("mine", encoding="utf-8")  # not an output:
    assert main(["batch", ".", "--only", ONLY, "-q", "--lang", "en"]) == 2  # reports/ is
    # now something a student could have handed in: refused rather than guessed


def test_what_an_earlier_run_wrote_and_this_one_did_not_is_removed(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    make_submission(subs / "ana")
    make_submission(subs / "beto")
    out = tmp_path / "out"
    kw: dict[str, Any] = {"out": out, "only": [ONLY], "progress": False}
    run_batch(subs, **kw, formats=["gradescope", "github", "junit"])
    exports = {"gradescope.json", "classroom.json", "summary.md", "junit.xml"}
    ana = out / "submissions" / "ana"
    assert exports <= {p.name for p in ana.iterdir()} and (out / "junit.xml").is_file()
    shutil.rmtree(subs / "beto")
    (out / "submissions" / "mine").mkdir()  # not written by labgrade: left alone
    again = run_batch(subs, **kw)
    assert [(e.name, e.cached) for e in again.entries] == [("ana", True)]
    assert {p.name for p in ana.iterdir()} == {"report.html", "student.html", "results.json"}
    assert not (out / "junit.xml").exists()
    assert sorted(p.name for p in (out / "submissions").iterdir()) == ["ana", "mine"]


# --------------------------------------------------------------------------- Gradescope


_GRADESCOPE_SCRIPT = """
import sys
from harness import warm
from harness.gradescope.__main__ import main
try:
    if sys.argv[2] == "command-line":
        sys.argv[:] = ["python -m harness.gradescope", "run", "--root", sys.argv[1]]
        main()
    else:
        main(["run", "--root", sys.argv[1]])
except SystemExit:
    pass
print(warm._server.forked)
"""


@pytest.mark.parametrize(("how", "forked"), [("command-line", True), ("embedded", False)])
def test_the_gradescope_command_forks_its_warm_server(tmp_path: Path, how: str,
                                                      forked: bool) -> None:
    """``python -m harness.gradescope run`` (what run_autograder calls: one grading per
    machine, the whole command counts) forks its warm server as ``labgrade`` does; its
    main() called by another program does not (see harness.warm_fork.allow_fork)."""
    from harness.gradescope import bundle

    root = tmp_path / "autograder"
    make_submission(root / "submission")
    archive = bundle(tmp_path / "autograder.zip", only=[ONLY], lang="en",
                     spec="labgrade @ git+https://example.invalid/labgrade")
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(root / "source")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PYTEST_"))}
    proc = subprocess.run([sys.executable, "-c", _GRADESCOPE_SCRIPT, str(root), how],
                          cwd=REPO, env={**env, "PYTHONPATH": str(REPO)},
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split()[-1] == str(forked), proc.stdout
    gs = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    assert gs["score"] == FULL


def test_run_autograder_writes_gradescope_results_in_a_fake_root(tmp_path: Path) -> None:
    from harness.gradescope import bundle, script

    root = tmp_path / "autograder"
    make_submission(root / "submission")
    archive = bundle(tmp_path / "autograder.zip", only=[ONLY], lang="en",
                     spec="labgrade @ git+https://example.invalid/labgrade")
    with zipfile.ZipFile(archive) as zf:
        assert set(zf.namelist()) == {"setup.sh", "run_autograder", "requirements.txt",
                                      "labgrade.json"}
        for name in ("setup.sh", "run_autograder"):
            assert zf.getinfo(name).external_attr >> 16 & 0o111
        zf.extractall(root / "source")
    (root / "submission_metadata.json").write_text(
        json.dumps({"users": [{"name": "Ana Pérez", "email": "ana@example.org"}]}),
        encoding="utf-8")
    runner = root / "source" / "run_autograder"
    assert runner.read_text(encoding="utf-8") == script("run_autograder")
    env = {**os.environ, "LABGRADE_AUTOGRADER_ROOT": str(root),
           "LABGRADE_PYTHON": sys.executable, "PYTHONPATH": str(REPO)}
    proc = subprocess.run(["bash", str(runner)], env=env, capture_output=True, text=True,
                          timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    gs = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    assert GRADESCOPE_TOP_REQUIRED <= gs.keys() <= GRADESCOPE_TOP_FIELDS
    assert gs["score"] == FULL and len(gs["tests"]) == 5
    assert all(GRADESCOPE_TEST_REQUIRED <= x.keys() for x in gs["tests"])
    assert (root / "submission" / "lab9" / "tcp_server.py").is_file()
    for name in ("setup.sh", "run_autograder"):
        syntax = subprocess.run(["bash", "-n", str(root / "source" / name)], check=False)
        assert syntax.returncode == 0


def test_run_autograder_explains_an_ungradable_upload(tmp_path: Path) -> None:
    from harness.gradescope import run

    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    zip_bomb(root / "submission" / "entrega.zip", 60 << 20)
    gs = json.loads(run(root).read_text(encoding="utf-8"))
    assert gs["score"] == 0 and gs["tests"] == []
    assert gs["output"].startswith(t("batch.gradescope.failed", "es", reason="")[:20])


def test_run_autograder_explains_files_uploaded_without_their_folders(tmp_path: Path) -> None:
    """Gradescope uploads are often loose files: the student reads where they belong."""
    from harness.errors import HarnessError
    from harness.gradescope import run

    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    shutil.copy(REFERENCE / "lab9" / "tcp_server.py", root / "submission" / "tcp_server.py")
    (root / "source").mkdir()
    (root / "source" / "labgrade.json").write_text(json.dumps({"lang": "en", "only": [ONLY]}),
                                                   encoding="utf-8")
    gs = json.loads(run(root).read_text(encoding="utf-8"))
    assert gs["score"] == 0 and gs["tests"] == []
    reason = HarnessError(key="usage.not_submission.flat", path="", wanted="lab9/",
                          found="tcp_server.py", fix="lab9/tcp_server.py").message("en")
    assert reason.split(": ", 1)[1] in gs["output"]


# --------------------------------------------------------------------------- the workflow


WORKFLOW = TEMPLATE / ".github" / "workflows" / "classroom.yml"


def test_assignment_workflow_parses_and_names_only_existing_commands() -> None:
    yaml = pytest.importorskip("yaml")
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    on = data.get("on", data.get(True))
    assert "push" in on
    steps = data["jobs"]["run-autograding-tests"]["steps"]
    uses = [s["uses"].split("@")[0] for s in steps if "uses" in s]
    assert uses[:2] == ["actions/checkout", "actions/setup-python"]
    assert "classroom-resources/autograding-grading-reporter" in uses
    commands = []
    for step in steps:
        for line in step.get("run", "").splitlines():
            words = shlex.split(line, comments=True)
            if words and words[0] == "labgrade":
                commands.append(words[1:])
    assert commands, "the workflow runs no labgrade command"
    parser = build_parser()
    for argv in commands:
        assert argv[0] in COMMANDS
        args = parser.parse_args(argv)
        if argv[0] == "check":
            assert set(args.format.split(",")) <= set(CHECK_FORMATS)
            assert "github" in args.format
    check = next(s for s in steps if "labgrade check" in s.get("run", ""))
    reporter = next(s for s in steps if "grading-reporter" in s.get("uses", ""))
    runner = reporter["with"]["runners"]
    assert runner == check["id"]
    assert reporter["env"][f"{runner.upper()}_RESULTS"] == \
        f"${{{{ steps.{check['id']}.outputs.result }}}}"
    assert reporter.get("if") == "always()"
    assert "LABGRADE_SPEC" in data["env"]


def test_the_workflow_stops_until_the_harness_spec_is_set(tmp_path: Path) -> None:
    """An unset LABGRADE_SPEC must not install whatever a package index calls labgrade."""
    yaml = pytest.importorskip("yaml")
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert data["env"]["LABGRADE_SPEC"] == ""
    steps = data["jobs"]["run-autograding-tests"]["steps"]
    install = next(s["run"] for s in steps if "pip install" in s.get("run", ""))
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    (fake_bin / "python").write_text("#!/bin/sh\necho \"pip $*\"\n", encoding="utf-8")
    (fake_bin / "python").chmod(0o755)
    env = {"PATH": f"{fake_bin}{os.pathsep}{os.environ['PATH']}"}
    unset = subprocess.run(["bash", "-e", "-c", install], env={**env, "LABGRADE_SPEC": ""},
                           capture_output=True, text=True, timeout=60, check=False)
    assert unset.returncode == 1
    assert unset.stdout.startswith("::error title=LABGRADE_SPEC::Set LABGRADE_SPEC")
    assert "pip -m" not in unset.stdout  # the fake python never ran
    spec = "labgrade @ git+https://example.invalid/labgrade@v1"
    ok = subprocess.run(["bash", "-e", "-c", install], env={**env, "LABGRADE_SPEC": spec},
                        capture_output=True, text=True, timeout=60, check=False)
    assert ok.returncode == 0 and ok.stdout == f"pip -m pip install {spec}\n"


def test_new_assignment_repos_get_the_workflow(tmp_path: Path) -> None:
    from harness.templates import copy_template

    copy_template(tmp_path / "repo")
    copied = tmp_path / "repo" / ".github" / "workflows" / "classroom.yml"
    assert copied.read_bytes() == WORKFLOW.read_bytes()


# --------------------------------------------------------------------------- packaging


def test_a_clean_build_ships_every_data_file(tmp_path: Path) -> None:
    """Templates, catalogues, the Gradescope scripts and the workflow are package data; a
    build from a clean copy (no stale egg-info to lean on) must carry every one of them."""
    src = tmp_path / "src"
    shutil.copytree(REPO, src, ignore=shutil.ignore_patterns(
        ".git", ".tox", "build", "*.egg-info", "__pycache__", "reports", "tests", "bench"))
    out = tmp_path / "build"
    proc = subprocess.run([sys.executable, "-c", "import setuptools; setuptools.setup()", "-q",
                           "build_py", "-d", str(out)], cwd=src, capture_output=True,
                          text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    shipped = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    wanted = set()
    for folder, prefix in (("harness", "harness"), ("reference", "harness/_data/reference"),
                           ("student_template", "harness/_data/student_template")):
        wanted |= {f"{prefix}/{p.relative_to(src / folder).as_posix()}"
                   for p in (src / folder).rglob("*") if p.is_file()}
    assert wanted - shipped == set()
    assert os.access(out / "harness" / "gradescope" / "run_autograder", os.X_OK)


def test_a_merge_writes_the_course_platforms_files_as_a_batch_does(
        graded: dict[str, Any], tmp_path: Path) -> None:
    """``labgrade merge`` takes the platform options of ``labgrade batch``: the shards of a
    class merged with ``--canvas`` give the Canvas file, each student's points in it."""
    from harness.platforms.csvfile import number

    export = tmp_path / "canvas-export.csv"
    export.write_text("Student,ID,SIS User ID,SIS Login ID,Section,Lab 9 (4411)\n"
                      "    Points Possible,,,,,10\n"
                      "\"Pérez, Ana\",31,A-1,ana,S1,\n"
                      "\"Ruiz, Carla\",32,A-2,carla,S1,\n"
                      "\"Solo, Han\",33,A-3,han,S2,\n", encoding="utf-8")
    out = tmp_path / "merged"
    assert main(["merge", *map(str, graded["shards"]), "--out", str(out), "--canvas",
                 str(export), "--assignment", "Lab 9"]) == 0
    rows = list(csv.reader(io.StringIO((out / "canvas.csv").read_text(encoding="utf-8"))))
    assert rows[0][5] == "Lab 9 (4411)"
    assert rows[2:] == [["Pérez, Ana", "31", "A-1", "ana", "S1", number(EXPECTED["ana"])],
                        ["Ruiz, Carla", "32", "A-2", "carla", "S1",
                         number(EXPECTED["carla"])]]
