"""The class page as a real browser renders it: headless Chromium (Debian's ``chromium``,
installed by ``.ci/run``) loads ``index.html`` from disk, runs its sort script, and we read
back the DOM it built and a screenshot.

Skipped only when no Chromium is installed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from harness.batch import BatchResult, Entry
from harness.report.classpage import write_class_page
from harness.results import CheckResult, SubmissionResult

CHROMIUM = next((p for p in (shutil.which(n) for n in ("chromium", "chromium-browser",
                                                        "google-chrome")) if p), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed "
                                "(apt-get install chromium; .ci/run does it)")

CHECKS = [("lab9.tcp_server", "starts", 1), ("lab9.tcp_server", "echo_prefix", 2),
          ("lab9.udp_server", "starts", 1), ("lab9.udp_server", "echo_prefix", 2)]


def result(name: str, passed: set[int]) -> SubmissionResult:
    checks = [CheckResult(id=f"{task}.{check}", task=task, title=f"{check} title",
                          status="passed" if i in passed else "failed",
                          score=float(points) if i in passed else 0.0,
                          max_score=float(points))
              for i, (task, check, points) in enumerate(CHECKS)]
    return SubmissionResult(
        submission=name, score=sum(c.score for c in checks),
        max_score=sum(c.max_score for c in checks), lang="es",
        isolation="netns+pidns+uid+rlimits", duration_s=1.5, harness_version="0.1.0",
        submission_sha256="ab" * 32, checks=checks, rubric_sha256="cd" * 32)


CLASS = {"ana": {0, 1, 2, 3}, "beto": set(), "carla": {0, 2}, "dani": {0, 1, 2},
         "eva": {0}, "fede": {0, 1, 2, 3}, "gabi": {1, 3}}


@pytest.fixture
def page(tmp_path: Path) -> Path:
    results = {name: result(name, passed) for name, passed in CLASS.items()}
    entries = [Entry(name, name, "graded", score=r.score, max_score=r.max_score)
               for name, r in results.items()]
    entries.append(Entry("hugo", "hugo.zip", "ungraded", reason="zip bomba"))
    batch = BatchResult(out=tmp_path, entries=sorted(entries, key=lambda e: e.name),
                        results=results, settings={"lang": "es", "harness_version": "0.1.0"})
    return write_class_page(batch, tmp_path / "index.html")


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", "--disable-extensions", "--hide-scrollbars",
         f"--user-data-dir={tmp_path / 'profile'}", *args],
        capture_output=True, text=True, timeout=120, check=False)


def rows(html: str, table: str) -> list[str]:
    body = re.search(rf'<table id="{table}"[^>]*>.*?<tbody>(.*?)</tbody>', html, re.S)
    assert body, f"no {table} in the page"
    return re.findall(r'<tr (?:id="rate-|data-name=")([^"]+)"', body.group(1))


def test_browser_renders_the_chart_and_sorts_the_tables(page: Path, tmp_path: Path) -> None:
    url = page.as_uri() + "#students-table=total-desc&checks-table=rate-asc"
    proc = chromium(tmp_path, "--dump-dom", url)
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = proc.stdout
    # the chart: ten bars, their heights follow the counts
    bars = re.findall(r'<rect class="col"[^>]*height="([\d.]+)"[^>]*data-count="(\d+)"', dom)
    assert len(bars) == 10
    assert all((float(h) > 0) == (int(n) > 0) for h, n in bars)
    assert sum(int(n) for _, n in bars) == len(CLASS)
    # the sort script ran: buttons in the headers, the state from the address applied
    assert re.search(r'<table id="students-table"[^>]*data-sort-ready', dom)
    assert 'data-sorted="total-desc"' in dom and 'data-sorted="rate-asc"' in dom
    assert re.search(r'<th[^>]*data-key="total"[^>]*aria-sort="descending"', dom)
    assert dom.count("<button") >= 10
    scores = {name: sum(p for i, (_, _, p) in enumerate(CHECKS) if i in passed)
              for name, passed in CLASS.items()}
    order = rows(dom, "students-table")
    assert [scores[n] for n in order] == sorted(scores.values(), reverse=True)
    assert order == sorted(scores, key=lambda n: (-scores[n], n))
    rates = rows(dom, "checks-table")
    passes = {f"{t}.{c}": sum(i in p for p in CLASS.values()) for i, (t, c, _) in
              enumerate(CHECKS)}
    assert [passes[r] for r in rates] == sorted(passes.values())
    assert "zip bomba" in dom


def test_without_script_the_table_is_readable_in_name_order(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    assert rows(html, "students-table") == sorted(CLASS)
    assert "data-sort-ready" not in html.split("<script>")[0]


def test_screenshot_of_the_class_page(page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "class.png"
    proc = chromium(tmp_path, "--window-size=1280,2000", f"--screenshot={shot}", page.as_uri())
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    assert "Content Security Policy" not in proc.stderr
