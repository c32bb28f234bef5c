"""The command line, run as a user runs it: a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import REFERENCE, REPO, TEMPLATE


def labgrade(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "harness.cli", *args], capture_output=True,
                          text=True, timeout=300, cwd=cwd, check=False)


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


def test_usage_errors_are_one_clear_line(tmp_path: Path) -> None:
    missing = labgrade("grade", str(tmp_path / "nope"))
    assert missing.returncode == 2
    assert missing.stderr.strip().count("\n") == 0 and "not found" in missing.stderr
    bad_rubric = tmp_path / "r.toml"
    bad_rubric.write_text('[checks]\n"lab9.tcp_server.starts" = "many"\n', encoding="utf-8")
    proc = labgrade("grade", str(REFERENCE), "--rubric", str(bad_rubric))
    assert proc.returncode == 2 and "lab9.tcp_server.starts" in proc.stderr
    assert str(bad_rubric) in proc.stderr


def test_new_copies_the_template_in_the_chosen_language(tmp_path: Path) -> None:
    proc = labgrade("new", str(tmp_path / "mine"), "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "mine" / "lab9" / "tcp_server.py").is_file()
    again = labgrade("new", str(tmp_path / "mine"))
    assert again.returncode == 2


def test_a_spent_time_budget_keeps_finished_checks_and_fails_the_rest(tmp_path: Path) -> None:
    from tests.conftest import make_submission

    sub = make_submission(tmp_path / "sub", files={"lab9/tcp_server.py": "while True:\n    pass\n"})
    rubric = tmp_path / "r.toml"
    default = (REPO / "harness" / "rubric.toml").read_text(encoding="utf-8")
    # the budget must outlast the client's checks however busy the machine (they take a
    # second or two alone, several under load) and run out in the server's, which each wait
    # the whole 5 s window for a server that never listens (5 x 5 s > 20 s)
    rubric.write_text(default.replace("submission_s = 600.0", "submission_s = 20"),
                      encoding="utf-8")
    out = tmp_path / "out"
    proc = labgrade("grade", str(sub), "--out", str(out), "--rubric", str(rubric), "--lang", "en",
                    "--timeout", "5", "--only", "lab9.tcp_client", "--only", "lab9.tcp_server")
    assert proc.returncode == 0, proc.stderr
    checks = json.loads((out / "results.json").read_text(encoding="utf-8"))["checks"]
    client = [c for c in checks if c["task"] == "lab9.tcp_client"]
    server = [c for c in checks if c["task"] == "lab9.tcp_server"]
    assert client and all(c["status"] == "passed" for c in client)
    assert server and all(c["status"] == "failed" for c in server)
    assert any("total time (20 s)" in c["message"] for c in server)
