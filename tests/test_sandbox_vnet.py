"""The sandbox and the virtual network, exercised with tiny real programs in real children."""

from __future__ import annotations

import os
import socket
import textwrap
import threading
from pathlib import Path

import pytest

from harness.checks.student import Opaque, decode
from harness.sandbox.isolation import Isolation, detect
from harness.sandbox.runner import Limits, Sandbox
from harness.sandbox.zygote import local_names, warm_imports
from harness.vnet.rules import VNet
from harness.vnet.shim import virtual_address
from tests.conftest import REFERENCE


@pytest.fixture
def box(tmp_path: Path):  # type: ignore[no-untyped-def]
    def make(files: dict[str, str], *, portable: bool = False, **limits: float) -> Sandbox:
        work = tmp_path / "work"
        work.mkdir(exist_ok=True)
        for name, text in files.items():
            (work / name).write_text(textwrap.dedent(text), encoding="utf-8")
        iso = Isolation(rlimits=True) if portable else detect(netns=False, want_uid=False)
        return Sandbox(work, isolation=iso, limits=Limits(**limits))  # type: ignore[arg-type]

    return make


def test_bind_reports_real_port_and_listen(box) -> None:  # type: ignore[no-untyped-def]
    sb = box({"srv.py": """
        from socket import *
        s = socket(AF_INET, SOCK_STREAM)
        s.bind(("localhost", 21567))
        s.listen(3)
        c, a = s.accept()
        c.sendall(b"hola " + c.recv(100))
    """})
    with sb.spawn("srv.py") as child:
        listen = child.listening(5)
        assert listen is not None and listen["backlog"] == 3
        assert child.binds()[0]["port"] == 21567
        assert listen["real"] != 21567 or True  # the real port is whatever the kernel gave
        with socket.create_connection(("127.0.0.1", listen["real"]), timeout=3) as c:
            c.sendall(b"x")
            assert c.recv(100) == b"hola x"


def test_connect_routes_and_refuses_unmapped(box) -> None:  # type: ignore[no-untyped-def]
    sb = box({"cli.py": """
        import socket, errno
        s = socket.create_connection(("www.example.com", 80))
        print(s.recv(10).decode())
        t = socket.socket()
        print("ex", t.connect_ex(("8.8.8.8", 53)) == errno.ECONNREFUSED)
        try:
            socket.create_connection(("localhost", 9))
        except ConnectionRefusedError:
            print("refused")
    """})
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    t = threading.Thread(target=lambda: server.accept()[0].sendall(b"fake"), daemon=True)
    t.start()
    vnet = VNet().route("tcp", "www.example.com", 80, server.getsockname())
    finished = sb.run("cli.py", vnet=vnet, timeout=5)
    server.close()
    assert finished.stdout.split() == ["fake", "ex", "True", "refused"]
    assert [e["ev"] for e in finished.events if e["ev"] in ("connect", "refused")] == \
        ["connect", "refused", "refused"]


def test_virtual_dns(box) -> None:  # type: ignore[no-untyped-def]
    sb = box({"dns.py": """
        import socket
        print(socket.gethostbyname("pool.ntp.org"))
        print(sorted({a[4][0] for a in socket.getaddrinfo("multi.test", 80)}))
        try:
            socket.gethostbyname("nx.test")
        except socket.gaierror:
            print("nxdomain")
        print(socket.gethostbyname("localhost"))
    """})
    vnet = VNet().record("multi.test", ["203.0.113.5", "198.51.100.7"]).record("nx.test", None)
    out = sb.run("dns.py", vnet=vnet, timeout=5).stdout.splitlines()
    assert out == [virtual_address("pool.ntp.org"), "['198.51.100.7', '203.0.113.5']",
                   "nxdomain", "127.0.0.1"]
    assert out[0].split(".")[0] in ("192", "198", "203")


def test_virtual_sleep_is_recorded_not_slept(box) -> None:  # type: ignore[no-untyped-def]
    sb = box({"nap.py": "import time\nfor _ in range(10):\n    time.sleep(1)\nprint('done')\n"})
    finished = sb.run("nap.py", vnet=VNet(virtual_sleep=True), timeout=5)
    assert finished.stdout == "done\n"
    assert [e["s"] for e in finished.events if e["ev"] == "sleep"] == [1.0] * 10
    assert finished.duration_s < 2


def test_stdin_then_eof_and_exit_code(box) -> None:  # type: ignore[no-untyped-def]
    sb = box({"ask.py": "a = input('> ')\nprint(a[::-1])\ninput()\n"})
    finished = sb.run("ask.py", stdin="hola\n", timeout=5)
    assert finished.stdout.startswith("> aloh")
    assert "EOFError" in finished.stderr and finished.exit_code == 1
    assert finished.cause is None


def test_timeout_kills_the_whole_tree(box) -> None:  # type: ignore[no-untyped-def]
    sb = box({"daemon.py": """
        import os, time
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                print("daemon", os.getpid(), flush=True)
                while True:
                    time.sleep(1)
            os._exit(0)
        while True:
            time.sleep(1)
    """})
    finished = sb.run("daemon.py", timeout=1)
    assert finished.cause == "timeout"
    pid = int(finished.stdout.split()[1])
    if sb.isolation.pidns:
        return  # the pid printed is inside the namespace; the namespace is gone with it
    with pytest.raises(ProcessLookupError):
        import os

        os.kill(pid, 0)


def test_output_is_capped(box) -> None:  # type: ignore[no-untyped-def]
    sb = box({"flood.py": "import sys\nwhile True:\n    sys.stdout.write('x' * 65536)\n"},
             file_size_mb=1)
    finished = sb.run("flood.py", timeout=10)
    assert finished.cause == "output_limit"
    assert finished.stdout_bytes <= 1024 * 1024


def test_function_values_are_plain_and_lying_eq_is_opaque(box) -> None:  # type: ignore[no-untyped-def]
    sb = box({"f.py": """
        import socket
        class Liar(str):
            def __eq__(self, other):
                return True
        def liar():
            return Liar("x")
        def data():
            return ("a", b"\\x00\\xff", [1, 2.5, None], {"k": (1,)})
        def sock():
            s = socket.socket()
            s.settimeout(2.5)
            return s
    """})
    outcomes, _ = sb.call("f.py", [{"func": "liar"}, {"func": "data"}, {"func": "sock"},
                                   {"func": "nope"}])
    assert outcomes[0] is not None and outcomes[1] is not None and outcomes[2] is not None
    liar = decode(outcomes[0]["value"])
    assert isinstance(liar, Opaque) and liar != "x" and "Liar" in liar.type_name
    assert decode(outcomes[1]["value"]) == ("a", b"\x00\xff", [1, 2.5, None], {"k": (1,)})
    info = decode(outcomes[2]["value"])
    assert info["timeout"] == 2.5 and info["type"] == socket.SOCK_STREAM
    assert outcomes[3] is not None and outcomes[3]["ev"] == "missing"
    assert outcomes[3]["defined"] == ["data", "liar", "sock"]


def test_portable_level_still_grades(box) -> None:  # type: ignore[no-untyped-def]
    sb = box({"hi.py": "print('hola')\n"}, portable=True)
    assert sb.isolation.describe() == "rlimits(no nproc)"  # no uid: no process limit
    assert sb.run("hi.py", timeout=5).stdout == "hola\n"


def test_student_sitecustomize_has_no_effect(box) -> None:  # type: ignore[no-untyped-def]
    sb = box({"sitecustomize.py": "print('HACKED')\n", "usercustomize.py": "print('HACKED')\n",
              "hi.py": "print('hola')\n"})
    assert sb.run("hi.py", timeout=5).stdout == "hola\n"


@pytest.mark.parametrize("zygote,clone_parent", [("1", "1"), ("1", "0"), ("0", "1")],
                         ids=["forked", "forked-twice", "fresh"])
def test_forked_and_fresh_processes_end_alike(box, monkeypatch, zygote: str,  # type: ignore[no-untyped-def]
                                              clone_parent: str) -> None:
    """A process forked by the zygote (beside it, or through Z1) ends like a fresh
    interpreter: non-daemon threads are joined, atexit handlers run, sys.exit sets the
    status, output is flushed; and it collects garbage as one does (the zygote does not)."""
    monkeypatch.setenv("LABGRADE_ZYGOTE", zygote)
    monkeypatch.setenv("LABGRADE_CLONE_PARENT", clone_parent)
    sb = box({"end.py": """
        import atexit, sys, threading
        atexit.register(lambda: print("atexit"))
        go = threading.Event()
        threading.Thread(target=lambda: (go.wait(), print("thread"))).start()
        print(input(), sys.argv[1:])
        go.set()
        sys.exit(3)
    """, "env.py": "import os\nprint(sorted(k for k in os.environ if k.startswith('LABGRADE')))\n",
        "gc_on.py": "import gc\nprint(gc.isenabled(), gc.get_threshold())\n"})
    finished = sb.run("end.py", args=["a"], stdin="hola\n", timeout=5)
    assert finished.stdout == "hola ['a']\nthread\natexit\n"
    assert finished.exit_code == 3
    assert sb.run("env.py", timeout=5).stdout.strip() in ("[]", "['LABGRADE_TAG']")
    assert sb.run("gc_on.py", timeout=5).stdout == "True (700, 10, 10)\n"
    if zygote == "1" and sb.isolation.pidns:
        assert sb._zygote is not None  # the fork server really served these
    sb.close()


BESIDE = """
import os, random, signal, sys, threading, time
sys.path.insert(0, sys.argv[1])
from harness.sandbox import launcher
%s
r, w = os.pipe()
middle = os.fork()  # the caller of fork_beside, as the zygote is the grading run's child
if middle == 0:
    before = random.random()
    pid = launcher.fork_beside(%s)
    if pid == 0:
%s
        os._exit(7)
    os._exit(0 if pid > 0 else 3)
_, status = os.waitpid(middle, 0)
print("middle", os.waitstatus_to_exitcode(status))
if os.waitstatus_to_exitcode(status) == 0:
    print("child says", os.read(r, 64).decode(), "mine", os.getpid())
    print("reaped here", os.waitstatus_to_exitcode(os.waitpid(-1, 0)[1]))
"""
"""A process (middle) calls ``fork_beside``: its child reports back and is reaped here."""
FORK_BESIDE = BESIDE % ("""
if sys.argv[2] == "unsupported":
    launcher._SYS_CLONE.clear()
""", "", """
        # Python works here: threads, and the at-fork hooks ran (random reseeded)
        t = threading.Thread(target=lambda: None)
        t.start()
        t.join()
        os.write(w, f"{os.getppid()} {random.random() != before}".encode())
""")


@pytest.mark.parametrize("arch", ["supported", "unsupported"])
def test_fork_beside_makes_a_child_of_the_callers_parent(arch: str) -> None:
    """The zygote's fork: the child's parent is the caller's parent (who reaps it), Python
    runs normally in it; where the architecture is not known, it declines (-1)."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", FORK_BESIDE, str(Path(__file__).parents[1]),
                          arch], capture_output=True, text=True, timeout=30, check=True).stdout
    if arch == "unsupported":
        assert out.split() == ["middle", "3"]
        return
    lines = out.splitlines()
    assert lines[0] == "middle 0", out
    words = lines[1].split()
    assert words[2] == words[5], f"the child's parent is not the caller's parent: {out}"
    assert words[3] == "True", "random was not reseeded in the child"
    assert lines[2] == "reaped here 7"


NEW_PID_NAMESPACE = BESIDE % ("""
import ctypes
if sys.argv[2] == "stale":  # the clone without setting glibc's copy of the thread id
    launcher._tid_field = lambda libc: ctypes.c_int()
""", "launcher.CLONE_NEWPID", """
        got = []  # another thread signals the main one, through glibc (pthread_kill)
        signal.signal(signal.SIGUSR1, lambda *_: got.append(1))
        def poke():
            try:
                signal.pthread_kill(threading.main_thread().ident, signal.SIGUSR1)
            except OSError as exc:
                got.append(type(exc).__name__)
        t = threading.Thread(target=poke)
        t.start()
        t.join()
        for _ in range(200):  # the handler runs in the main thread, at its next instruction
            if got:
                break
            time.sleep(0.005)
        os.write(w, f"{os.getpid()} {got}".encode())
""")


@pytest.mark.parametrize("tid", ["set", "stale"])
def test_fork_beside_into_a_new_pid_namespace_keeps_glibc_right(tid: str) -> None:
    """With ``CLONE_NEWPID`` the zygote's child is PID 1 of a namespace of its own (it runs
    the student's code: there is no launcher in between) and glibc's copy of its thread id
    is set as ``fork()`` sets it, so a thread can signal the main thread; left as the raw
    clone leaves it, that signal goes nowhere."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", NEW_PID_NAMESPACE,
                          str(Path(__file__).parents[1]), tid],
                         capture_output=True, text=True, timeout=30, check=True).stdout
    if out.split() == ["middle", "3"]:
        pytest.skip("no new PID namespace here (not privileged)")
    lines = out.splitlines()
    assert lines[0] == "middle 0" and lines[2] == "reaped here 7", out
    said = lines[1].rsplit(" mine ", 1)[0]
    if tid == "set":
        assert said == "child says 1 [1]", out
    else:
        assert said == "child says 1 ['ProcessLookupError']", out


@pytest.mark.parametrize("clone_parent", ["1", "0"], ids=["pid1-at-birth", "launcher"])
def test_a_forked_student_process_is_pid_1_and_its_kill_ends_the_namespace(
        box, monkeypatch, clone_parent: str) -> None:  # type: ignore[no-untyped-def]
    """The zygote's student process is PID 1 of its own namespace and the grading run's own
    child: a program that never ends, with a daemon of its own, is killed past its time and
    nothing of it is left (the run waits for the namespace to end, not for a launcher).
    Without ``CLONE_PARENT``, a launcher forks PID 1 and the same holds through it."""
    monkeypatch.setenv("LABGRADE_CLONE_PARENT", clone_parent)
    sb = box({"forever.py": """
        import ctypes, os, time
        if os.fork() == 0:
            os.setsid()
            ctypes.CDLL(None).prctl(15, b"lgdaemon7q", 0, 0, 0)  # its name, seen from here
            print("daemon", flush=True)
            time.sleep(60)
        time.sleep(0.2)
        print(os.getpid(), flush=True)
        time.sleep(60)
    """})
    if not sb.isolation.pidns:
        pytest.skip("no PID namespace here")
    child = sb.spawn("forever.py")
    assert child.proc.init == (clone_parent == "1"), "PID 1 made by the wrong process"
    pid = child.proc.pid
    finished = child.finish(1.0)
    assert finished.timed_out and finished.stdout == "daemon\n1\n", finished
    assert not os.path.exists(f"/proc/{pid}"), "PID 1 outlived its kill"
    names = []
    for entry in os.listdir("/proc"):
        try:
            names.append(Path(f"/proc/{entry}/comm").read_text().strip())
        except OSError:
            pass
    assert "lgdaemon7q" not in names, "the daemon outlived the namespace's PID 1"
    sb.close()


ARGPARSE_PROGRAM = """
    import argparse, re, sys
    parser = argparse.ArgumentParser(description="Servidor de eco")
    parser.add_argument("--port", type=int, default=9900, help="puerto")
    args = parser.parse_args()
    print(args.port, sorted(m for m in ("requests", "http.server") if m in sys.modules))
"""


def test_a_primed_argparse_behaves_as_a_fresh_one(box, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The zygote uses a throwaway parser once after importing ``argparse`` (to fill the
    regular-expression cache): a program's parser answers exactly as in a fresh
    interpreter, for help, errors and values."""
    outcomes = {}
    for zygote in ("1", "0"):
        monkeypatch.setenv("LABGRADE_ZYGOTE", zygote)
        sb = box({"srv.py": ARGPARSE_PROGRAM})
        outcomes[zygote] = [
            (f.stdout, f.stderr.replace("srv.py", "PROG"), f.exit_code)
            for f in (sb.run("srv.py", args=a, timeout=10)
                      for a in ([], ["--port", "4242"], ["--port", "x"], ["--help"]))]
        sb.close()
    assert outcomes["1"] == outcomes["0"]
    ok, value, error, helped = outcomes["1"]
    assert ok == ("9900 []\n", "", 0) and value[0] == "4242 []\n"
    assert error[2] == 2 and "invalid int value: 'x'" in error[1]
    assert helped[2] == 0 and "Servidor de eco" in helped[0] and "--port PORT" in helped[0]


WARM_PROBE = """
    import sys
    print("requests" in sys.modules)
    import requests
    print(requests.__name__, requests.__file__.startswith(sys.argv[1]))
"""


@pytest.mark.parametrize("own", [False, True], ids=["installed", "own_requests_py"])
def test_the_zygote_imports_heavy_modules_once_unless_the_submission_has_its_own(
        box, tmp_path: Path, own: bool) -> None:  # type: ignore[no-untyped-def]
    """``requests`` imported by the submission is imported once by the fork server (each
    process finds it loaded); a submission with its own ``requests.py`` gets its own, as a
    fresh interpreter would give it."""
    files = {"cli.py": WARM_PROBE}
    if own:
        files["requests.py"] = "print('own module')\n"
    sb = box(files)
    if not sb.isolation.pidns:
        pytest.skip("no PID namespace here: no fork server, every process imports it")
    finished = sb.run("cli.py", args=["/"], timeout=10)
    if own:
        assert finished.stdout.splitlines()[:2] == ["False", "own module"], finished.stderr
        assert warm_imports(tmp_path / "work" / "cli.py", local_names(tmp_path / "work")) == []
    else:
        assert finished.stdout == "True\nrequests True\n", finished.stderr
        assert warm_imports(tmp_path / "work" / "cli.py",
                            local_names(tmp_path / "work")) == ["requests"]
    sb.close()


def test_only_listed_modules_are_warmed(tmp_path: Path) -> None:
    """A module the submission imports is imported by the fork server only if it is on the
    fixed list (an installed module may act when imported: never one the student names)."""
    (tmp_path / "a.py").write_text("import antigravity, this, requests\n"
                                   "from urllib.request import urlopen\n"
                                   "from . import sibling\n", encoding="utf-8")
    (tmp_path / "broken.py").write_text("def (:\n", encoding="utf-8")
    assert warm_imports(tmp_path / "a.py", local_names(tmp_path)) == [
        "requests", "urllib.request"]
    assert warm_imports(tmp_path / "broken.py", local_names(tmp_path)) == []
    (tmp_path / "lab" / "urllib").mkdir(parents=True)
    assert warm_imports(tmp_path / "a.py", local_names(tmp_path)) == ["requests"]


def _processes_with(arg: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if arg.encode() in cmdline:
                found.append(int(entry.name))
    return found


def test_killing_a_grading_run_ends_everything_it_started(tmp_path: Path) -> None:
    """The runner is PID 1 of its own namespace: SIGKILL to it (the engine's last resort)
    takes every process it started along, daemons included."""
    import signal
    import subprocess
    import sys
    import time

    from harness.sandbox.isolation import CLONE_NEWPID, can_unshare

    if not can_unshare(CLONE_NEWPID):
        pytest.skip("this machine gives no PID namespace")
    marker = f"{time.time():.6f}"
    script = (
        "import os, subprocess, sys, time\n"
        "from harness.sandbox.launcher import enter_pid_namespace\n"
        "enter_pid_namespace()\n"
        f"child = subprocess.Popen(['sleep', '{marker}'], start_new_session=True)\n"
        "print('ready', os.getpid(), child.poll(), flush=True)\n"
        "time.sleep(60)\n")
    outer = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        assert outer.stdout is not None
        line = outer.stdout.readline().strip()
        assert line == "ready 1 None", f"not PID 1 of a new namespace, or no grandchild: {line!r}"
        deadline = time.monotonic() + 5
        while not _processes_with(marker) and time.monotonic() < deadline:
            time.sleep(0.05)  # seen through /proc, which a loaded machine may show late
        assert _processes_with(marker), "the grandchild should be running"
        outer.send_signal(signal.SIGKILL)
        outer.wait(5)
        deadline = time.monotonic() + 5
        while _processes_with(marker) and time.monotonic() < deadline:
            time.sleep(0.05)  # the kernel tears the namespace down asynchronously
        left = _processes_with(marker)
        errors = outer.stderr.read() if outer.stderr else ""
        assert left == [], f"left behind: {left}; stderr: {errors}"
    finally:
        outer.kill()
        for pid in _processes_with(marker):
            os.kill(pid, signal.SIGKILL)


def test_checks_read_the_sources_as_submitted(tmp_path: Path) -> None:
    """Checks that judge code (imports) read a snapshot taken before any student code ran:
    rewriting the working copy afterwards changes nothing they see."""
    from harness.checks.support import Probe
    from harness.plugin import Grading
    from harness.protocol import RunConfig

    work = tmp_path / "work" / "recipes"
    work.mkdir(parents=True)
    (work / "r12_sntp_client.py").write_text("import ntplib\n", encoding="utf-8")
    grading = Grading(RunConfig(workdir=str(tmp_path / "work"), report=str(tmp_path / "r.json"),
                                isolation={"rlimits": True}, limits={}, lang="es"))
    (work / "r12_sntp_client.py").write_text("import socket\n", encoding="utf-8")
    student = grading.student("recipes.r12_sntp_client", Probe("x"))
    assert student.source() == b"import ntplib\n"
    grading.sandbox.close()


def test_the_view_is_planned_once_for_the_sandboxs_one_box(tmp_path: Path) -> None:
    """The student's view is planned once per sandbox, for its one box folder (every process
    mounts its own tmpfs there): exactly the plan made from nothing for that folder, the
    same for every process, and the folder goes when the sandbox closes."""
    from harness.sandbox import mounts

    iso = detect(netns=False)
    if iso.uid is None:
        pytest.skip("no student uid here: no private view to plan")
    sb = Sandbox(REFERENCE, isolation=iso, hide=[str(tmp_path)])
    box, plan = sb._view()
    fresh = mounts.plan(keep=[*sb._keep, str(box)], hide=sb.hide, uid=iso.uid,
                        proc=iso.pidns, writable=sb._writable,
                        box={"path": str(box), "source": str(REFERENCE),
                             "size_mb": sb._copy_mb + sb.limits.disk_mb},
                        readonly=iso.readonly)
    assert plan == fresh
    assert any(str(box) in c["keep"] for c in fresh["cover"])  # the box is in it
    assert sb._view() == (box, plan)
    assert box.is_dir() and not any(box.iterdir())
    sb.close()
    assert not box.exists()


def test_a_copy_an_import_hook_would_load_is_hidden_too(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """An editable install of another checkout puts an import hook in the interpreter: a
    student process of that interpreter could ``import harness`` from there (the suite's
    source) unless that copy is hidden like this one."""
    import importlib.machinery
    import sys

    from harness.sandbox.runner import hidden_by_default

    other = tmp_path / "other-checkout" / "harness"
    (other / "sandbox").mkdir(parents=True)
    (other / "sandbox" / "launcher.py").write_text("", encoding="utf-8")

    class EditableFinder:  # what setuptools' editable install adds to sys.meta_path
        @staticmethod
        def find_spec(name: str, path: object = None) -> object:
            if name != "harness":
                return None
            spec = importlib.machinery.ModuleSpec(name, None, is_package=True)
            spec.submodule_search_locations = [str(other)]
            return spec

    assert str(other) not in hidden_by_default()
    monkeypatch.setattr(sys, "meta_path", [EditableFinder, *sys.meta_path])
    assert str(other.resolve()) in hidden_by_default()


LIST_BOX = """\
import hashlib, os, stat
for dirpath, dirnames, filenames in sorted(os.walk(".")):
    for name in sorted(dirnames + filenames):
        p = os.path.join(dirpath, name)
        st = os.lstat(p)
        data = b"" if stat.S_ISDIR(st.st_mode) else open(p, "rb").read()
        print(p, oct(st.st_mode), st.st_uid == os.getuid(), hashlib.sha256(data).hexdigest())
"""


@pytest.mark.parametrize("zygote", ["1", "0"], ids=["forked", "fresh"])
def test_each_box_is_an_exact_copy_the_student_owns(tmp_path: Path, zygote: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """With the private view, each process's box is filled from the working copy (read
    once by the zygote for all its forks, or by a fresh launcher itself): every folder and
    regular file, byte for byte, owned by the student; links and special files left out;
    what one process changes in its box, the next one does not see."""
    iso = detect(netns=False)
    if iso.uid is None or not iso.view:
        pytest.skip("no student uid and private view here")
    monkeypatch.setenv("LABGRADE_ZYGOTE", zygote)
    work = tmp_path / "work"
    (work / "sub" / "deeper").mkdir(parents=True)
    (work / "list.py").write_text(LIST_BOX + "open('list.py', 'a').write('#')\n",
                                  encoding="utf-8")
    (work / "sub" / "data.bin").write_bytes(bytes(range(256)) * 300)
    (work / "sub" / "deeper" / "empty.txt").write_bytes(b"")
    (work / "link.py").symlink_to(work / "list.py")
    os.mkfifo(work / "fifo")
    sb = Sandbox(work, isolation=iso, hide=[str(tmp_path.parent)])
    try:
        seen = [sb.run("list.py") for _ in range(3)]
    finally:
        sb.close()
    import hashlib

    def line(rel: str, mode: str, data: bytes | None) -> str:
        digest = hashlib.sha256(data or b"").hexdigest()
        return f"./{rel} {mode} True {digest}"

    expected = sorted([
        line("list.py", "0o100644", (work / "list.py").read_bytes()),
        line("sub", "0o40700", None), line("sub/data.bin", "0o100644",
                                         (work / "sub" / "data.bin").read_bytes()),
        line("sub/deeper", "0o40700", None),
        line("sub/deeper/empty.txt", "0o100644", b"")])
    for finished in seen:
        assert finished.exit_code == 0, finished.stderr
        assert sorted(finished.stdout.splitlines()) == expected


def test_the_zygote_runs_the_shim_and_mounts_as_their_source_says() -> None:
    """The zygote takes the shim's and mounts.py's code from their bytecode files where they
    are fresh (their source compiled where not): the same code, under the source's name
    (tracebacks and the filters of labgrade's own frames depend on it)."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        f"sys.path.insert(0, {str(Path(__file__).parents[1])!r})\n"
        "from pathlib import Path\n"
        "from harness.sandbox import launcher\n"
        "launcher._precompile()\n"
        "for path, code in sorted(launcher._COMPILED.items()):\n"
        "    fresh = compile(Path(path).read_bytes(), path, 'exec')\n"
        "    print(Path(path).name, code.co_filename == path, code.co_code == fresh.co_code,\n"
        "          code.co_names == fresh.co_names)\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=30, check=True).stdout
    assert out.splitlines() == ["mounts.py True True True", "shim.py True True True"]


def test_scripts_start_from_their_fresh_bytecode_as_their_source_would(tmp_path: Path) -> None:
    """The fork server's command (:func:`script_command`) runs the launcher from the bytecode
    file Python keeps beside it when that file matches the source (size and time), and from
    the source otherwise, with the ``__name__``, ``__file__`` and ``sys.argv`` the script
    would have had run by name. Proven with a bytecode file whose code differs from its
    source: it is run only while it is fresh."""
    import importlib.util
    import subprocess
    import sys
    from importlib._bootstrap_external import _code_to_timestamp_pyc  # type: ignore[attr-defined]

    from harness.sandbox.zygote import script_command

    script = tmp_path / "prog.py"
    body = "import sys\nprint({!r}, __name__, __file__ == sys.argv[0], sys.argv[1:])\n"
    script.write_text(body.format("source"), encoding="utf-8")
    st = script.stat()
    other = compile(body.format("bytecode"), str(script), "exec")
    pyc = Path(importlib.util.cache_from_source(str(script)))
    pyc.parent.mkdir()
    pyc.write_bytes(_code_to_timestamp_pyc(other, st.st_mtime, st.st_size))

    def run() -> str:
        return subprocess.run(script_command(sys.executable, script, "a", "--b"),
                              capture_output=True, text=True, timeout=30,
                              check=True).stdout.strip()

    assert run() == "bytecode __main__ True ['a', '--b']"
    script.write_text(body.format("source") + "\n", encoding="utf-8")  # changed: stale
    assert run() == "source __main__ True ['a', '--b']"
    pyc.unlink()
    assert run() == "source __main__ True ['a', '--b']"
    assert not pyc.exists()  # -B: nothing written beside the submission's or our files


def test_imports_are_found_in_every_block_of_a_program(tmp_path: Path) -> None:
    """The imports the zygote may warm are read from every statement, at any depth (a
    function, a class, ``if``/``else``, ``try`` with its handlers and ``finally``, ``with``,
    loops, ``match`` cases), as a walk of every node of the program finds them; the reference's
    programs as well."""
    import ast

    from harness.sandbox.zygote import _imports

    program = tmp_path / "prog.py"
    program.write_text(textwrap.dedent("""\
        import a1, a2.b as c
        from b1 import x
        from . import rel
        def f():
            import f1
            class K:
                import k1
        if x:
            import i1
        elif y:
            import i2
        else:
            import i3
        try:
            import t1
        except ImportError:
            import t2
        else:
            import t3
        finally:
            import t4
        with open(p) as q:
            import w1
        for i in r:
            import l1
        else:
            import l2
        while z:
            from l3 import v
        match m:
            case 1:
                import m1
        async def g():
            async with h:
                import g1
        """), encoding="utf-8")

    def walked(path: Path) -> set[str]:
        tree = ast.parse(path.read_bytes())
        return {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names} | {
            node.module for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module and not node.level}

    assert _imports(program) == walked(program) == {
        "a1", "a2.b", "b1", "f1", "k1", "i1", "i2", "i3", "t1", "t2", "t3", "t4", "w1", "l1",
        "l2", "l3", "m1", "g1"}
    for source in sorted(REFERENCE.rglob("*.py")):
        assert _imports(source) == walked(source), source


@pytest.mark.parametrize("failing", ["EventChannel", "_fork"])
def test_a_process_that_cannot_be_started_leaves_nothing_open(box, monkeypatch,  # type: ignore[no-untyped-def]
                                                             failing: str) -> None:
    """Whatever fails while a student process is being started (its event channel, the fork
    itself), the error reaches the check and the memory files and pipes made for it are
    closed, its box removed."""
    import tempfile

    from harness.sandbox import runner

    sandbox = box({"p.py": "print('hola')\n"}, portable=True)
    try:
        assert sandbox.run("p.py").stdout == "hola\n"  # the sandbox's own set-up is done

        def broken(*_args: object, **_kw: object) -> None:
            raise OSError(24, "Too many open files")

        if failing == "_fork":
            monkeypatch.setattr(sandbox, "_fork", broken)
            monkeypatch.setattr(runner.subprocess, "Popen", broken)
        else:
            monkeypatch.setattr(runner, failing, broken)
        def boxes() -> set[Path]:  # without the private view, each process has its own
            return set(Path(tempfile.gettempdir()).glob("labgrade-box-*"))

        def memory_files() -> set[str]:  # a process's stdin, stdout and stderr (and only
            found = set()  # those: other threads of this process open files of their own)
            for fd in os.listdir("/proc/self/fd"):
                try:
                    target = os.readlink(f"/proc/self/fd/{fd}")
                except OSError:
                    continue
                if target.startswith("/memfd:labgrade-"):
                    found.add(fd)
            return found

        fds, before = memory_files(), boxes()
        for _ in range(3):
            with pytest.raises(OSError, match="Too many open files"):
                sandbox.spawn("p.py", stdin="x")
        assert memory_files() <= fds
        assert boxes() <= before
    finally:
        sandbox.close()


def test_a_child_whose_status_another_collected_still_counts_as_ended(
        box, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Where the wait for a student process fails because its status was collected by
    another (as ``Popen`` tolerates), the process still counts as ended: the checks do not
    wait for it until the set-up bound (60 s) and the kill's grace; and it is never
    signalled again (its pid may name another process by then)."""
    import errno

    from harness.sandbox.zygote import ForkedProcess

    real_waitpid = os.waitpid

    def collected_elsewhere(pid: int, options: int):  # type: ignore[no-untyped-def]
        if threading.current_thread().name == "child-watch":
            real_waitpid(pid, options)  # another collects its status first
            raise ChildProcessError(errno.ECHILD, os.strerror(errno.ECHILD))
        return real_waitpid(pid, options)

    sb = box({"quick.py": "print('done')\n"})
    monkeypatch.setattr(os, "waitpid", collected_elsewhere)
    child = sb.spawn("quick.py")
    try:
        child._watcher.join(30)
        assert not child._watcher.is_alive() and not child.alive
        assert child.channel._child_gone  # what the checks' waits end on
        if isinstance(child.proc, ForkedProcess):  # Popen keeps its own rule (exit code 0)
            assert child.proc.gone and child.proc.returncode is None
            signals = []
            monkeypatch.setattr(os, "kill", lambda pid, sig: signals.append((pid, sig)))
            child.proc.kill()
            assert signals == []
    finally:
        monkeypatch.undo()
        assert child.finish(5).exit_code is None  # its status is unknown; its box removed
        sb.close()


USERNS_PROBE = """
import ctypes, os, subprocess, sys, threading
libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWUSER = 0x10000000
def tried(call):
    return "ok" if call() == 0 else os.strerror(ctypes.get_errno())
# clone(CLONE_NEWUSER | SIGCHLD) by number (the child exits at once), then unshare (after
# which this process's ids have no mapping: a second namespace would be refused anyway)
nr = {"x86_64": 56, "aarch64": 220}[os.uname().machine]
pid = libc.syscall(nr, CLONE_NEWUSER | 17, 0, 0, 0, 0)
if pid == 0:
    os._exit(0)
got = ["ok" if pid > 0 else os.strerror(ctypes.get_errno())]
if pid > 0:
    os.waitpid(pid, 0)
# clone3 with the same flags: its struct clone_args, version 0 (64 bytes)
args = (ctypes.c_uint64 * 8)(CLONE_NEWUSER, 0, 0, 0, 17, 0, 0, 0)
pid = libc.syscall(435, ctypes.byref(args), ctypes.sizeof(args))
if pid == 0:
    os._exit(0)
got.append("ok" if pid > 0 else os.strerror(ctypes.get_errno()))
if pid > 0:
    os.waitpid(pid, 0)
got.append(tried(lambda: libc.unshare(CLONE_NEWUSER)))
# what a program does stays possible: threads (clone3 refused, clone used), fork, a subprocess
out = []
t = threading.Thread(target=lambda: out.append("thread"))
t.start(); t.join()
child = os.fork()
if child == 0:
    os._exit(5)
out.append(os.waitstatus_to_exitcode(os.waitpid(child, 0)[1]))
out.append(subprocess.run([sys.executable, "-c", "print(6)"], capture_output=True,
                          text=True).stdout.strip())
print(got, out)
"""


@pytest.mark.skipif(os.uname().machine not in ("x86_64", "aarch64"),
                    reason="the filter knows the system call numbers of x86_64 and aarch64")
@pytest.mark.parametrize("filtered", [True, False])
def test_a_student_process_cannot_make_a_user_namespace(
        box, monkeypatch, filtered: bool) -> None:  # type: ignore[no-untyped-def]
    """A user namespace of its own would hand a student's process the kernel's code for
    privileged users to attack: ``unshare`` and ``clone`` with ``CLONE_NEWUSER`` are refused
    (EPERM) by a seccomp filter, ``clone3`` is answered ENOSYS (the C library falls back on
    ``clone``), while threads, ``fork`` and a subprocess work as before.
    Without the filter (``LABGRADE_ALLOW_USERNS=1``) both succeed here, where the kernel lets
    an unprivileged user make one; the test is then skipped where it does not."""
    from harness.sandbox import launcher
    from harness.sandbox.runner import USERNS_ENV

    assert launcher.no_user_namespaces_filter("mips") is None
    if not filtered:
        monkeypatch.setenv(USERNS_ENV, "1")
    finished = box({"ns.py": USERNS_PROBE}).run("ns.py", timeout=10)
    assert finished.exit_code == 0, finished.stderr
    line = finished.stdout.strip()
    assert line.endswith("['thread', 5, '6']"), line
    if filtered:
        assert line.startswith("['Operation not permitted', 'Function not implemented', "
                               "'Operation not permitted']"), line
    elif "'ok', 'ok', 'ok'" not in line:
        pytest.skip(f"this kernel refuses user namespaces to this user anyway: {line}")


@pytest.mark.parametrize("named", [True, False])
def test_a_student_process_has_a_user_name(tmp_path: Path, monkeypatch, named: bool) -> None:  # type: ignore[no-untyped-def]
    """``getpass.getuser()`` works as on the student's machine, though the student's uid is
    in no passwd file: ``USER`` and ``LOGNAME`` name it. Without them it fails with
    ``KeyError`` at the ``uid`` level."""
    from harness.sandbox import runner

    iso = detect(netns=False)
    if iso.uid is None:
        pytest.skip("no student uid here: the grader's own user has a name")
    if not named:
        monkeypatch.setattr(runner, "STUDENT_NAME", "")
    work = tmp_path / "work"
    work.mkdir()
    (work / "who.py").write_text("import getpass\nprint(getpass.getuser())\n", encoding="utf-8")
    sb = Sandbox(work, isolation=iso, limits=Limits())
    try:
        finished = sb.run("who.py", timeout=10)
    finally:
        sb.close()
    if named:
        assert (finished.stdout, finished.exit_code) == ("student\n", 0), finished.stderr
    else:
        assert "KeyError" in finished.stderr and finished.exit_code == 1, finished.stderr
