"""The hostile-submission corpus (``tests/hostile/``), graded by the real command line.

Each case copies the reference, puts one hostile file in place of one of its files (the
drop-in cases add a few more), and grades a few checks with ``python -m harness.cli grade``
in a subprocess, with a tight test rubric (2 s per run, 256 MB, 1 MB of output, 12
processes). It asserts the exact outcome: the grading ends within ``BOUND_S``; the affected
checks get the stated status with a message that names what happened; a check of another task
keeps its points; ``results.json`` parses and holds exactly the graded checks, ``report.html``
is whole and carries nothing the program injected, the output folder holds nothing else; and
afterwards no process of the run (its temporary folder in the environment or command line),
no listening socket of such a process and no temporary file of the run is left. Then the whole
corpus runs again, two gradings at once, with identical statuses and scores.

Cases that need a level this machine does not give are skipped with the reason; the portable
level has its own (smaller) run. Run alone: ``pytest tests/test_hostile.py``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from harness.sandbox import mounts
from harness.sandbox.cleanup import remove_tree
from harness.sandbox.isolation import CLONE_NEWNET, CLONE_NEWUSER, can_unshare, detect
from tests.conftest import REFERENCE, REPO, make_submission

HOSTILE = Path(__file__).with_name("hostile")
BOUND_S = 40.0
"""One grading of a case, whatever it does (alone they take 1 to 6 s on two cores)."""
SETTLE_S = 1.0
"""How long the kernel may take to finish killing what was killed before the CLI exited."""
LIMITS = {"wall_s": 2.0, "cpu_s": 5, "memory_mb": 256, "file_size_mb": 1, "open_files": 64,
          "processes": 12, "stop_grace_s": 0.3, "disk_mb": 16}
INJECTED = ("<script>alert('labgrade-injected')", "<img src=x onerror", "<h1>pwned</h1>")

Text = str | tuple[str, ...]
"""A text the message must contain, or a tuple of texts of which it must contain one."""
Expect = dict[str, tuple[str, tuple[Text, ...]]]
"""check id -> (status, texts its English message must contain)."""
PASS: tuple[str, tuple[Text, ...]] = ("passed", ())
CLIENT = "lab9/tcp_client.py"
SERVER = "lab9/tcp_server.py"
AFTER_CLIENT: Expect = {"lab9.udp_server.echo_prefix": PASS}
"""A check of another task, graded next to a hostile client: keeps its points."""
AFTER_SERVER: Expect = {"lab9.udp_client.sends_input": PASS}
TIMED_OUT = ("did not finish in time and was stopped",)
HANGS = ("did not finish within",)


@dataclass(frozen=True)
class Case:
    name: str
    replaces: str
    """The submission file the hostile file ``tests/hostile/<name>.py`` takes the place of."""
    expect: Expect
    extra: dict[str, str] = field(default_factory=dict)
    """More files: destination in the submission -> file in ``tests/hostile``."""
    absent: tuple[str, ...] = ()
    """Texts the program prints only when it got through (must not be in any evidence)."""
    present: tuple[str, ...] = ()
    """Texts it prints when it was stopped (must be in the evidence)."""
    needs: tuple[str, ...] = ()
    """Levels without which the case is not contained (skipped where missing)."""
    source: str = ""


def client(**expect: tuple[str, tuple[Text, ...]]) -> Expect:
    return {f"lab9.tcp_client.{k}": v for k, v in expect.items()} | AFTER_CLIENT


def server(**expect: tuple[str, tuple[Text, ...]]) -> Expect:
    return {f"lab9.tcp_server.{k}": v for k, v in expect.items()} | AFTER_SERVER


DROPINS = {"conftest.py": "conftest_dropin.py", "lab9/conftest.py": "conftest_dropin.py",
           "pytest.ini": "pytest_dropin.ini", "lab9/pytest.ini": "pytest_dropin.ini",
           "sitecustomize.py": "sitecustomize_dropin.py",
           "lab9/sitecustomize.py": "sitecustomize_dropin.py",
           "usercustomize.py": "sitecustomize_dropin.py"}
SHADOWS = {"lab9/json.py": "shadow_stdlib.py", "socket.py": "shadow_stdlib.py",
           "json.py": "shadow_stdlib.py"}

CASES = [
    Case("loop_at_import", CLIENT, client(sends_input=("failed", TIMED_OUT),
                                          exits=("failed", HANGS))),
    Case("input_at_import", SERVER, server(starts=("failed", ("ended with an error",
                                                              "EOFError")))),
    Case("sys_exit_fake_pass", SERVER, server(starts=("failed", (
        "ended by itself (exit code 0) before it listened on any TCP port",)))),
    Case("os_exit_fake_pass", "lab9/udp_server.py", {
        "lab9.udp_server.starts": ("failed", ("ended by itself (exit code 0)", "UDP")),
        "lab9.tcp_client.sends_input": PASS}),
    Case("fork_bomb", CLIENT, client(sends_input=("failed", TIMED_OUT),
                                     exits=("failed", HANGS)), needs=("uid",)),
    Case("thread_bomb", CLIENT, client(
        sends_input=("failed", (*TIMED_OUT, "can't start new thread")),
        exits=("failed", HANGS))),
    Case("alloc_4gb", CLIENT, client(sends_input=("failed", ("ran out of memory",
                                                             "MemoryError")),
                                     exits=("failed", ("ran out of memory",)))),
    Case("deep_recursion", CLIENT, client(sends_input=("failed", ("SIGSEGV",)),
                                          exits=("failed", ("SIGSEGV",)))),
    Case("stdout_flood", CLIENT, client(sends_input=("failed", ("too much output",)),
                                        exits=("failed", ("too much output",)))),
    Case("huge_line", CLIENT, client(sends_input=("failed", ("too much output",)),
                                     exits=("failed", ("too much output",)))),
    Case("non_utf8_ansi", CLIENT, client(sends_input=PASS, exits=PASS)),
    Case("setsid_daemon", CLIENT, client(sends_input=PASS, exits=PASS)),
    Case("ignores_signals", SERVER, server(starts=PASS, echo_prefix=PASS)),
    Case("never_replies", SERVER, server(starts=PASS, echo_prefix=(
        "failed", ("no reply arrived",)))),
    Case("endless_data", SERVER, server(starts=PASS, echo_prefix=(
        "failed", ("received Resp: AAAA", "expected Resp: ")))),
    Case("byte_at_a_time", SERVER, server(starts=PASS, echo_prefix=PASS)),
    Case("never_exits", CLIENT, client(sends_input=PASS, exits=("failed", HANGS))),
    Case("outside_network", CLIENT, client(sends_input=PASS, exits=PASS),
         absent=("NET-OK",), present=("NET-BLOCKED",), needs=("netns",)),
    Case("tamper", CLIENT, client(sends_input=PASS, exits=PASS), absent=("LEAK",),
         present=("DENIED",), needs=("uid",)),
    Case("dropins", CLIENT, client(sends_input=("failed", ("expected exactly the line",)),
                                   exits=PASS),
         extra=DROPINS, absent=("PWNED",), source="wrong_case_client"),
    Case("shadow_stdlib", "lab9/socket.py", client(sends_input=PASS, exits=PASS),
         extra=SHADOWS, absent=("SHADOW-LOADED",)),
    Case("always_equal", "recipes/r01_hostname.py", {
        "recipes.r01_hostname.returns_hostname": ("failed", ("Anything",)),
        "lab9.tcp_client.sends_input": PASS}),
    Case("self_delete", CLIENT, client(sends_input=PASS, exits=PASS, utf8=PASS)),
    # issue 9, found by an attack on the sandbox
    Case("leave_files", CLIENT, client(sends_input=PASS, exits=PASS),
         absent=("DISK-UNBOUNDED",), present=("DISK-FULL", "WROTE"), needs=("uid",)),
    Case("setuid_root", CLIENT, client(sends_input=PASS, exits=PASS),
         absent=("SUID-OPEN",), present=("SUID-BLOCKED",)),
    Case("deep_tree", CLIENT, client(sends_input=PASS, exits=PASS), present=("TREE-MADE",)),
    # the checks' runs (two for sends_input, an ASCII line and a UTF-8 one, at once, and
    # those of exits) share one uid's `processes` limit: the chain's dead parents, orphaned to
    # a program that never collects them, may fill it before another run's first fork, which
    # then fails (0 points either way; seen in both checks on a busy machine)
    Case("fork_chain", CLIENT, client(
        sends_input=("failed", ((*TIMED_OUT, "BlockingIOError: [Errno 11]"),)),
        exits=("failed", ((*HANGS, "BlockingIOError: [Errno 11]"),)))),
    Case("event_garbage", SERVER, server(starts=PASS, echo_prefix=PASS)),
    Case("debug_flood_client", CLIENT, client(sends_input=PASS, prints_reply=PASS)),
]
PORTABLE = tuple(c.name for c in CASES if not c.needs)
"""Cases also run with ``--isolation portable``: all but those that need a level it lacks
(fork bomb and tamper: uid; outside_network: netns)."""


@dataclass
class Outcome:
    case: str
    seconds: float
    checks: dict[str, dict[str, Any]]
    isolation: str

    def verdicts(self) -> dict[str, tuple[str, float]]:
        return {k: (c["status"], c["score"]) for k, c in self.checks.items()}


def levels() -> dict[str, bool]:
    """The levels a grading can get here (as root, or in a user namespace of its own)."""
    iso = detect(netns=False)
    userns = can_unshare(CLONE_NEWUSER | CLONE_NEWNET)
    return {"netns": can_unshare(CLONE_NEWNET) or userns, "pidns": iso.pidns or userns,
            "uid": iso.uid is not None}


def hostile_rubric_text(text: str) -> str:
    """The default rubric with the corpus's tight :data:`LIMITS`."""
    limits = "[limits]\n" + "".join(f"{k} = {v}\n" for k, v in LIMITS.items()) + "\n"
    return re.sub(r"(?ms)^\[limits\]\n.*?(?=^\[)", limits, text)


@pytest.fixture(scope="module")
def level() -> dict[str, bool]:
    return levels()


@pytest.fixture(scope="module")
def rubric(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from harness.rubric import load, to_toml

    text = to_toml(load())  # the default rubric as a file (the built-in packs' points)
    path = tmp_path_factory.mktemp("rubric") / "hostile.toml"
    path.write_text(hostile_rubric_text(text), encoding="utf-8")
    return path


def grade_case(case: Case, rubric: Path, isolation: str = "auto",
               disable: str = "") -> Outcome:
    """Grade one case with the real CLI and check everything around it; the outcome."""
    base = Path(tempfile.mkdtemp(prefix="lgh-"))  # not pytest's tmp: the student uid must reach it
    try:
        return _grade_in(base, case, rubric, isolation, disable)
    finally:
        remove_tree(base)
        for folder in WORLD_WRITABLE:
            for stray in Path(folder).glob(f"{base.name}-*"):
                remove_tree(stray)


def _grade_in(base: Path, case: Case, rubric: Path, isolation: str, disable: str = ""
              ) -> Outcome:
    tmp, out = base / "tmp", base / "out"
    tmp.mkdir()
    out.mkdir()
    (out / "previous.txt").write_text("secret of the previous run\n", encoding="utf-8")
    mark = base.name
    sub = _submission(base / "class" / f"{case.name}-student", case, base)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "LABGRADE_"))}
    env |= {"TMPDIR": str(tmp)}
    if disable:
        env["LABGRADE_ISOLATION_DISABLE"] = disable
    args = [sys.executable, "-m", "harness.cli", "grade", str(sub), "--out", str(out),
            "--rubric", str(rubric), "--lang", "en", "--isolation", isolation]
    for check in case.expect:
        args += ["--only", check]
    started = time.monotonic()
    proc = subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=BOUND_S * 3, check=False)
    seconds = time.monotonic() - started
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert seconds <= BOUND_S, f"{case.name}: grading took {seconds:.1f} s ({_timings(out)})"
    level = _isolation(out)
    leftovers = _leftovers(mark, tmp)
    if "os.fork" in (HOSTILE / f"{case.source or case.name}.py").read_text(encoding="utf-8"):
        leftovers |= _forking_still(mark)
    if "uid" not in level.split("+"):
        # no private /tmp without the student's own view: what a program writes there stays
        # (its processes, ports and the grader's own temporary files do not)
        leftovers.pop("files in /tmp", None)
        leftovers.pop("files in world-writable folders", None)
    assert not leftovers, f"{case.name}: left behind {leftovers}"
    return Outcome(case.name, seconds, _intact_outputs(out, case), level)


def _timings(out: Path) -> str:
    """Where a slow grading's time went, as its results say: the engine's whole duration and
    each check's (a failure of the time bound names them)."""
    try:
        data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return f"no results: {exc}"
    checks = ", ".join(f"{c['id']} {c['status']} {c['duration_s']} s" for c in data["checks"])
    return f"engine {data['duration_s']} s; {checks}; problems {data['problems']}"


def _submission(root: Path, case: Case, base: Path) -> Path:
    hostile = (HOSTILE / f"{case.source or case.name}.py").read_text(encoding="utf-8")
    targets = {"out": str(base / "out"), "tmp": str(base / "tmp"), "submission": str(root),
               "reference": str(REFERENCE), "checks": str(REPO / "harness" / "checks")}
    hostile = hostile.replace("__HOSTILE_TARGETS__", json.dumps(targets))
    hostile = hostile.replace("__HOSTILE_MARK__", base.name)
    files = {case.replaces: hostile}
    for dest, src in case.extra.items():
        files[dest] = (HOSTILE / src).read_text(encoding="utf-8")
    make_submission(root, files=files)
    for folder in (base, base / "class"):
        folder.chmod(0o755)  # as a class folder would be: readable, so hiding it matters
    return root


def _intact_outputs(out: Path, case: Case) -> dict[str, dict[str, Any]]:
    assert sorted(p.name for p in out.iterdir()) == ["previous.txt", "report.html",
                                                     "results.json", "student.html"]
    assert (out / "previous.txt").read_text(encoding="utf-8") == "secret of the previous run\n"
    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    checks = {c["id"]: c for c in data["checks"]}
    assert sorted(checks) == sorted(case.expect), case.name
    for page in ("report.html", "student.html"):
        report = (out / page).read_text(encoding="utf-8")
        assert report.rstrip().endswith("</html>"), page
        for text in (*INJECTED, "\x1b"):
            assert text not in report, f"{case.name}: {text!r} reached {page} unescaped"
    evidence = json.dumps(data["checks"], ensure_ascii=False)
    for text in case.absent:
        assert text not in evidence, f"{case.name}: the program printed {text!r}"
    for text in case.present:
        assert text in evidence, f"{case.name}: {text!r} missing from the evidence"
    for check_id, (status, texts) in case.expect.items():
        got = checks[check_id]
        assert got["status"] == status, (case.name, check_id, got["message"])
        for wanted in texts:
            alternatives = (wanted,) if isinstance(wanted, str) else wanted
            assert any(t in got["message"] for t in alternatives), \
                (case.name, check_id, got["message"])
        assert got["score"] == (got["max_score"] if status == "passed" else 0.0)
    return checks


def _isolation(out: Path) -> str:
    return str(json.loads((out / "results.json").read_text(encoding="utf-8"))["isolation"])


# ------------------------------------------------------------------ what a run leaves behind

def _leftovers(mark: str, tmp: Path) -> dict[str, Any]:
    deadline = time.monotonic() + SETTLE_S
    while True:
        pids = _marked_processes(mark)
        if not pids or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    left: dict[str, Any] = {}
    if pids:
        left["processes"] = {pid: _cmdline(pid) for pid in pids}
        left["listening"] = _listening_of(pids)
    files = sorted(p.name for p in tmp.iterdir())
    if files:
        left["temporary files"] = files
    strays = [p.name for p in Path("/tmp").glob(f"{mark}-*")]
    if strays:
        left["files in /tmp"] = strays
    elsewhere = [str(p) for d in WORLD_WRITABLE if d != "/tmp" for p in Path(d).glob(f"{mark}-*")]
    if elsewhere:
        left["files in world-writable folders"] = elsewhere
    return left


CHAIN_WATCH_S = 0.5


def _forking_still(mark: str) -> dict[str, Any]:
    """A fork chain left behind: each of its processes lives a millisecond (a scan of
    ``/proc`` misses them), so watch the newest pids for a while (the case's code carries
    ``mark`` in every process's command line)."""
    needle = mark.encode()
    seen: set[int] = set()
    deadline = time.monotonic() + CHAIN_WATCH_S
    while time.monotonic() < deadline:
        last = int(Path("/proc/loadavg").read_text().split()[-1])
        for pid in range(last - 3, last + 4):
            try:
                if needle in Path(f"/proc/{pid}/cmdline").read_bytes():
                    seen.add(pid)
            except OSError:
                continue
    return {"forking processes": f"{len(seen)}, first {sorted(seen)[:5]}"} if seen else {}


WORLD_WRITABLE = mounts.world_writable()


def _marked_processes(mark: str) -> list[int]:
    needle = mark.encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        for name in ("environ", "cmdline"):
            try:
                if needle in Path(f"/proc/{entry}/{name}").read_bytes():
                    found.append(int(entry))
                    break
            except OSError:
                continue
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:200]
    except OSError:
        return "?"


def _listening_of(pids: list[int]) -> list[str]:
    """The listening sockets (TCP LISTEN, bound UDP) that these processes hold."""
    inodes: dict[str, str] = {}
    for table in ("tcp", "tcp6", "udp", "udp6"):
        try:
            lines = Path(f"/proc/net/{table}").read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if (table.startswith("tcp") and fields[3] == "0A") or table.startswith("udp"):
                inodes[fields[9]] = f"{table} {fields[1]}"
    held = []
    for pid in pids:
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                inode = target[8:-1] if target.startswith("socket:[") else ""
                if inode in inodes:
                    held.append(inodes[inode])
        except OSError:
            continue
    return held


# ------------------------------------------------------------------ the tests

FIRST: dict[str, Outcome] = {}


def _skip_unless(case: Case, level: dict[str, bool], rubric_text: str) -> None:
    missing = [n for n in case.needs if not level[n]]
    if missing:
        pytest.skip(f"{case.name} is contained only with {'+'.join(missing)}, which this "
                    "machine does not give")
    unknown = [c for c in case.expect if f'"{c}"' not in rubric_text]
    if unknown:
        pytest.skip(f"{case.name}: the rubric has no {unknown[0]} yet")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_case(case: Case, rubric: Path, level: dict[str, bool]) -> None:
    _skip_unless(case, level, rubric.read_text(encoding="utf-8"))
    FIRST[case.name] = grade_case(case, rubric)


AGAIN = ("setsid_daemon", "ignores_signals", "never_exits", "fork_chain", "endless_data",
         "byte_at_a_time", "loop_at_import", "event_garbage")
"""The cases graded a second time, two at once, in the suite: those whose outcome rests on a
window, a kill or reaping. ``bench/under_load.py`` grades every case 20 times, under load."""


def test_corpus_again_two_at_once_identical(rubric: Path, level: dict[str, bool]) -> None:
    text = rubric.read_text(encoding="utf-8")
    runnable = [c for c in CASES if c.name in AGAIN and all(level[n] for n in c.needs)
                and all(f'"{k}"' in text for k in c.expect)]
    assert set(AGAIN) <= {c.name for c in CASES} and runnable
    for case in runnable:
        if case.name not in FIRST:  # run alone (-k): make the first pass here
            FIRST[case.name] = grade_case(case, rubric)
    with ThreadPoolExecutor(max_workers=2) as pool:
        again = list(pool.map(lambda c: grade_case(c, rubric), runnable))
    for outcome in again:
        assert outcome.verdicts() == FIRST[outcome.case].verdicts(), outcome.case
    print("\n" + "\n".join(f"{o.case:<20} {FIRST[o.case].seconds:5.1f} s alone, "
                           f"{o.seconds:5.1f} s two at once  [{o.isolation}]" for o in again))


@pytest.mark.parametrize("name", PORTABLE)
def test_portable_level(name: str, rubric: Path) -> None:
    case = next(c for c in CASES if c.name == name)
    _skip_unless(case, {}, rubric.read_text(encoding="utf-8"))
    outcome = grade_case(case, rubric, isolation="portable")
    assert outcome.isolation == "rlimits(no nproc)"


NO_PIDNS = ("fork_chain", "setsid_daemon", "deep_tree")


@pytest.mark.parametrize("name", NO_PIDNS)
def test_without_a_pid_namespace(name: str, rubric: Path, level: dict[str, bool]) -> None:
    """The same outcomes without a PID namespace (the run's cgroup and the janitor end the
    tree), where the machine gives the rest of the strong level."""
    if not level["uid"]:
        pytest.skip("this machine gives no student uid: the portable run covers it")
    case = next(c for c in CASES if c.name == name)
    outcome = grade_case(case, rubric, disable="pidns")
    assert "pidns" not in outcome.isolation.split("+")


NO_READONLY = ("leave_files", "setuid_root")


@pytest.mark.parametrize("name", NO_READONLY)
def test_with_a_view_that_is_not_read_only(name: str, rubric: Path,
                                           level: dict[str, bool]) -> None:
    """The same outcomes where the kernel cannot make the host read-only in the student's
    view (``mount_setattr`` came with Linux 5.12): the host's world-writable folders are then
    found by the scan and covered one by one, and nothing is left in them either."""
    if not level["uid"]:
        pytest.skip("this machine gives no student uid: the portable run covers it")
    case = next(c for c in CASES if c.name == name)
    outcome = grade_case(case, rubric, disable="readonly")
    assert "uid(view not read-only)" in outcome.isolation.split("+")


# ------------------------------------------------------------------ beyond one grading

SNOOP = {"lab9.tcp_client.sends_input": "failed", "lab9.tcp_client.exits": "passed"}
"""The snooping client appends what it found to its message: ``sends_input`` fails (the
message is not the line it was given), and the evidence shows what it could read."""


@pytest.mark.parametrize("drop_folder", [False, True], ids=["teacher's folder", "drop folder"])
def test_a_batch_hides_classmates_outputs_and_extracted_copies(
        tmp_path: Path, level: dict[str, bool], drop_folder: bool) -> None:
    """Issue 9, finding 1: in a batch a submission sees neither the submissions folder, nor
    any output root, nor another submission's copy, zipped or wrapped (needs ``uid``).

    Beside the batch's folder, the late submissions, readable by all: out of sight too, as
    everything outside the system's folders is (``mounts.SYSTEM_DIRS``; proven: with
    ``mounts._outside_the_system`` empty, ana reads the late classmate). ``drop folder``: the
    class folder is one everyone may write (1777, where students drop their work): also
    covered with an empty folder (a read-only view alone keeps it from being written, not from
    being read; session 10 regressed so)."""
    if not level["uid"]:
        pytest.skip("contained only with uid (a private view of the file system)")
    import zipfile

    # a class folder where a teacher keeps one: not under a temporary folder (those are
    # out of sight anyway), readable by everyone
    where = next((d for d in ("/srv", "/opt", "/var/lib") if os.path.isdir(d)
                  and not os.stat(d).st_mode & 0o002), None)
    if where is None:
        pytest.skip("no folder outside the temporary ones to keep a class in")
    base = Path(tempfile.mkdtemp(prefix="labgrade-test-class-", dir=where))
    try:
        subs, out, tmp = base / "subs", base / "out", base / "tmp"
        for folder in (subs, out, tmp):
            folder.mkdir()
        targets = {"submissions": str(subs), "out": str(out), "tmp": str(tmp),
                   "beside": str(base / "lab9-late")}
        snoop = (HOSTILE / "snoop_classmates.py").read_text(encoding="utf-8")
        snoop = snoop.replace("__HOSTILE_TARGETS__", json.dumps(targets))
        secret = "CLASSMATE-SECRET-" + base.name
        # the snoopers: one zipped (wrapped in its folder), one wrapped; the classmates:
        # a plain folder and a zip
        ana = make_submission(base / "ana", files={CLIENT: snoop})
        make_submission(subs / "bob" / "bob-entrega", files={CLIENT: snoop})
        server = f"# {secret}\n" + (REFERENCE / SERVER).read_text(encoding="utf-8")
        make_submission(subs / "dora", files={SERVER: server})
        carla = make_submission(base / "carla", files={SERVER: server})
        for name, folder in (("ana", ana), ("carla", carla)):
            with zipfile.ZipFile(subs / f"{name}.zip", "w") as zf:
                for path in folder.rglob("*"):
                    zf.write(path, f"{name}/" + path.relative_to(folder).as_posix())
        (out / "grades.csv").write_text(f"name,score\nbob,{secret}\n", encoding="utf-8")
        late = base / "lab9-late"  # a late student's folder, readable by all as most are
        make_submission(late / "dora", files={SERVER: server})
        for path in (late, *late.rglob("*")):
            path.chmod(0o755 if path.is_dir() else 0o644)
        for folder in (base, subs, out):
            folder.chmod(0o755)
        if drop_folder:
            base.chmod(0o1777)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "LABGRADE_"))}
        env["TMPDIR"] = str(tmp)
        args = [sys.executable, "-m", "harness.cli", "batch", str(subs), "--out", str(out),
                "--lang", "en", "--jobs", "2", *[a for c in SNOOP for a in ("--only", c)]]
        proc = subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True,
                              timeout=BOUND_S * 4, check=False)
        assert proc.returncode in (0, 1), proc.stderr[-3000:]
        for snooper in ("ana", "bob"):
            result = json.loads((out / "submissions" / snooper / "results.json").read_text())
            evidence = json.dumps(result["checks"], ensure_ascii=False)
            assert secret not in evidence, snooper
            assert "LEAK" not in evidence, (snooper, evidence[:3000])
            assert evidence.count("DENIED") >= 8, snooper
            assert {c["id"]: c["status"] for c in result["checks"]} == SNOOP
    finally:
        remove_tree(base)


def test_a_spent_budget_leaves_no_box_nor_scratch(tmp_path: Path, rubric: Path) -> None:
    """Issue 9, finding 3: the engine kills a run past ``submission_s``; whatever it left
    (boxes with the student's files, scratch folders) is removed."""
    slow = tmp_path / "slow.toml"
    slow.write_text(rubric.read_text(encoding="utf-8").replace(
        "[limits]\n", "[limits]\nsubmission_s = 4\n", 1), encoding="utf-8")
    base = Path(tempfile.mkdtemp(prefix="lgh-"))
    try:
        sub = _submission(base / "class" / "budget-student",
                          Case("budget", SERVER, {}, source="never_exits"), base)
        # a server that never listens and hangs: the budget runs out during its checks
        (sub / SERVER).write_text("import time\nopen('kept', 'w').write('x')\n"
                                  "while True:\n    time.sleep(1)\n", encoding="utf-8")
        (base / "tmp").mkdir()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "LABGRADE_"))}
        env["TMPDIR"] = str(base / "tmp")
        args = [sys.executable, "-m", "harness.cli", "grade", str(sub), "--out",
                str(base / "out"), "--rubric", str(slow), "--lang", "en",
                "--only", "lab9.tcp_server", "--timeout", "30"]
        proc = subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True,
                              timeout=BOUND_S * 3, check=False)
        assert proc.returncode in (0, 1), proc.stderr[-3000:]
        checks = json.loads((base / "out" / "results.json").read_text())["checks"]
        assert checks and all(c["status"] == "failed" for c in checks)
        assert any("total time (4 s)" in c["message"] for c in checks)
        assert sorted(p.name for p in (base / "tmp").iterdir()) == []
        assert not _marked_processes(base.name)
    finally:
        remove_tree(base)


def test_a_crafted_zip_is_refused_before_it_is_opened(tmp_path: Path) -> None:
    """Issue 9, finding 5: an end-of-central-directory record announcing two million
    entries (or a directory far too large, whatever count it claims) is refused at once."""
    import struct

    from harness.batch_zip import UnsafeArchive, extract

    def crafted(count: int, cd_size: int) -> Path:
        path = tmp_path / f"c{count}-{cd_size}.zip"
        path.write_bytes(b"\0" * 64 + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0,
                                                   count & 0xFFFF, count & 0xFFFF,
                                                   cd_size, 0, 0))
        return path

    for archive in (crafted(65_000, 3_000_000), crafted(1, 90_000_000)):
        started = time.monotonic()
        with pytest.raises(UnsafeArchive) as refused:
            extract(archive, tmp_path / "x")
        assert refused.value.key == "too_many"
        assert time.monotonic() - started < 1.0
    with pytest.raises(UnsafeArchive) as corrupt:  # within limits: zipfile's own verdict
        extract(crafted(3, 150), tmp_path / "y")
    assert corrupt.value.key == "unreadable"


def test_private_copies_are_unreadable_to_student_uids(monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    """Issue 9, finding 6: at ``uid(no view)`` a classmate's private copy must not be
    readable: its folder is the grader's alone (0700)."""
    from harness import engine

    seen: list[int] = []

    def fake_run(workdir: Path, *args: Any, **kwargs: Any) -> tuple[dict[str, Any], str]:
        seen.append(workdir.parent.stat().st_mode & 0o777)
        return {"outcomes": []}, ""

    monkeypatch.setattr(engine, "_run_suite", fake_run)
    engine.grade(REFERENCE, isolation="portable", only=["lab9.tcp_client"], report=False)
    assert seen == [0o700]


def test_any_bytes_on_the_event_channel_are_handled() -> None:
    """Issue 9, finding 10: garbage on the channel (a line the JSON parser recurses on,
    invalid UTF-8, a line far too long) is dropped; the events after it arrive."""
    from harness.vnet.channel import EventChannel

    channel = EventChannel()
    fd = channel.write_fd
    os.write(fd, b"[" * 100000 + b"\n\xff\xfe\n" + b"{" * 70000 + b"\n")
    os.write(fd, b'{"ev": "started"}\n')
    channel.child_side_done()
    assert channel.wait_for(lambda e: e["ev"] == "started", 5) == {"ev": "started"}
    channel.wait_closed(5)
    assert channel.snapshot() == [{"ev": "started"}]


UNDER_LOAD = ("setsid_daemon", "ignores_signals")
"""The corpus graded under load in the suite: the cases whose outcome rests on stopping,
killing and reaping (where a timing window would show first)."""
LOADED_REFERENCE = ("lab9.tcp_server", "recipes.r10_reuse_address")
REPEATS = 2


def test_same_verdicts_with_two_cpu_burners(rubric: Path, level: dict[str, bool]) -> None:
    """Issue 9: with two CPU-bound processes beside it, the reference (the checks a busy
    machine once flipped) keeps full marks and the corpus its exact outcomes, identically
    in every repetition (``bench/under_load.py`` does the 20 repetitions of everything)."""
    from tests.load import Burners, grade_reference

    cases = [c for c in CASES if c.name in UNDER_LOAD and all(level[n] for n in c.needs)]
    seen: list[dict[str, Any]] = []
    with Burners(2):
        for _ in range(REPEATS):
            verdicts: dict[str, Any] = {"reference": grade_reference(list(LOADED_REFERENCE))}
            assert verdicts["reference"] and all(
                status == "passed" for status, _ in verdicts["reference"].values()), verdicts
            for case in cases:
                verdicts[case.name] = grade_case(case, rubric).verdicts()
            seen.append(verdicts)
    assert all(v == seen[0] for v in seen[1:])
