"""Issue 12: grading runs forked from a warm server (:mod:`harness.warm`) are what a fresh
``python -m harness.runner`` would be, end as it would, are killed past their time, leave
nothing behind, and give the verdicts of fresh ones."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from harness import engine, warm, warm_fork
from tests.conftest import REFERENCE, TEMPLATE

pytestmark = pytest.mark.skipif(not warm.enabled() and os.environ.get(warm.WARM_ENV) != "0",
                                reason="the warm server needs fork (Linux)")
PROBE = "tests.warm_probe"
REPO = Path(__file__).resolve().parents[1]


def _env(tmp: Path, **more: str) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(REPO),
            "TMPDIR": str(tmp), "LABGRADE_PROBE": "yes", **more}


@pytest.fixture
def server() -> Any:
    srv = warm.Server({"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(REPO),
                       "ONLY_THE_SERVER_HAS": "this"})
    yield srv
    srv.close()


def _probe(srv: warm.Server, tmp: Path, what: str, timeout: float | None = 60.0
           ) -> tuple[int | None, dict[str, Any], str]:
    report, log = tmp / f"{what}.json", tmp / f"{what}.log"
    code = srv.run([str(report), what], env=_env(tmp), cwd=tmp, log=log, timeout=timeout,
                   module=PROBE)
    seen = json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}
    return code, seen, log.read_text(encoding="utf-8") if log.exists() else ""


def test_a_forked_run_starts_as_a_fresh_interpreter_would(server: warm.Server,
                                                         tmp_path: Path) -> None:
    code, seen, log = _probe(server, tmp_path, "ok")
    assert code == 0
    assert seen["env"] == _env(tmp_path)  # exactly its own: nothing of the server's
    assert seen["cwd"] == str(tmp_path) and seen["tmp"] == str(tmp_path)
    assert seen["argv"] == [str(tmp_path / "ok.json"), "ok"] and seen["main"] == "__main__"
    assert seen["stdin"] == ""
    assert len(seen["fds"]) == 4, seen["fds"]  # 0, 1, 2 and the listing's own: no socket
    assert seen["sigint_default"] and seen["sigchld_default"] and seen["threads"] == 1
    # the server and the templates run without it; become_run, which a template's runs go
    # through too, gives it back
    assert seen["gc"] == [True, [700, 10, 10]]
    assert seen["ppid"] == server.proc.pid
    assert "to stdout" in log and "to stderr" in log


@pytest.mark.parametrize(("what", "code", "said"), [
    ("exit3", 3, ""), ("say", 1, "bye"), ("raise", 1, "ValueError: probe"),
    ("signal", -signal.SIGTERM, "")])
def test_a_forked_run_ends_as_an_interpreter_does(server: warm.Server, tmp_path: Path,
                                                  what: str, code: int, said: str) -> None:
    got, _, log = _probe(server, tmp_path, what)
    assert got == code
    assert said in log


def test_non_daemon_threads_are_joined_before_the_run_ends(server: warm.Server,
                                                           tmp_path: Path) -> None:
    code, _, _ = _probe(server, tmp_path, "thread")
    assert code == 0
    assert (tmp_path / "thread.late").read_text(encoding="utf-8") == "late"


def _gone(pid: int, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError, IndexError):
            return True
        if state == "Z":
            return True  # dead, not yet collected by its parent
        time.sleep(0.05)
    return False


def test_a_run_past_its_time_is_killed(server: warm.Server, tmp_path: Path) -> None:
    started = time.monotonic()
    code, seen, _ = _probe(server, tmp_path, "sleep", timeout=0.5)
    assert code is None
    assert time.monotonic() - started < 30
    assert _gone(seen["pid"])


def test_runs_at_once_each_get_their_own_status(server: warm.Server, tmp_path: Path) -> None:
    got: dict[str, int | None] = {}
    whats = ["ok", "exit3", "say", "signal"]

    def one(what: str) -> None:
        folder = tmp_path / what
        folder.mkdir()
        got[what] = _probe(server, folder, what)[0]

    threads = [threading.Thread(target=one, args=(w,)) for w in whats]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert got == {"ok": 0, "exit3": 3, "say": 1, "signal": -signal.SIGTERM}


def test_a_run_dies_with_the_server_and_the_next_run_starts_another(tmp_path: Path,
                                                                   monkeypatch: Any) -> None:
    monkeypatch.setenv(warm.WARM_ENV, "1")
    warm.stop()
    base = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(REPO)}
    first = warm.server(base)
    assert first is not None
    result: list[int | None] = []
    runner = threading.Thread(target=lambda: result.append(_probe(first, tmp_path, "sleep")[0]))
    runner.start()
    report = tmp_path / "sleep.json"
    deadline = time.monotonic() + 30
    while not report.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    pid = json.loads(report.read_text(encoding="utf-8"))["pid"]
    first.proc.kill()
    runner.join(30)
    assert result == [-signal.SIGKILL]  # as a run killed
    assert _gone(pid)  # PR_SET_PDEATHSIG: not left running without its server
    second = warm.server(base)
    assert second is not None and second is not first
    again = tmp_path / "again"
    again.mkdir()
    assert _probe(second, again, "ok")[0] == 0
    warm.stop()


@pytest.mark.parametrize("fork", [False, True], ids=["fresh", "forked"])
def test_the_server_and_its_runs_end_with_the_process_that_started_them(
        tmp_path: Path, fork: bool) -> None:
    """The engine killed (no atexit, no clean-up): its socket closes, the server kills the
    run it had going and ends (a server forked from the engine too: it keeps no copy of
    the engine's end of the socket)."""
    script = textwrap.dedent(f"""
        import json, os, sys, threading, time
        from pathlib import Path
        from harness import warm
        tmp = Path({str(tmp_path)!r})
        srv = warm.Server({{"PATH": os.environ.get("PATH", ""), "PYTHONPATH": {str(REPO)!r}}},
                          fork={fork!r})
        assert srv.forked is {fork!r}
        env = {{"PATH": os.environ.get("PATH", ""), "PYTHONPATH": {str(REPO)!r}}}
        threading.Thread(target=srv.run, args=([str(tmp / "p.json"), "sleep"],),
                         kwargs=dict(env=env, cwd=tmp, log=tmp / "p.log", timeout=None,
                                     module="tests.warm_probe"), daemon=True).start()
        while not (tmp / "p.json").exists():
            time.sleep(0.02)
        print(srv.proc.pid, json.loads((tmp / "p.json").read_text())["pid"], flush=True)
        os.kill(os.getpid(), 9)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60, check=False, env=_engine_env())
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    server_pid, run_pid = map(int, proc.stdout.split())
    assert _gone(server_pid) and _gone(run_pid)


def test_a_process_forked_from_the_engine_does_not_keep_the_server_alive(
        tmp_path: Path) -> None:
    """The engine forks (say, multiprocessing) and then dies: the server still ends, though
    the forked process lives on with a copy of everything the engine had open."""
    script = textwrap.dedent(f"""
        import os, sys, time
        sys.path.insert(0, {str(REPO)!r})
        from harness import warm
        srv = warm.server({{"PATH": os.environ.get("PATH", ""), "PYTHONPATH": {str(REPO)!r}}})
        child = os.fork()
        if child == 0:
            null = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(null, fd)
            time.sleep(60)
            os._exit(0)
        print(srv.proc.pid, child, flush=True)
        os.kill(os.getpid(), 9)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60, check=False, env={**os.environ, warm.WARM_ENV: "1"})
    server_pid, child = map(int, proc.stdout.split())
    try:
        assert _gone(server_pid)
    finally:
        try:
            os.kill(child, signal.SIGKILL)
        except ProcessLookupError:
            pass


@pytest.mark.parametrize("flag", ["0", "1"], ids=["cold", "warm"])
def test_a_broken_run_ends_the_same_warm_or_cold(tmp_path: Path, monkeypatch: Any,
                                                 flag: str) -> None:
    """``LABGRADE_WARM=0`` (and wherever there is no fork): a fresh interpreter per run;
    either way a run whose configuration is missing ends with status 1 and a traceback."""
    monkeypatch.setenv(warm.WARM_ENV, flag)
    assert (warm.server(_env(tmp_path)) is None) == (flag == "0")
    log = tmp_path / "log"
    code = warm.run([str(tmp_path / "cfg.json")], env=_env(tmp_path), cwd=tmp_path, log=log,
                    timeout=60, base_env=_env(tmp_path))
    assert code == 1
    text = log.read_text(encoding="utf-8")
    assert "FileNotFoundError" in text and "cfg.json" in text
    warm.stop()


SMALL = ["lab9.udp_time_server", "recipes.r05_byte_order", "recipes.r13_tcp_echo_client"]


@pytest.mark.parametrize("path", [REFERENCE, TEMPLATE], ids=["reference", "template"])
def test_warm_runs_give_the_verdicts_of_fresh_ones(path: Path, monkeypatch: Any) -> None:
    def verdicts(flag: str) -> list[tuple[str, str, float, str]]:
        monkeypatch.setenv(warm.WARM_ENV, flag)
        result = engine.grade(path, only=SMALL, report=False, shards=1)
        # the message without its numbers: some checks draw their inputs at random
        return [(c.id, c.status, c.score, re.sub(r"\d+", "N", c.message))
                for c in result.checks]

    cold = verdicts("0")
    assert len(cold) >= 8
    assert {s for _, s, _, _ in cold} == ({"passed"} if path == REFERENCE else {"failed"})
    assert verdicts("1") == cold


def test_a_reply_nobody_waits_for_is_ignored_and_nonsense_ends_the_server() -> None:
    """The reader thread outlives a reply for a run that gave up (an unknown id) and treats
    a malformed reply as the server gone: every run still waiting is told so at once."""
    import socket
    from concurrent.futures import Future

    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    srv = warm.Server.__new__(warm.Server)
    srv._sock, srv._lock, srv._next, srv.gone = ours, threading.Lock(), 0, False
    waiting: Future[int] = Future()
    srv._forks, srv._exits, srv._ids = {1: waiting}, {}, {}
    reader = threading.Thread(target=srv._read)
    reader.start()
    theirs.send(b'{"id": 7, "pid": 4242}')  # nobody asked for run 7 (any more)
    theirs.send(b'{"pid": 4242, "code": 0}')
    theirs.send(b'{"id": 1, "pid": "not a pid"}')
    reader.join(10)
    assert not reader.is_alive() and srv.gone
    with pytest.raises(warm.WarmGone):
        waiting.result(timeout=0)
    theirs.close()


PRELOAD_PROBE = """
import os, sys
from pathlib import Path
sys.path.insert(0, {repo!r})
from harness.packs import collect
checks = Path({checks!r})
collect.preload([("mypack", checks / "test_a.py")])
names = ("labgrade_pack.mypack.test_a", "labgrade_pack.mypack.helper")
assert all(getattr(sys.modules[n], collect.PRELOADED, None) for n in names)
case = sys.argv[1]
if case == "changed":
    os.utime(checks / "helper.py", ns=(1, 1))
usable = collect._preloads_usable(case != "course")
left = sorted(n for n in sys.modules if n.startswith("labgrade_pack."))
print(usable, left)
"""


@pytest.mark.parametrize(("case", "usable"), [("same", True), ("changed", False),
                                              ("course", False)])
def test_preloaded_check_modules_serve_only_built_in_runs_while_unchanged(
        tmp_path: Path, case: str, usable: bool) -> None:
    """What the warm server imported for a batch is used by a run of the built-in packs
    while every file is as it was; a changed file, or a run of course packs (which may have
    modules of the same names), forgets all of it, packages included."""
    checks = tmp_path / "checks"
    checks.mkdir()
    (checks / "test_a.py").write_text("from .helper import X\nVALUE = X\n", encoding="utf-8")
    (checks / "helper.py").write_text("X = 1\n", encoding="utf-8")
    script = PRELOAD_PROBE.format(repo=str(REPO), checks=str(checks))
    proc = subprocess.run([sys.executable, "-c", script, case], capture_output=True,
                          text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    kept = "['labgrade_pack.mypack', 'labgrade_pack.mypack.helper', " \
           "'labgrade_pack.mypack.test_a']"
    assert proc.stdout.strip() == (f"True {kept}" if usable else "False []")


def test_a_run_the_server_cannot_start_starts_cold(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The server gone before it forked the run (or never answering): the run is started as
    a fresh interpreter instead, once, and ends as it would have."""
    monkeypatch.setenv(warm.WARM_ENV, "1")
    asked: list[list[str]] = []

    def gone(self: warm.Server, argv: list[str], **_kw: Any) -> int | None:
        asked.append(argv)
        raise warm.WarmGone("the warm server is gone")

    monkeypatch.setattr(warm.Server, "run", gone)
    log = tmp_path / "log"
    code = warm.run([str(tmp_path / "cfg.json")], env=_env(tmp_path), cwd=tmp_path, log=log,
                    timeout=60, base_env=_env(tmp_path))
    assert asked == [[str(tmp_path / "cfg.json")]]
    assert code == 1 and "FileNotFoundError" in log.read_text(encoding="utf-8")
    warm.stop()


WRAPPED = '''
import functools
import pytest


def logged(f):
    @functools.wraps(f)
    def inner(*a, **kw):
        return f(*a, **kw)
    return inner


@logged
@pytest.fixture
def hidden():
    return 1


def test_x():
    pass
'''


@pytest.mark.parametrize("skip", [False, True], ids=["course", "builtin"])
def test_only_builtin_runs_skip_the_scan_for_wrapped_fixtures(tmp_path: Path,
                                                              skip: bool) -> None:
    """pytest 9 warns about a fixture hidden behind another decorator; a run of the built-in
    packs turns that scan off (:func:`harness.runner._no_wrapped_fixture_scan`), a run of
    course packs keeps it (their authors see the warning)."""
    (tmp_path / "test_w.py").write_text(WRAPPED, encoding="utf-8")
    script = ("import sys, pytest\n"
              f"sys.path.insert(0, {str(REPO)!r})\n"
              "from harness import runner\n"
              f"if {skip}:\n"
              "    runner._no_wrapped_fixture_scan()\n"
              f"sys.exit(pytest.main(['-q', '-p', 'no:cacheprovider', {str(tmp_path)!r}]))\n")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60, cwd=tmp_path, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    from _pytest.fixtures import FixtureManager

    if not hasattr(FixtureManager, "_check_for_wrapped_fixture"):
        pytest.skip("this pytest has no such scan")
    assert ("cannot discover fixture 'hidden'" in proc.stdout) != skip, proc.stdout


# --- a server forked from the engine (harness.warm_fork) -----------------------------------

_FORKED_SCRIPT = """
import atexit, json, os, signal, sys, tempfile
from pathlib import Path
repo, tmp, how = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
# harness from PYTHONPATH; an engine with state of its own that a fresh server would not have
(tmp / "mods").mkdir()
(tmp / "mods" / "labgrade_engine_probe.py").write_text("")
sys.path[0] = str(tmp / "mods")  # its script's folder
if how == "pth":  # a folder a .pth file put before the standard library
    sys.path.insert(1, str(tmp / "mods"))
import labgrade_engine_probe
marks = tmp / "exits.txt"
atexit.register(lambda: marks.open("a").write(f"{os.getpid()}\\n"))
held = tempfile.TemporaryDirectory(dir=tmp)  # cleaned up by a finalizer at the engine's exit
signal.signal(signal.SIGTERM, lambda *_: None)
signal.signal(signal.SIGUSR1, signal.SIG_IGN)
signal.signal(signal.SIGALRM, lambda *_: None)
sys.stdout.reconfigure(errors="replace", line_buffering=True)
extra = open(tmp / "engine-file.txt", "w")
os.dup2(extra.fileno(), 900)  # a descriptor far above the server's socket too
os.chdir(tmp)
from harness import warm, warm_fork
warm_fork.allow_fork()  # as the labgrade command does
if how == "fresh":
    os.environ[warm_fork.WARM_FORK_ENV] = "0"
env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": repo}
srv = warm.server(env)  # with the start lock held, as the engine has it
seen = {"forked": srv.forked, "server": srv.proc.pid}
run = tmp / "run"
run.mkdir()
seen["code"] = srv.run([str(run / "p.json"), "ok"], module="tests.warm_probe", cwd=run,
                       env={**env, "TMPDIR": str(run), "LABGRADE_PROBE": "yes"},
                       log=run / "p.log", timeout=30)
seen["server_cwd"] = os.readlink(f"/proc/{srv.proc.pid}/cwd")
fds = f"/proc/{srv.proc.pid}/fd"  # after a run: the server waits in its loop
seen["server_fds"] = sorted(os.readlink(f"{fds}/{fd}").split(":")[0] for fd in os.listdir(fds))
seen["probe"] = json.loads((run / "p.json").read_text())
seen["log"] = (run / "p.log").read_text()
seen["engine_tmp_kept"] = os.path.isdir(held.name)
warm.stop()
print(json.dumps(seen))
"""


def _engine_env() -> dict[str, str]:
    """The environment of an engine started as a program of its own (the labgrade command):
    this one's without PYTHON* variables (pytest-cov's and the like), the harness on
    PYTHONPATH, the fork not turned off."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("PYTHON") and k != warm_fork.WARM_FORK_ENV}
    return {**env, "PYTHONPATH": str(REPO)}


def _forked_probe(tmp: Path, how: str) -> dict[str, Any]:
    tmp.mkdir()
    # the engine does not write bytecode (a fresh server, started without the variable, does)
    env = {**_engine_env(), "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.run([sys.executable, "-c", _FORKED_SCRIPT, str(REPO), str(tmp), how],
                          capture_output=True, text=True, timeout=120, check=False, env=env)
    assert proc.returncode == 0, proc.stderr
    seen: dict[str, Any] = json.loads(proc.stdout)
    seen["exits"] = (tmp / "exits.txt").read_text().split()
    return seen


def test_a_server_forked_from_the_engine_is_a_fresh_one(tmp_path: Path) -> None:
    """From a one-thread engine the server is forked, not started afresh: the run it forks
    sees what a fresh server's run sees (folder, environment, sys.path, streams, signal
    handlers, exit handlers, descriptors), nothing of the engine's (its folder on sys.path,
    its handlers, its reconfigured stdout, its open file, its exit handler), and the server
    holds only its socket, in ``/``."""
    forked = _forked_probe(tmp_path / "forked", "auto")
    fresh = _forked_probe(tmp_path / "fresh", "fresh")
    assert forked["forked"] is True and fresh["forked"] is False
    assert forked["code"] == fresh["code"] == 0
    for seen in (forked, fresh):
        assert "/dev/null" in seen["server_fds"] and "socket" in seen["server_fds"]
        assert not any("engine-file" in fd for fd in seen["server_fds"])
        assert seen["server_cwd"] == "/"
        assert seen["probe"]["ppid"] == seen["server"]
        assert seen["engine_tmp_kept"]  # its finalizer is the engine's, not the run's
        assert "to stdout" in seen["log"] and "to stderr" in seen["log"]
    # the same descriptors: /dev/null as 0-2, its socket, its wake-up pipe, the template's
    assert forked["server_fds"] == fresh["server_fds"]
    probe, reference = forked["probe"], fresh["probe"]
    # its modules are the engine's (grader code, imported before the fork), its sys.path
    # a fresh server's: nothing more is imported from the engine's folders
    assert not any("mods" in p for p in probe["path"])
    for key in ("env", "argv", "cwd", "tmp"):  # the runs' folders differ by name only
        assert json.dumps(probe[key]).replace("/forked/", "/fresh/") == \
            json.dumps(reference[key])
    # exit handlers: a fresh server registers its own stop() twice (as __main__ and as
    # harness.warm); that none of the engine's runs is test_the_engine_exit_handlers_...
    for key in set(reference) - {"env", "argv", "cwd", "tmp", "pid", "ppid", "exitfuncs"}:
        assert probe[key] == reference[key], key


def test_an_engine_with_a_folder_before_the_standard_library_starts_a_fresh_server(
        tmp_path: Path) -> None:
    """A folder a ``.pth`` file put before the standard library is on a fresh server's path
    too, at a place a forked one cannot tell: the server is started afresh."""
    seen = _forked_probe(tmp_path / "pth", "pth")
    assert seen["forked"] is False and seen["code"] == 0


def test_the_engine_exit_handlers_run_once_in_the_engine(tmp_path: Path) -> None:
    """The engine's exit handler (it writes its pid) runs at the engine's exit only: never
    in the forked server nor in the run the server forked, which both end through their
    own exit handlers."""
    forked = _forked_probe(tmp_path / "forked", "auto")
    assert forked["forked"] is True
    assert len(forked["exits"]) == 1, forked["exits"]
    assert forked["exits"][0] not in (str(forked["server"]), str(forked["probe"]["pid"]))
    assert forked["probe"]["exitfuncs"] >= 1  # logging's and the server's own stop()


@pytest.mark.parametrize(("env", "threads", "expected"), [
    ({}, 1, True), ({"PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1",
                     "PYTHONUNBUFFERED": "1", "PYTHONPATH": "/x"}, 1, True),
    ({}, 2, False), ({"PYTHONOPTIMIZE": "1"}, 1, False), ({"PYTHONIOENCODING": "latin-1"}, 1,
                                                           False),
    ({"PYTHONUTF8": "1"}, 1, False), ({warm_fork.WARM_FORK_ENV: "0"}, 1, False)],
    ids=["clean", "allowed-vars", "threads", "optimize", "ioencoding", "utf8", "off"])
def test_forkable_only_where_a_fork_is_a_fresh_server(
        monkeypatch: pytest.MonkeyPatch, env: dict[str, str], threads: int,
        expected: bool) -> None:
    for key in [k for k in os.environ if k.startswith("PYTHON") or k == warm_fork.WARM_FORK_ENV]:
        monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(warm_fork.threading, "active_count", lambda: threads)
    monkeypatch.setattr(warm_fork.sys, "gettrace", lambda: None)  # pytest-cov's, if any
    monkeypatch.setattr(warm_fork, "_fork_allowed", True)
    assert warm_fork.forkable() is expected
    monkeypatch.setattr(warm_fork, "_fork_allowed", False)  # an engine inside another program
    assert warm_fork.forkable() is False


def test_forkable_not_under_interpreter_options(monkeypatch: pytest.MonkeyPatch) -> None:
    """``-O`` (asserts gone from every check), ``-X``, ``-W``, a tracer: a fresh server has
    none."""
    for key in [k for k in os.environ if k.startswith("PYTHON") or k == warm_fork.WARM_FORK_ENV]:
        monkeypatch.delenv(key)
    monkeypatch.setattr(warm_fork.threading, "active_count", lambda: 1)
    monkeypatch.setattr(warm_fork.sys, "warnoptions", [])
    monkeypatch.setattr(warm_fork.sys, "_xoptions", {})
    monkeypatch.setattr(warm_fork.sys, "gettrace", lambda: None)
    monkeypatch.setattr(warm_fork, "_fork_allowed", True)
    assert warm_fork.forkable() is True
    monkeypatch.setattr(warm_fork.sys, "gettrace", lambda: print)  # coverage, a debugger
    assert warm_fork.forkable() is False
    monkeypatch.setattr(warm_fork.sys, "gettrace", lambda: None)
    # Python 3.12+: a tool in a sys.monitoring slot (coverage's sysmon core), no tracer
    tools = {1: "coverage.py"}
    monkeypatch.setattr(warm_fork.sys, "monitoring", type("M", (), {
        "get_tool": staticmethod(tools.get)}), raising=False)
    assert warm_fork.forkable() is False
    tools.clear()
    assert warm_fork.forkable() is True
    flags = {f: getattr(sys.flags, f, 0) for f in warm_fork._FLAGS}
    monkeypatch.setattr(warm_fork.sys, "flags", type("F", (), {**flags, "optimize": 1}))
    assert warm_fork.forkable() is False
    monkeypatch.setattr(warm_fork.sys, "flags", type("F", (), flags))
    assert warm_fork.forkable() is True
    monkeypatch.setattr(warm_fork.sys, "_xoptions", {"dev": True})
    assert warm_fork.forkable() is False
    monkeypatch.setattr(warm_fork.sys, "_xoptions", {})
    monkeypatch.setattr(warm_fork.sys, "warnoptions", ["error"])
    assert warm_fork.forkable() is False


_GRADE_SCRIPT = """
import json, sys
from pathlib import Path
from harness import engine, warm, warm_fork
warm_fork.allow_fork()  # as the labgrade command does
result = engine.grade(Path(sys.argv[2]), only=["lab9.udp_time_server", "recipes.r03"],
                      report=False)
print(json.dumps({"forked": warm._server.forked,
                  "verdicts": [[c.id, c.status, c.score] for c in result.checks]}))
"""


@pytest.mark.parametrize("path", [REFERENCE, TEMPLATE], ids=["reference", "template"])
def test_grade_forks_its_server_and_gets_the_verdicts_of_a_fresh_one(path: Path) -> None:
    """engine.grade() in a one-thread process forks its warm server
    (``LABGRADE_WARM_FORK=0``: a fresh one), and the verdicts are the same either way, even
    with pytest options in the engine's environment that the runs must not take."""
    got = {}
    for flag in ("1", "0"):
        # -x in the engine's environment: for the server's pytest (the template's) only if
        # the server kept the engine's environment (a fresh one has the runs' own)
        env = {**_engine_env(), warm_fork.WARM_FORK_ENV: flag, "PYTEST_ADDOPTS": "-x"}
        proc = subprocess.run([sys.executable, "-c", _GRADE_SCRIPT, str(REPO), str(path)],
                              capture_output=True, text=True, timeout=120, check=False,
                              env=env)
        assert proc.returncode == 0, proc.stderr
        got[flag] = json.loads(proc.stdout.splitlines()[-1])
    assert got["1"]["forked"] is True and got["0"]["forked"] is False
    assert got["1"]["verdicts"] == got["0"]["verdicts"]
    statuses = {s for _, s, _ in got["1"]["verdicts"]}
    assert statuses == ({"passed"} if path == REFERENCE else {"failed"})


_CLI_SCRIPT = """
import sys
from harness import cli, warm
args = ["grade", sys.argv[2], "--only", "lab9.tcp_server", "--out", sys.argv[3]]
try:
    if sys.argv[4] == "command-line":
        sys.argv[:] = ["labgrade", *args]
        cli.main()
    else:
        cli.main(args)
except SystemExit:
    pass
print(warm._server.forked)
"""


@pytest.mark.parametrize(("how", "forked"), [("command-line", True), ("embedded", False)])
def test_only_the_labgrade_command_forks_its_server(tmp_path: Path, how: str,
                                                    forked: bool) -> None:
    """``labgrade`` (cli.main reading the command line) forks its warm server; main() called
    with its arguments by another program (a test run, a notebook: state of its own a fork
    would hand down) starts a fresh one."""
    proc = subprocess.run([sys.executable, "-c", _CLI_SCRIPT, str(REPO), str(REFERENCE),
                           str(tmp_path / "out"), how], capture_output=True, text=True,
                          timeout=120, check=False, env=_engine_env())
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split()[-1] == str(forked)
    assert (tmp_path / "out" / "results.json").exists()


def test_a_forked_server_handle_waits_and_kills_as_popen_does(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """_ForkedServer: wait(timeout) raises TimeoutExpired while the process lives, kill()
    ends it, wait() gives its status as Popen's returncode; once collected it is never
    signalled again (its pid may be another process's by then)."""
    pid = os.fork()
    if pid == 0:  # a stand-in for the server: waits to be killed
        try:
            time.sleep(60)
        finally:
            os._exit(0)
    handle = warm_fork.ForkedServer(pid)
    started = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired):
        handle.wait(timeout=0.2)
    assert time.monotonic() - started < 5
    handle.kill()
    assert handle.wait(timeout=10) == -signal.SIGKILL
    assert handle.wait() == -signal.SIGKILL
    sent: list[int] = []
    monkeypatch.setattr(warm_fork.os, "kill", lambda p, s: sent.append(p))
    handle.kill()
    assert sent == []
