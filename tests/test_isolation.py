"""Isolation levels: detected honestly, refused when strict cannot be had, and the plan of the
student's view of the file system (``harness/sandbox/mounts.py``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from harness.engine import DISABLE_ENV
from harness.sandbox import mounts
from harness.sandbox.isolation import Isolation, detect, pick_uid
from harness.sandbox.runner import Limits, Sandbox
from tests.conftest import REFERENCE, REPO

ONLY = "lab9.udp_server.echo_prefix"


def cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "LABGRADE_"))}
    return subprocess.run(
        [sys.executable, "-m", "harness.cli", "grade", str(REFERENCE), "--out",
         str(tmp_path / "out"), "--only", ONLY, "--lang", "en", *args],
        cwd=REPO, env=environ | env, capture_output=True, text=True, timeout=120, check=False)


def test_strict_refuses_with_one_clear_line_when_a_level_is_missing(tmp_path: Path) -> None:
    done = cli(tmp_path, "--isolation", "strict", **{DISABLE_ENV: "uid"})
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("labgrade: strict isolation unavailable: this machine gives ")
    assert "netns+pidns+uid+rlimits" in lines[0] and "--isolation auto" in lines[0]
    assert not (tmp_path / "out" / "results.json").exists()


def test_strict_refuses_in_the_run_language(tmp_path: Path) -> None:
    done = cli(tmp_path, "--isolation", "strict", "--lang", "es", **{DISABLE_ENV: "uid"})
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("labgrade: aislamiento estricto no disponible: esta máquina da "), line
    assert "--isolation auto" in line


def test_strict_refuses_without_a_network_namespace(tmp_path: Path) -> None:
    done = cli(tmp_path, "--isolation", "strict", **{DISABLE_ENV: "netns"})
    assert done.returncode == 2
    assert "strict isolation unavailable" in done.stderr


def test_strict_grades_where_the_machine_gives_it(tmp_path: Path) -> None:
    if not detect(netns=False).uid:
        pytest.skip("this machine gives no student uid (not root, or no mount namespaces)")
    done = cli(tmp_path, "--isolation", "strict")
    assert done.returncode == 0, done.stderr
    result = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    assert result["isolation"] == "netns+pidns+uid+rlimits"
    assert result["score"] == result["max_score"]


@pytest.mark.parametrize(("disable", "missing"), [("uid", "uid"), ("pidns", "pidns"),
                                                  ("netns", "netns"), ("view", "uid")])
def test_auto_reports_the_level_it_got(tmp_path: Path, disable: str, missing: str) -> None:
    done = cli(tmp_path, **{DISABLE_ENV: disable})
    assert done.returncode == 0, done.stderr
    result = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    assert missing not in result["isolation"].split("+")
    assert result["score"] == result["max_score"]
    assert result["isolation"] in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")


def test_without_mount_namespaces_the_level_says_so(tmp_path: Path) -> None:
    if pick_uid(view=False) is None:
        pytest.skip("no uid without a private view here: not root, or the interpreter is "
                    "not readable by other users (a pyenv Python under /root)")
    done = cli(tmp_path, **{DISABLE_ENV: "view"})
    assert done.returncode == 0, done.stderr
    result = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    assert "+uid(no view)+rlimits" in result["isolation"]
    assert result["score"] == result["max_score"]
    refused = cli(tmp_path, "--isolation", "strict", **{DISABLE_ENV: "view"})
    assert refused.returncode == 2 and "uid(no view)" in refused.stderr


def test_the_levels_the_readme_names_may_be_done_without(tmp_path: Path) -> None:
    """``readonly`` and ``cgroup`` are accepted by the command (``cgroup`` was refused as
    unknown though the README names it) and grade as before."""
    done = cli(tmp_path, **{DISABLE_ENV: "readonly,cgroup"})
    assert done.returncode == 0, done.stderr
    result = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    assert result["score"] == result["max_score"]


WORLD_PYTHON = "/usr/bin/python3.11"


def test_a_uid_without_a_view_still_limits_processes(tmp_path: Path) -> None:
    if os.geteuid() != 0 or not os.access(WORLD_PYTHON, os.X_OK):
        pytest.skip(f"needs root and {WORLD_PYTHON} (readable by every user)")
    work = tmp_path / "work"
    work.mkdir()
    (work / "forks.py").write_text(textwrap.dedent("""
        import os, time
        n = 0
        try:
            for _ in range(200):
                if os.fork() == 0:
                    time.sleep(30)
                    os._exit(0)
                n += 1
        except OSError as exc:
            print("stopped", type(exc).__name__)
        print(os.getuid(), n, flush=True)
    """), encoding="utf-8")
    iso = Isolation(uid=250_123, rlimits=True, view=False)
    sandbox = Sandbox(work, isolation=iso, limits=Limits(processes=8), python=WORLD_PYTHON)
    finished = sandbox.run("forks.py", timeout=10)
    lines = finished.stdout.split("\n")
    assert lines[0] == "stopped BlockingIOError", finished.stderr
    uid, forked = map(int, lines[1].split())
    assert uid == 250_123 and forked < 8


def test_portable_says_there_is_no_process_limit(tmp_path: Path) -> None:
    done = cli(tmp_path, "--isolation", "portable")
    assert done.returncode == 0, done.stderr
    result = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    assert result["isolation"] == "rlimits(no nproc)"
    assert result["score"] == result["max_score"]


def test_describe() -> None:
    assert Isolation(True, True, 200_001, True, readonly=True).describe() == \
        "netns+pidns+uid+rlimits"
    assert Isolation(True, True, 200_001, True).describe() == \
        "netns+pidns+uid(view not read-only)+rlimits"
    assert Isolation(True, True, None, True).describe() == "netns+pidns+rlimits(no nproc)"
    assert Isolation().describe() == "none"
    assert Isolation(uid=200_001, rlimits=True, view=False).describe() == "uid(no view)+rlimits"
    assert not Isolation(True, True, 200_001, True, view=False).strict
    assert Isolation(True, True, 200_001, True).strict
    assert not Isolation(True, True, None, True).strict


def test_plan_covers_temp_and_untraversable_folders_keeping_only_what_is_needed(
        tmp_path: Path) -> None:
    private = tmp_path / "home"  # like /root: the uid cannot traverse it
    python = private / "py" / "lib"
    python.mkdir(parents=True)
    private.chmod(0o700)
    view = mounts.plan(keep=[str(python)], hide=[], uid=250_000, proc=True)
    covered = {c["path"]: c["keep"] for c in view["cover"]}
    assert "/tmp" in covered  # every temporary folder gets an empty tmpfs
    cover = next(p for p in covered if str(python).startswith(p + "/"))
    assert covered[cover] == [str(python)]  # only the interpreter reappears under it
    assert view["proc"] is True


def test_plan_hides_a_checkout_around_the_environment_inside_it(tmp_path: Path) -> None:
    checkout = tmp_path / "repo"
    for sub in (".tox/py/lib", ".git", "reference/lab9", "harness/checks"):
        (checkout / sub).mkdir(parents=True)
    (checkout / "README.md").write_text("x", encoding="utf-8")
    env = checkout / ".tox" / "py"
    around = mounts._around([str(checkout)], [str(env)])
    assert sorted(around) == sorted(str(checkout / s) for s in (".git", "harness", "reference"))
    view = mounts.plan(keep=[str(env)], hide=[str(checkout), "/"], uid=250_000, proc=False)
    assert "/" not in view["hide"]  # never the whole machine
    assert not any(str(env).startswith(h + "/") or str(env) == h for h in view["hide"])


def test_world_writable_folders_are_found_by_scanning_the_mounts(tmp_path: Path) -> None:
    found = mounts.world_writable()
    assert "/tmp" in found or not os.stat("/tmp").st_mode & 0o002
    if os.path.isdir("/run/lock") and os.stat("/run/lock").st_mode & 0o002:
        assert "/run/lock" in found  # the one the attack used, found without a list
    assert not any(p.startswith(("/proc/", "/sys/")) for p in found)
    view = mounts.plan(keep=[], hide=[], uid=250_000, proc=False, writable=found)
    covered = [c["path"] for c in view["cover"] if c["open"]]
    # each one replaced by an empty, writable folder of the box (itself or a folder around
    # it), or hidden with what holds it (outside the system's folders)
    assert all(any(mounts._within(p, c) for c in [*covered, *view["hide"]]) for p in found), \
        (found, covered)


def test_clean_up_removes_a_tree_deeper_than_rmtree_can(tmp_path: Path) -> None:
    import shutil

    from harness.sandbox.cleanup import remove_tree

    def deep(root: Path, levels: int) -> None:
        root.mkdir()
        fd = os.open(root, os.O_RDONLY)
        for _ in range(levels):
            os.mkdir("d", dir_fd=fd)
            child = os.open("d", os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = child
        os.chmod(fd, 0)  # and the last level unreadable
        os.close(fd)

    deep(tmp_path / "a", 1200)
    with pytest.raises(RecursionError):
        shutil.rmtree(tmp_path / "a", ignore_errors=True)  # what the engine did
    deep(tmp_path / "b", 1200)
    assert remove_tree(tmp_path / "b") is True
    assert not (tmp_path / "b").exists()
    assert remove_tree(tmp_path / "a") is True  # also what rmtree left half-removed
    assert remove_tree(tmp_path / "never-there") is True


FORGER = """\
import json, os, stat, time
PORT = {port}
for fd in range(3, 64):
    try:
        if stat.S_ISFIFO(os.fstat(fd).st_mode):
            for event in ({{"ev": "bind", "proto": "tcp", "host": "localhost", "port": 21567,
                           "real": PORT}}, {{"ev": "listen", "real": PORT, "backlog": 5}}):
                os.write(fd, (json.dumps(event) + "\\n").encode())
    except OSError:
        pass
time.sleep(60)
"""


@pytest.mark.parametrize("forged", [True, False], ids=["forged", "own"])
def test_a_server_is_graded_only_on_a_port_its_own_socket_holds(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forged: bool) -> None:
    """Without a network of its own (as in a batch on a machine without network
    namespaces), a server could announce a classmate's port on the event channel and be
    graded on the classmate's work. A correct server of another user listens; the program
    announces its port: not graded. The reference's own server still passes."""
    from harness.api import TcpServer, echo
    from harness.engine import grade
    from tests.conftest import make_submission

    if detect(netns=False).uid is None:
        pytest.skip("no student uid here: every process is the grader's user")
    monkeypatch.setenv(DISABLE_ENV, "netns")
    with TcpServer(echo(b"Resp: ")) as decoy:
        files = {"lab9/tcp_server.py": FORGER.format(port=decoy.port)} if forged else {}
        sub = make_submission(tmp_path / "sub", files=files)
        result = grade(sub, only=["lab9.tcp_server"], lang="en", report=False)
    statuses = {c.id: (c.status, c.message) for c in result.checks}
    if not forged:
        assert all(s == "passed" for s, _ in statuses.values()), statuses
        return
    assert all(s == "failed" for s, _ in statuses.values()), statuses
    assert any(f"port {decoy.port}, but no socket of its own listens there" in m
               for _, m in statuses.values()), statuses


# ------------------------------------------------------------------ a read-only view

def _as_root_with_a_view() -> None:
    if os.geteuid() != 0 or not sys.platform.startswith("linux") or \
            pick_uid(readonly=False) is None:
        pytest.skip("the student's view needs root and mount namespaces")


@pytest.fixture
def open_folder() -> Iterator[str]:
    """A world-writable folder of the host that is not a temporary folder (as
    ``/run/lock`` is), made for the test and removed after it."""
    import shutil
    import tempfile

    # in sight of the student (the system's folders): elsewhere it is hidden anyway
    parent = next((p for p in ("/usr/local/share", "/usr/local", "/etc")
                   if os.path.isdir(p) and not os.stat(p).st_mode & 0o002), None)
    if parent is None:
        pytest.skip("no folder outside the temporary ones to make world-writable")
    folder = tempfile.mkdtemp(prefix="labgrade-open-", dir=parent)
    os.chmod(folder, 0o777)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _as_student(view: mounts.Plan, uid: int | None, act: Callable[[], list[str]]
                ) -> list[str]:
    """What ``act`` returns when ``uid`` (None: root) does it in ``view`` (a forked child
    does it; the host is then looked at here)."""
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(reader)
            mounts.enter()
            mounts.apply(view)
            if uid is not None:
                os.setgroups([])
                os.setgid(uid)
                os.setuid(uid)
            os.write(writer, json.dumps(act()).encode())
        finally:
            os._exit(0)
    os.close(writer)
    with os.fdopen(reader, "rb") as f:
        data = f.read()
    os.waitpid(pid, 0)
    return json.loads(data)


def _writes_as_student(view: mounts.Plan, uid: int, paths: tuple[str, ...]) -> list[str]:
    """What each of ``paths`` gives when ``uid``, in ``view``, creates it: ``ok`` or the
    error's name."""
    def write() -> list[str]:
        got = []
        for path in paths:
            try:
                with open(path, "w", encoding="ascii") as f:
                    f.write("left behind\n")
                got.append("ok")
            except OSError as exc:
                got.append(type(exc).__name__ + f":{exc.errno}")
        return got

    return _as_student(view, uid, write)


def _interpreter() -> list[str]:
    return [p for p in (sys.prefix, sys.base_prefix, os.path.dirname(os.__file__))
            if os.path.isdir(p)]


@pytest.fixture(params=["/run", "/var/lib", "/srv"])
def service_socket(request: pytest.FixtureRequest) -> Iterator[str]:
    """A Unix socket any user may connect to, listening in a folder of its own in ``/run``
    (as a printer's or the system bus's are), ``/var/lib`` (MariaDB's on RHEL, SSSD's) or
    ``/srv``, removed after the test."""
    import shutil
    import socket
    import tempfile

    if not os.path.isdir(request.param) or os.geteuid() != 0:
        pytest.skip(f"needs root and a {request.param} folder")
    folder = tempfile.mkdtemp(prefix="labgrade-service-", dir=request.param)
    os.chmod(folder, 0o755)
    path = os.path.join(folder, "socket")
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
            server.bind(path)
            os.chmod(path, 0o666)
            server.listen(4)
            yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("hidden", [True, False])
def test_the_hosts_service_sockets_are_out_of_reach(
        service_socket: str, hidden: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """``/run`` and every folder of ``/`` that is not the system's are hidden in the
    student's view: a socket there that any user may connect to (a printer's, the system
    bus's, a database's) is not found. Without the hiding (``SERVICE_DIRS`` and the
    allowlist of ``SYSTEM_DIRS`` off) the same socket is reached, read-only view or not: a
    read-only mount does not stop ``connect()``."""
    import errno
    import socket

    _as_root_with_a_view()
    if not hidden:
        monkeypatch.setattr(mounts, "SERVICE_DIRS", ())
        monkeypatch.setattr(mounts, "_outside_the_system", lambda: [])
    uid = 250_778
    view = mounts.plan(keep=_interpreter(), hide=[], uid=uid, proc=False, readonly=True)

    def connect() -> list[str]:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            try:
                client.connect(service_socket)
            except OSError as exc:
                return [errno.errorcode.get(exc.errno or 0, str(exc.errno))]
        return ["connected"]

    assert _as_student(view, uid, connect) == (["ENOENT"] if hidden else ["connected"])


def test_only_the_system_s_folders_are_in_sight(tmp_path: Path) -> None:
    """The allowlist: every folder of ``/`` outside :data:`mounts.SYSTEM_DIRS` is hidden,
    or covered where a kept path lies inside (a pyenv Python under ``/root``, a checkout's
    ``.tox``)."""
    view = mounts.plan(keep=_interpreter(), hide=[], uid=250_781, proc=False)
    out_of_sight = [*view["hide"], *(c["path"] for c in view["cover"])]
    checked = 0
    for name in os.listdir("/"):
        top = f"/{name}"
        if name in mounts.SYSTEM_DIRS or os.path.islink(top) or not os.path.isdir(top):
            continue
        for child in [top, *(os.path.join(top, n) for n in os.listdir(top))]:
            if not os.path.isdir(child) or os.path.islink(child) or any(
                    mounts._within(k, child) or mounts._within(child, k)
                    for k in [*_interpreter(), *mounts.TMP_DIRS]):
                continue  # a kept or temporary path, or a folder split around one
            checked += 1
            assert any(mounts._within(child, h) for h in out_of_sight), (child, view)
    assert checked
    assert not any(h == "/usr" or h.startswith(("/usr/", "/etc")) for h in view["hide"])


def test_only_the_kept_path_reappears_in_a_folder_that_holds_one() -> None:
    """A teacher's folder outside the system's, holding the grader's venv beside loose files
    and 300 users' folders: only the venv reappears. Hidden "around" the venv folder by
    folder instead (as 0c2b9d7 did), the loose file stayed in sight, and a folder of more than
    256 subfolders was left whole (the hostile review read a classmate's file in it)."""
    import shutil
    import tempfile

    _as_root_with_a_view()
    parent = next((p for p in ("/srv", "/opt", "/home", "/mnt") if os.path.isdir(p)), None)
    if parent is None:
        pytest.skip("no folder outside the system's to make the teacher's in")
    teacher = tempfile.mkdtemp(prefix="labgrade-teacher-", dir=parent)
    try:
        os.chmod(teacher, 0o755)
        for i in range(300):
            os.makedirs(os.path.join(teacher, f"u{i}"))
        venv = os.path.join(teacher, "u0", "venv")
        os.makedirs(venv)
        for path, text in ((os.path.join(venv, "pyvenv.cfg"), "home = /usr/bin\n"),
                           (os.path.join(teacher, "notas.csv"), "ana,10\n"),
                           (os.path.join(teacher, "u0", "notas.csv"), "ana,10\n"),
                           (os.path.join(teacher, "u7", "secret.txt"), "classmate\n")):
            with open(path, "w", encoding="ascii") as f:
                f.write(text)
        uid = 250_782
        view = mounts.plan(keep=[*_interpreter(), venv], hide=[], uid=uid, proc=False,
                           readonly=True)

        def look() -> list[str]:
            got = []
            for path in ("u0/venv/pyvenv.cfg", "notas.csv", "u0/notas.csv", "u7/secret.txt"):
                try:
                    with open(os.path.join(teacher, path), encoding="ascii") as f:
                        got.append(f.read().strip())
                except OSError as exc:
                    got.append(type(exc).__name__)
            return [*got, ",".join(sorted(os.listdir(teacher)))]

        assert _as_student(view, uid, look) == [
            "home = /usr/bin", "FileNotFoundError", "FileNotFoundError", "FileNotFoundError",
            "u0"]
    finally:
        shutil.rmtree(teacher, ignore_errors=True)

def _undo_the_view() -> list[str]:
    """Try to undo the view from a user and mount namespace of one's own (a student may
    make them): unmount the hidden ``/run``, clear the read-only flag of every mount, and
    say whether ``/run`` shows anything and ``/etc`` is still read-only (nothing written)."""
    import ctypes
    import errno

    libc = ctypes.CDLL(None, use_errno=True)
    def result(call: int) -> str:
        return "0" if call == 0 else errno.errorcode.get(ctypes.get_errno(), "?")

    if os.geteuid() != 0:  # where the machine allows it (root keeps the test's namespace)
        libc.unshare(0x10000000 | mounts.CLONE_NEWNS)  # CLONE_NEWUSER
    got = [f"umount /run {result(libc.umount2(b'/run', 2))}"]  # MNT_DETACH
    attr = mounts._MountAttr(0, mounts.MOUNT_ATTR_RDONLY, 0, 0)
    got.append("read-write " + result(libc.syscall(
        mounts.SYS_MOUNT_SETATTR, mounts.AT_FDCWD, b"/", mounts.AT_RECURSIVE,
        ctypes.byref(attr), ctypes.sizeof(attr))))
    got.append(f"/run {'empty' if not os.listdir('/run') else 'shows the host'}")
    got.append(f"/etc {'read-only' if os.statvfs('/etc').f_flag & os.ST_RDONLY else 'writable'}")
    return got


@pytest.mark.parametrize("student", [True, False])
def test_a_student_cannot_undo_the_view_from_a_namespace_of_its_own(student: bool) -> None:
    """A student process may create a user namespace and a mount namespace in it, where it
    holds every capability; the view's mounts, made by root outside, come with it locked:
    ``/run`` cannot be unmounted (EINVAL; EPERM where the machine allows no user namespace)
    and nothing made writable again (EPERM). Root in the view (the check's other way) undoes
    both, so the probe does see an undone view."""
    _as_root_with_a_view()
    if not os.listdir("/run"):
        pytest.skip("/run is empty on this machine: hiding it shows nothing")
    view = mounts.plan(keep=_interpreter(), hide=[], uid=250_780, proc=False, readonly=True)
    got = _as_student(view, 250_780 if student else None, _undo_the_view)
    if student:
        assert got[0] in ("umount /run EINVAL", "umount /run EPERM"), got
        assert got[1:] == ["read-write EPERM", "/run empty", "/etc read-only"], got
    else:
        assert got == ["umount /run 0", "read-write 0", "/run shows the host",
                       "/etc writable"], got


def test_run_is_hidden_around_a_temporary_folder_inside_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where ``/dev/shm`` leads into ``/run`` (``/run/shm``), the plan covers ``/run`` with an
    empty folder in which only that one reappears, covered in turn as a temporary folder
    (after it), instead of hiding it all; nothing else of ``/run`` is in sight."""
    run = tmp_path / "run"
    for name in ("shm", "dbus", "postgresql"):
        (run / name).mkdir(parents=True)
    monkeypatch.setattr(mounts, "SERVICE_DIRS", (str(run),))
    monkeypatch.setattr(mounts, "TMP_DIRS", (str(run / "shm"),))
    view = mounts.plan(keep=_interpreter(), hide=[], uid=250_779, proc=False, readonly=True)
    assert [h for h in view["hide"] if h.startswith(str(tmp_path))] == []
    mine = [c for c in view["cover"] if c["path"].startswith(str(tmp_path))]
    assert mine == [{"path": str(run), "keep": [str(run / "shm")], "open": False},
                    {"path": str(run / "shm"), "keep": [], "open": True}]
    monkeypatch.setattr(mounts, "TMP_DIRS", ())
    whole = mounts.plan(keep=_interpreter(), hide=[], uid=250_779, proc=False, readonly=True)
    assert [h for h in whole["hide"] if h.startswith(str(tmp_path))] == [str(run)]


@pytest.mark.parametrize("readonly", [True, False])
def test_a_read_only_view_leaves_no_folder_of_the_host_writable(
        open_folder: str, readonly: bool) -> None:
    """With ``readonly`` the view needs no scan: a world-writable folder it was never told
    of cannot be written, the temporary folders still can (privately), and ``/dev/null``
    too. Without it, and without the scan's covers, the same folder is a hole: the student's
    file lands on the host (what the scan is there for)."""
    _as_root_with_a_view()
    uid = 250_777
    view = mounts.plan(keep=[p for p in (sys.prefix, sys.base_prefix,
                                         os.path.dirname(os.__file__)) if os.path.isdir(p)],
                       hide=[], uid=uid, proc=False, readonly=readonly)
    mark = f"labgrade-ro-{os.getpid()}-{readonly}"
    on_host = os.path.join(open_folder, mark)
    got = _writes_as_student(view, uid, (on_host, f"/tmp/{mark}", "/dev/null"))
    try:
        assert got[1:] == ["ok", "ok"], got  # its temporary folder, and a device
        assert not os.path.exists(f"/tmp/{mark}")  # in its own /tmp, gone with it
        if readonly:
            assert got[0] == f"OSError:{30}", got  # EROFS
            assert not os.path.exists(on_host)
        else:
            assert got[0] == "ok" and os.path.exists(on_host)
    finally:
        for path in (on_host, f"/tmp/{mark}"):
            if os.path.exists(path):
                os.unlink(path)


def test_the_read_only_view_is_proven_before_it_is_promised(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The throwaway child reads the mount table after the view is mounted: a view whose
    host mounts stayed writable is not promised read-only (the world-writable folders are
    then scanned and covered, as on a kernel without ``mount_setattr``)."""
    _as_root_with_a_view()
    picked = pick_uid()
    assert picked is not None
    if os.uname().release.split(".")[:2] < ["5", "12"] and not picked[2]:
        pytest.skip("mount_setattr needs Linux 5.12")
    assert picked[1:] == (True, True)
    assert pick_uid(readonly=False)[1:] == (True, False)  # type: ignore[index]
    with monkeypatch.context() as patched:
        patched.setattr(mounts, "read_only", lambda: None)  # a kernel that ignores it
        assert pick_uid()[1:] == (True, False)  # type: ignore[index]
    # a mount table that cannot be read proves nothing (it listed no writable mount)
    with monkeypatch.context() as patched:
        patched.setattr(mounts, "_mount_rows", lambda: [])
        assert pick_uid()[1:] == (True, False)  # type: ignore[index]
    assert detect(netns=False, want_readonly=False).readonly is False


@pytest.mark.parametrize("disable", ["", "readonly", "view"])
def test_the_host_is_scanned_for_every_view_read_only_or_not(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, disable: str) -> None:
    """Every grade with a student's view scans the host's world-writable folders once and
    covers them, also where the view is read-only: read-only keeps a class's 1777 drop
    folder from being written, not from being read (see
    test_a_batch_never_sees_the_folders_beside_it_in_a_class_folder). Without a view, no
    scan (nothing to cover)."""
    from harness import engine
    from harness.sandbox import scancache

    _as_root_with_a_view()
    scans: list[int] = []

    def scan() -> list[str]:
        scans.append(1)
        return ["/run/lock"]

    monkeypatch.setattr(engine, "_WRITABLE", [])
    monkeypatch.setattr(scancache, "world_writable", scan)
    if disable:
        monkeypatch.setenv(DISABLE_ENV, disable)
    else:
        monkeypatch.delenv(DISABLE_ENV, raising=False)
    result = engine.grade(REFERENCE, only=[ONLY], lang="en", report=False)
    assert [c.status for c in result.checks] == ["passed"]
    assert len(scans) == (0 if disable == "view" else 1)
