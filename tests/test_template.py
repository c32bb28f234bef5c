"""Issue 12: grading runs of the built-in packs forked by a template that has started pytest
and collected (:mod:`harness.template`) give the verdicts of runs that start pytest
themselves, one template serves every run of its check files, a dead template is replaced by
runs the warm server forks itself, and no template outlives its server."""

from __future__ import annotations

import os
import re
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from harness import engine, template, warm
from harness.protocol import RunConfig
from tests.conftest import REFERENCE, TEMPLATE

pytestmark = pytest.mark.skipif(
    not warm.enabled() or not template.enabled(),
    reason="templates need the warm server, fork and clone(CLONE_PARENT) (Linux, x86_64 or "
           "aarch64); elsewhere the server forks every run itself")
SMALL = ["lab9.udp_time_server", "lab9.tcp_client", "recipes.r05_byte_order",
         "recipes.r13_tcp_echo_client"]


def _children(pid: int) -> list[int]:
    """The live processes whose parent is ``pid`` (zombies left out)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            status = Path(f"/proc/{entry}/status").read_text(encoding="ascii")
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if int(fields["PPid"]) == pid and not fields["State"].strip().startswith("Z"):
            found.append(int(entry))
    return found


def _settled_children(pid: int, want: int) -> list[int]:
    """The server's children once its runs are reaped (a run's end is reported before its
    last process is gone); at most a few seconds."""
    deadline = time.monotonic() + 10
    while len(kids := _children(pid)) > want and time.monotonic() < deadline:
        time.sleep(0.05)
    return kids


def _verdicts(path: Path, flag: str, monkeypatch: Any, **kw: Any
              ) -> list[tuple[str, str, float, str]]:
    monkeypatch.setenv(template.TEMPLATE_ENV, flag)
    result = engine.grade(path, report=False, **kw)
    # the message without its numbers and random words (``hola-dcCIFEEQsf``): some checks
    # draw their inputs at random
    return [(c.id, c.status, c.score, re.sub(r"\d+", "N", re.sub(r"-\w{6,}", "-R", c.message)))
            for c in result.checks]


@pytest.mark.parametrize("shards", [1, 2])
@pytest.mark.parametrize("path", [REFERENCE, TEMPLATE], ids=["reference", "template"])
def test_templated_runs_give_the_verdicts_of_runs_that_start_pytest(
        path: Path, shards: int, monkeypatch: Any) -> None:
    warm.stop()
    try:
        plain = _verdicts(path, "0", monkeypatch, only=SMALL, shards=shards)
        assert len(plain) >= 12
        assert {s for _, s, _, _ in plain} == \
            ({"passed"} if path == REFERENCE else {"failed"})
        server = warm.server(engine._runner_env())
        assert server is not None
        assert _settled_children(server.proc.pid, 0) == []  # no template was made
        warm.stop()
        for _ in range(2):  # the first run starts the template; the next are forked by it
            assert _verdicts(path, "1", monkeypatch, only=SMALL, shards=shards) == plain
        server = warm.server(engine._runner_env())
        assert server is not None
        assert len(_settled_children(server.proc.pid, 1)) == 1
    finally:
        warm.stop()


def test_one_template_per_set_of_files_and_none_outlives_its_server(monkeypatch: Any
                                                                   ) -> None:
    """Runs of the same check files share one template, another set of files gets its own,
    the template forks no process of its own (its runs are the server's children), and the
    templates have ended when the server has."""
    monkeypatch.delenv(template.TEMPLATE_ENV, raising=False)
    warm.stop()
    try:
        for _ in range(2):
            assert engine.grade(REFERENCE, only=["lab9"], report=False, shards=1).score == 48
        server = warm.server(engine._runner_env())
        assert server is not None
        pid = server.proc.pid
        (first,) = _settled_children(pid, 1)
        assert _children(first) == []
        assert engine.grade(REFERENCE, only=["recipes.r05_byte_order"], report=False,
                            shards=1).score > 0
        kids = _settled_children(pid, 2)
        assert first in kids and len(kids) == 2
    finally:
        warm.stop()
    # gone, not still freeing their memory, when the server is (the next grade would count
    # them as a busy core): the server kills them and waits for them on its way out
    assert not [k for k in kids if Path(f"/proc/{k}").exists()]


def test_a_dead_template_leaves_its_runs_to_the_server(monkeypatch: Any) -> None:
    """A template killed between two grades: the next runs of its files are forked by the
    server itself (no new template for them), with the same verdicts."""
    monkeypatch.delenv(template.TEMPLATE_ENV, raising=False)
    warm.stop()
    try:
        before = _verdicts(REFERENCE, "1", monkeypatch, only=["lab9.udp_client"], shards=1)
        server = warm.server(engine._runner_env())
        assert server is not None
        (made,) = _settled_children(server.proc.pid, 1)
        os.kill(made, signal.SIGKILL)
        assert _verdicts(REFERENCE, "1", monkeypatch, only=["lab9.udp_client"],
                         shards=1) == before
        assert {s for _, s, _, _ in before} == {"passed"}
        assert _settled_children(server.proc.pid, 0) == []
    finally:
        warm.stop()


def test_the_key_is_the_command_line_and_each_file_as_it_is(tmp_path: Path) -> None:
    """Runs share a template only with the same pytest command line (check files, their
    order, the check timeout) and the files unchanged; a run of course packs has none."""
    files = []
    for name in ("test_a.py", "test_b.py"):
        (tmp_path / name).write_text("X = 1\n", encoding="utf-8")
        files.append(str(tmp_path / name))

    def cfg(**kw: Any) -> RunConfig:
        return RunConfig(**{"workdir": "w", "report": "r", "isolation": {}, "limits": {},
                            "lang": "es", "builtin": True, "check_files": files, **kw})

    base = template.key(cfg())
    assert base is not None
    assert template.key(cfg(report="other", workdir="x", only=["lab9"], lang="en")) == base
    assert template.key(cfg(check_files=files[::-1])) != base
    assert template.key(cfg(check_timeout=5.0)) != base
    assert template.key(cfg(builtin=False)) is None
    os.utime(files[0], ns=(1, 1))
    assert template.key(cfg()) != base


def test_a_configuration_no_template_can_read_leaves_the_server_serving(tmp_path: Path
                                                                        ) -> None:
    """A run whose configuration is not one (the warm server reads it to find the run's
    template) ends as it would have started alone, with its traceback, and the server goes
    on serving the next runs."""
    from harness.protocol import ProtocolError

    warm.stop()
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
           "PYTHONPATH": str(Path(__file__).resolve().parents[1]), "TMPDIR": str(tmp_path)}
    cfg = tmp_path / "cfg.json"
    cfg.write_text('{"not": "a configuration"}', encoding="utf-8")
    try:
        server = warm.server(env)
        assert server is not None
        log = tmp_path / "log"
        code = warm.run([str(cfg)], env=env, cwd=tmp_path, log=log, timeout=60, base_env=env)
        assert code == 1
        assert ProtocolError.__name__ in log.read_text(encoding="utf-8")
        assert not server.gone and warm.server(env) is server
        assert engine.grade(REFERENCE, only=["lab9.udp_client"], report=False,
                            shards=1).score > 0
        assert warm.server(env) is server and not server.gone
    finally:
        warm.stop()
