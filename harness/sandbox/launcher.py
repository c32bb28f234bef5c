"""The child side of the sandbox: the first code that runs in a student process.

Started by :mod:`harness.sandbox.runner` as ``python -I -u -B -X utf8 launcher.py`` with its
configuration in the environment variable ``LABGRADE_CHILD`` (JSON). Standard library only,
and it never imports the ``harness`` package, so nothing of the grader is loaded next to the
student's code. In order:

1. the virtual network shim is loaded (installed later), and with a student user id a private
   mount namespace is entered (:mod:`harness.sandbox.mounts`, loaded by path);
2. when asked, a new PID namespace whose PID 1 runs the student's code (so when it ends,
   every process the student started ends with it). The fork server makes the process PID 1
   of its namespace as it forks it (:func:`fork_beside` with ``CLONE_NEWPID``), and the
   grading run, its parent, signals and waits for it directly. Anywhere else the launcher
   forks: the child is PID 1 and dies with the launcher (``PR_SET_PDEATHSIG``), and the
   launcher forwards SIGINT/SIGTERM and mirrors the exit (:func:`enter_pid_namespace`);
3. the student's view of the file system is mounted (the suite, the reference and the
   outputs hidden, the box on a size-limited tmpfs), then ``PR_SET_NO_NEW_PRIVS`` (setuid
   programs gain nothing), a seccomp filter that refuses new user namespaces
   (:func:`no_user_namespaces_filter`), resource limits, then the student's user id (when
   running as root);
   a failure here ends the launcher with ``EXIT_LAUNCHER_FAILED`` and a ``sandbox_error``
   event before any student code ran; otherwise ``started`` is the first event;
4. the shim is installed and the student's file runs as ``__main__`` or is imported for
   function calls whose plain-JSON results go back on the event channel.
"""

from __future__ import annotations

import ctypes
import gc
import importlib.machinery
import importlib.util
import json
import math
import os
import signal
import socket
import sys
import traceback
import types
from collections.abc import Callable

TYPE_CHECKING = False
if TYPE_CHECKING:  # not imported at run time: ``typing`` is 5 ms of every fork server's start
    from typing import Any, NoReturn

CLONE_NEWPID = 0x20000000
PR_SET_PDEATHSIG = 1
PR_SET_NO_NEW_PRIVS = 38
HARD_STOP = signal.SIGUSR2
EXIT_LAUNCHER_FAILED = 70


PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 22, 2
CLONE_NEWUSER = 0x10000000
EPERM, ENOSYS = 1, 38
_NO_USERNS_ABI = {  # machine: (its audit arch, unshare, clone, clone3), the system call numbers
    "x86_64": (0xC000003E, 272, 56, 435),
    "aarch64": (0xC00000B7, 97, 220, 435),
}
X32_SYSCALL_BIT = 0x40000000


def no_user_namespaces_filter(machine: str) -> list[tuple[int, int, int, int]] | None:
    """A seccomp program (classic BPF, ``(code, jt, jf, k)``) that refuses, with ``EPERM``, a
    new user namespace (``unshare`` or ``clone`` with ``CLONE_NEWUSER``), answers ``clone3``
    with ``ENOSYS`` (its flags are in memory a filter cannot read; the C library then falls
    back on ``clone``, as under Docker's default profile), refuses every system call of another
    ABI (32-bit or x32, which would reach the same calls by other numbers) and lets everything
    else through. None on a machine whose numbers are not listed here.

    Why: a user namespace of its own gives an unprivileged process the kernel's code for
    privileged users (netfilter, mounts) to attack, the source of most local privilege
    escalations of recent years; no program of the course needs one."""
    abi = _NO_USERNS_ABI.get(machine)
    if abi is None:
        return None
    arch, unshare, clone, clone3 = abi
    ld, jeq, jge, jset, ret = 0x20, 0x15, 0x35, 0x45, 0x06
    allow, deny, nosys = 0x7FFF0000, 0x00050000 | EPERM, 0x00050000 | ENOSYS
    return [
        (ld, 0, 0, 4),  # 0: the ABI
        (jeq, 1, 0, arch),  # 1: ours -> 3
        (ret, 0, 0, deny),  # 2: another ABI
        (ld, 0, 0, 0),  # 3: the system call's number
        (jeq, 4, 0, unshare),  # 4: -> 9
        (jeq, 3, 0, clone),  # 5: -> 9
        (jeq, 6, 0, clone3),  # 6: -> 13
        (jge, 4, 0, X32_SYSCALL_BIT),  # 7: x32 -> 12
        (ret, 0, 0, allow),  # 8
        (ld, 0, 0, 16),  # 9: the flags (the low half of the first argument)
        (jset, 1, 0, CLONE_NEWUSER),  # 10: -> 12
        (ret, 0, 0, allow),  # 11
        (ret, 0, 0, deny),  # 12
        (ret, 0, 0, nosys),  # 13
    ]


def _refuse_user_namespaces() -> bool:
    """Install :func:`no_user_namespaces_filter` in this process (after
    ``PR_SET_NO_NEW_PRIVS``, which the kernel requires of a process without privileges);
    inherited by every process it starts and never removable. False where the machine's
    numbers are not known (nothing installed)."""
    program = no_user_namespaces_filter(os.uname().machine)
    if program is None:
        return False

    class SockFilter(ctypes.Structure):
        _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8),
                    ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32)]

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(SockFilter))]

    insns = (SockFilter * len(program))(*(SockFilter(*i) for i in program))
    prog = SockFprog(len(program), insns)
    if _libc().prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_SECCOMP)")
    return True


_LIBC: list[Any] = []


def _libc() -> Any:
    """The C library, loaded once (in the zygote: shared by every fork)."""
    if not _LIBC:
        _LIBC.append(ctypes.CDLL(None, use_errno=True))
    return _LIBC[0]


def enter_pid_namespace() -> None:
    """Fork into a new PID namespace; only the namespace's PID 1 returns from here (the
    caller stays behind as its parent: it forwards SIGINT/SIGTERM/SIGHUP, mirrors its exit,
    and when the caller dies, PID 1 gets SIGKILL, and with it the whole namespace)."""
    libc = _libc()
    if libc.unshare(CLONE_NEWPID) != 0:
        return  # not allowed here: run without it (the parent detected the level beforehand)
    pid = os.fork()
    if pid == 0:
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() == 1:  # the launcher died before prctl took effect
            os._exit(EXIT_LAUNCHER_FAILED)
        return

    def forward(signum: int, _frame: Any) -> None:
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass

    def end(_signum: int, _frame: Any) -> None:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, forward)
    # HARD_STOP: kill PID 1 and exit only once the kernel has ended the whole namespace
    # (waitpid returns then): the sender knows every socket of the student is closed
    signal.signal(HARD_STOP, end)
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except InterruptedError:
            continue
    if os.WIFSIGNALED(status):
        signum = os.WTERMSIG(status)
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
    os._exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 1)


def _apply_limits(limits: dict[str, int]) -> None:
    import resource

    names = {"cpu": "RLIMIT_CPU", "as": "RLIMIT_AS", "fsize": "RLIMIT_FSIZE",
             "nofile": "RLIMIT_NOFILE", "nproc": "RLIMIT_NPROC", "core": "RLIMIT_CORE"}
    for key, value in limits.items():
        which = getattr(resource, names.get(key, ""), None)
        if which is None:
            continue
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass


def _drop_privileges(uid: int, gid: int) -> None:
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)


class Channel:
    def __init__(self, fd: int) -> None:
        self.fd = fd

    def emit(self, **event: Any) -> None:
        data = (json.dumps(event, separators=(",", ":"), ensure_ascii=True) + "\n").encode()
        view = memoryview(data)
        while view:
            try:
                n = os.write(self.fd, view)
            except OSError:
                return
            view = view[n:]


MAX_ITEMS = 10000


def describe(value: Any, depth: int = 0) -> Any:
    """Plain JSON for a returned value. Exact types only: a subclass whose ``__eq__`` lies is
    reported by its type name, never compared by its own methods."""
    kind = type(value)
    if value is None or kind in (bool, int, str):
        return value
    if kind is float:
        return value if math.isfinite(value) else repr(value)
    if kind in (bytes, bytearray):
        return {"__bytes__": bytes(value).hex()}
    if isinstance(value, socket.socket):
        return {"__socket__": describe_socket(value)}
    if depth < 8 and kind in (list, tuple):
        return {"__tuple__": [describe(v, depth + 1) for v in value[:MAX_ITEMS]]} \
            if kind is tuple else [describe(v, depth + 1) for v in value[:MAX_ITEMS]]
    if depth < 8 and kind is dict:
        return {"__dict__": [[describe(k, depth + 1), describe(v, depth + 1)]
                             for k, v in list(value.items())[:MAX_ITEMS]]}
    return {"__type__": f"{kind.__module__}.{kind.__qualname__}"}


def describe_socket(sock: socket.socket) -> dict[str, Any]:
    info: dict[str, Any] = {}
    try:
        fd = sock.fileno()
    except OSError:
        fd = -1
    info["open"] = fd >= 0
    if fd < 0:
        return info
    info["family"] = int(sock.family)
    info["type"] = int(sock.type)
    info["timeout"] = sock.gettimeout()
    info["blocking"] = sock.getblocking()
    for key, level, opt in (("sndbuf", socket.SOL_SOCKET, socket.SO_SNDBUF),
                            ("rcvbuf", socket.SOL_SOCKET, socket.SO_RCVBUF),
                            ("reuseaddr", socket.SOL_SOCKET, socket.SO_REUSEADDR),
                            ("nodelay", socket.IPPROTO_TCP, socket.TCP_NODELAY)):
        try:
            info[key] = sock.getsockopt(level, opt)
        except OSError:
            info[key] = None
    try:
        info["bound"] = list(sock.getsockname())[:2]
    except OSError:
        info["bound"] = None
    return info


def materialize(arg: Any) -> Any:
    """Arguments arrive as JSON; a few markers build real objects in the child."""
    if isinstance(arg, dict):
        if "__bytes__" in arg:
            return bytes.fromhex(arg["__bytes__"])
        if "__new_socket__" in arg:
            kind = socket.SOCK_DGRAM if arg["__new_socket__"] == "udp" else socket.SOCK_STREAM
            return socket.socket(socket.AF_INET, kind)
        if "__tuple__" in arg:
            return tuple(materialize(a) for a in arg["__tuple__"])
    if isinstance(arg, list):
        return [materialize(a) for a in arg]
    return arg


def _student_traceback(exc: BaseException, path: str) -> str:
    """The traceback from the student's first frame on (the launcher's frames are noise)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != path:
        tb = tb.tb_next
    text = "".join(traceback.format_exception(type(exc), exc, tb or exc.__traceback__))
    # paths as the student knows them (lab9/x.py), not the private box they ran in
    return text.replace(f'"{_work_root}{os.sep}', '"') if _work_root else text


def _run_program(path: str, argv: list[str]) -> int:
    import runpy

    sys.argv = [os.path.basename(path), *argv]
    try:
        runpy.run_path(path, run_name="__main__")
    except KeyboardInterrupt:
        return 130
    except SystemExit:
        raise
    except BaseException as exc:
        sys.stderr.write(_student_traceback(exc, path))
        return 1
    return 0


def _call_functions(path: str, calls: list[dict[str, Any]], channel: Channel) -> int:
    name = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        channel.emit(ev="import_error", type="ImportError", message=f"cannot load {path}")
        return 1
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException as exc:  # student code at import: anything can happen
        channel.emit(ev="import_error", type=type(exc).__name__, message=_safe_str(exc),
                     traceback=_student_traceback(exc, path)[-4000:])
        return 1
    defined = sorted(k for k, v in vars(module).items()
                     if isinstance(v, types.FunctionType) and v.__module__ == name)
    for i, call in enumerate(calls):
        func = getattr(module, call["func"], None)
        if not callable(func):
            channel.emit(ev="missing", i=i, func=call["func"], defined=defined)
            continue
        args = [materialize(a) for a in call.get("args", [])]
        kwargs = {k: materialize(v) for k, v in call.get("kwargs", {}).items()}
        try:
            value = func(*args, **kwargs)
        except BaseException as exc:
            channel.emit(ev="raise", i=i, type=type(exc).__name__, message=_safe_str(exc)[:500],
                         traceback=_student_traceback(exc, path)[-4000:])
            continue
        event: dict[str, Any] = {"ev": "return", "i": i, "value": describe(value)}
        if call.get("describe_args"):
            event["args"] = [describe(a) for a in args]
        channel.emit(**event)
    return 0


def _safe_str(exc: BaseException) -> str:
    try:
        return str(exc)
    except BaseException:
        return f"<{type(exc).__name__}>"


_COMPILED: dict[str, types.CodeType] = {}
"""The shim and mounts.py, compiled once by the zygote before it forks (see
:func:`_precompile`)."""
_LOADED: dict[str, types.ModuleType] = {}
"""The same, loaded once by the zygote: modules that only define things when loaded (the shim
patches nothing until :func:`install <harness.vnet.shim.install>`); each fork has its own
copy of them, as of everything else of the zygote."""


def _warm(modules: list[str]) -> None:
    """Import in the zygote the heavy modules a program imports (chosen by the grader from a
    fixed list: :func:`harness.sandbox.zygote.warm_imports`), once: the forked process and
    every later one find them loaded, each as its own copy. A failure only means each
    process imports it."""
    for name in modules:
        if isinstance(name, str) and name not in sys.modules:
            try:
                importlib.import_module(name)
                _PRIMERS.get(name, lambda: None)()
            except Exception:  # not installed, or broken: for the student to find
                pass


def _prime_argparse() -> None:
    """Build and use a throwaway parser: every parser compiles the same few regular
    expressions (``re`` keeps them in its cache), about 2 ms of each process's CPU that
    ``--port``-style programs no longer spend. Nothing else of it stays."""
    import argparse

    parser = argparse.ArgumentParser(prog="programa", description="x")
    parser.add_argument("--port", type=int, default=1, help="puerto")
    parser.add_argument("host", nargs="?", default="localhost")
    parser.format_help()
    parser.parse_args(["--port", "2", "h"])


_PRIMERS: dict[str, Callable[[], None]] = {"argparse": _prime_argparse}
"""What to run once after importing a warmed module, to fill the caches it fills lazily."""


def _precompile() -> None:
    """Compile the shim and mounts.py (and import what the shim imports) once in the zygote:
    without bytecode files (``-B``), every forked student process compiled both again, about
    a third of its Python start-up."""
    import pkgutil  # noqa: F401  (imported by runpy.run_path: 1-2 ms in each fork)
    import resource  # noqa: F401  (the rest: what each fork imported on its way in and out)
    import runpy  # noqa: F401
    import threading  # noqa: F401  (single-threaded here; each fork is its own main thread)

    _libc()
    # the first compile() of a process builds the ast module's hundred-odd node types: done
    # here, not in each fork that runs a program or imports a file (2 ms of its CPU)
    compile("", "<labgrade>", "exec")
    here = os.path.dirname(os.path.abspath(__file__))
    for name, path in (("_labgrade_vnet_shim", os.path.join(os.path.dirname(here), "vnet",
                                                             "shim.py")),
                       ("_labgrade_mounts", os.path.join(here, "mounts.py"))):
        try:  # their bytecode, which the grader's own imports keep beside them, when fresh
            code = importlib.machinery.SourceFileLoader(name, path).get_code(name)
            if code is not None:
                _COMPILED[path] = code
            _LOADED[path] = _load(name, path)
        except Exception:  # loaded in each process instead, as without a zygote
            _COMPILED.pop(path, None)


_BOX_FILES: dict[str, Any] = {}
"""The submission each box gets a copy of, read once by the zygote (see :func:`_read_box`)."""


def _box_source(cfg: dict[str, Any]) -> str:
    view = cfg.get("view") or {}
    return str((view.get("box") or {}).get("source") or "")


def _read_box(cfg: dict[str, Any]) -> None:
    """In the zygote: read the submission the request's box gets a copy of, once (up to
    ``SNAPSHOT_BYTES``), so that each fork only writes it into its box. The working copy does
    not change during a run (the sandbox sizes the boxes from it once, too)."""
    source = _box_source(cfg)
    if not source or source in _BOX_FILES:
        return
    try:
        mounts = _load("_labgrade_mounts", cfg["mounts"])
        _BOX_FILES[source] = mounts.snapshot(source, mounts.SNAPSHOT_BYTES)
    except Exception:  # each fork reads it instead, and says what went wrong
        _BOX_FILES[source] = None


def _load(name: str, path: str) -> Any:
    if path in _LOADED:
        return _LOADED[path]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    code = _COMPILED.get(path)
    if code is not None:
        exec(code, module.__dict__)  # noqa: S102  (the zygote's compilation of this file)
    else:
        spec.loader.exec_module(module)
    return module


def _setup(cfg: dict[str, Any], channel: Channel) -> Any:
    """Everything before the student's code; returns the loaded shim. A failure here is the
    grader's (reported as ``sandbox_error``), never the student's."""
    step = "loading the shim"
    try:
        shim = _load("_labgrade_vnet_shim", cfg["shim"])
        mounts = _load("_labgrade_mounts", cfg["mounts"]) if cfg.get("view") else None
        if cfg.get("cgroup"):  # its own pids cgroup (no PID namespace): joined as root,
            step = "joining the student's cgroup"  # before the view makes /sys read-only
            with open(cfg["cgroup"], "w", encoding="ascii") as f:
                f.write(str(os.getpid()))
        if mounts is not None:
            step = "entering a mount namespace"
            mounts.enter()
        if cfg.get("pidns") and not _BORN_PID1:
            enter_pid_namespace()
        if mounts is not None:
            step = "mounting the student's view"
            mounts.apply(cfg["view"], _BOX_FILES.get(_box_source(cfg)))
        step = "applying limits and the student's user id"
        # no exec gains privileges from here on: a setuid-root program (mount, passwd,
        # chsh, ...) runs with the student's ids, at every level
        if sys.platform.startswith("linux") and \
                _libc().prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
        if sys.platform.startswith("linux") and not cfg.get("userns"):
            step = "refusing user namespaces"
            _refuse_user_namespaces()
        step = "applying limits and the student's user id"
        _apply_limits(cfg.get("limits", {}))
        if cfg.get("uid") is not None:
            _drop_privileges(int(cfg["uid"]), int(cfg["gid"]))
        os.umask(0o077)
        os.chdir(cfg["cwd"])
    except KeyboardInterrupt:  # stopped (SIGINT) before any student code ran: not a failure
        os._exit(130)
    except BaseException as exc:  # any failure here is reported, never raised
        channel.emit(ev="sandbox_error", step=step, error=f"{type(exc).__name__}: {exc}")
        os._exit(EXIT_LAUNCHER_FAILED)
    channel.emit(ev="started")
    return shim


_work_root = ""
"""The private working copy the file runs in; tracebacks show paths relative to it."""


def run(cfg: dict[str, Any]) -> int:
    """Set the process up for the student and run the file; the exit status."""
    global _work_root
    _work_root = os.path.abspath(cfg["cwd"])
    channel = Channel(int(cfg["events_fd"]))
    shim = _setup(cfg, channel)
    shim.install(cfg.get("vnet", {}), int(cfg["events_fd"]))

    path = os.path.abspath(cfg["file"])
    sys.path.insert(0, os.path.dirname(path))
    if cfg["mode"] == "call":
        return _call_functions(path, cfg.get("calls", []), channel)
    return _run_program(path, cfg.get("argv", []))


def main() -> None:
    cfg = json.loads(os.environ.pop("LABGRADE_CHILD"))
    code = run(cfg)
    sys.stdout.flush()
    sys.exit(code)


# ------------------------------------------------------------------ the fork server

def zygote(sock_fd: int) -> None:
    """Serve spawn requests: a student process forked from here starts in a few
    milliseconds instead of the tens a new interpreter takes.

    Each request is one datagram, ``{"config": ..., "env": ...}`` with four descriptors
    (stdin, stdout, stderr, the event channel). The zygote forks the student process A as a
    child of its own parent, the requester (:func:`fork_beside`; where that is not allowed,
    it forks Z1, Z1 forks A and exits, so A is handed to the requester, a subreaper); the
    reply is A's pid, sent once A is the requester's child. The zygote stays single-threaded
    and runs no student code itself.
    """
    sock = socket.socket(fileno=sock_fd)
    # no collection here (each fork has it back, as a fresh interpreter would): what the
    # zygote imports is no garbage, and the collections its imports set off cost about a
    # tenth of their CPU
    gc.disable()
    _precompile()
    while True:
        try:
            msg, fds, _flags, _addr = socket.recv_fds(sock, 1 << 20, 4)
        except OSError:
            break
        if not msg:
            break
        try:
            payload = json.loads(msg)
            _warm(payload.pop("warm", []))
            if isinstance(payload.get("config"), dict):
                _read_box(payload["config"])
        except ValueError:
            payload = {}  # the child fails to set up, and says so
        gc.freeze()  # what the forks share stays out of their collections (and uncopied)
        reply = _spawn_beside(sock, payload, fds)
        for fd in fds:
            os.close(fd)
        sock.send(reply or b"0")


_BORN_PID1 = False
"""In a student process: the fork server made it PID 1 of a new PID namespace."""


def _spawn_beside(sock: socket.socket, payload: dict[str, Any], fds: list[int]) -> bytes:
    """Fork the student process A as a child of the zygote's parent (the requester); the
    reply is A's pid, sent once A is the requester's child, followed by `` init`` when A is
    PID 1 of a PID namespace of its own (it runs the student's code itself: ending it ends
    the namespace)."""
    global _BORN_PID1
    config = payload.get("config")
    init = isinstance(config, dict) and bool(config.get("pidns"))
    pid = fork_beside(CLONE_NEWPID) if init else -1
    if pid < 0:
        init = False
        pid = fork_beside()
    if pid == 0:
        _BORN_PID1 = init
        sock.close()
        _forked(payload, fds)
    if pid > 0:
        return f"{pid}{' init' if init else ''}".encode()
    # no clone(CLONE_PARENT) here: Z1 forks A and exits, and A is handed to the requester
    # (a subreaper) as an orphan
    r, w = os.pipe()
    z1 = os.fork()
    if z1 == 0:
        os.close(r)
        pid = os.fork()
        if pid == 0:
            os.close(w)
            sock.close()
            _forked(payload, fds)
        os.write(w, str(pid).encode())
        os._exit(0)
    os.close(w)
    reply = os.read(r, 32)
    os.close(r)
    os.waitpid(z1, 0)
    return reply


_SYS_CLONE = {"x86_64": 56, "aarch64": 220}
_PYDLL: list[Any] = []
CLONE_PARENT = 0x00008000


def fork_beside(flags: int = 0) -> int:
    """``fork()``, except that the child's parent is this process's parent
    (``clone(CLONE_PARENT | flags | SIGCHLD)``; ``flags``: ``CLONE_NEWPID`` makes the child
    PID 1 of a new PID namespace): 0 in the child, its pid here, -1 where the kernel or the
    architecture does not allow it (the caller forks otherwise).

    It saves the zygote a whole process per student process (Z1, its fork and its exit: about
    a seventh of a student process's CPU), and with ``CLONE_NEWPID`` another (the launcher
    that forked PID 1 and waited for it: a quarter). The child is not made by glibc's
    ``fork()``, so glibc's at-fork handlers do not run in it (nothing holds their locks: the
    caller is single-threaded), and glibc's copy of its thread id is set here, as ``fork()``
    sets it (:func:`_tid_field`; without it, no ``CLONE_NEWPID``). Python's own fork
    bookkeeping runs (``PyOS_AfterFork_Child``: locks, threads, ``os.register_at_fork``
    hooks). Single-threaded callers only (the zygote)."""
    number = _SYS_CLONE.get(os.uname().machine)
    if number is None or not sys.platform.startswith("linux") or os.environ.get(
            "LABGRADE_CLONE_PARENT") == "0":
        return -1
    if not _PYDLL:
        libc = ctypes.PyDLL(None)  # the GIL stays held across the call, as os.fork() holds it
        libc.syscall.restype = ctypes.c_long
        libc.pthread_self.restype = ctypes.c_void_p
        _PYDLL.append(libc)
        _PYDLL.append(_tid_field(libc))
    libc, tid = _PYDLL
    if flags & CLONE_NEWPID and tid is None:
        return -1
    api = ctypes.pythonapi
    api.PyOS_BeforeFork()
    pid = libc.syscall(ctypes.c_long(number), ctypes.c_long(CLONE_PARENT | flags | signal.SIGCHLD),
                       *(ctypes.c_long(0) for _ in range(4)))
    if pid == 0:
        if tid is not None:
            tid.value = os.getpid()  # this process's only thread: its id is its pid
        api.PyOS_AfterFork_Child()
    else:
        api.PyOS_AfterFork_Parent()
    return int(pid) if pid >= 0 else -1


TID_SCAN = 1024
"""How far into glibc's thread block (``struct pthread``) :func:`_tid_field` looks."""


def _tid_field(libc: Any) -> Any:
    """glibc's copy of the calling thread's id (the ``tid`` of its ``struct pthread``), as a
    ``c_int`` to write in a raw-cloned child, or None where it cannot be told for sure.

    glibc reads it when another thread signals this one (``pthread_kill``); ``fork()`` sets it
    in the child, a raw ``clone()`` does not, and in a new PID namespace the inherited value
    names no process. Found by its value: the one place in the block of this thread and of a
    second thread that holds that thread's id (glibc only: its block is larger than the part
    looked at)."""
    import threading

    try:
        if not os.confstr("CS_GNU_LIBC_VERSION"):
            return None
    except (OSError, ValueError):
        return None

    def offsets(block: int, tid: int) -> list[int]:
        words = (ctypes.c_int * (TID_SCAN // 4)).from_address(block)
        return [4 * i for i, word in enumerate(words) if word == tid]

    found: list[list[int]] = []

    def in_thread() -> None:
        found.append(offsets(libc.pthread_self(), threading.get_native_id()))

    try:
        mine = offsets(libc.pthread_self(), threading.get_native_id())
        thread = threading.Thread(target=in_thread)
        thread.start()
        thread.join()
    except Exception:
        return None
    if len(mine) != 1 or found != [mine]:
        return None
    return ctypes.c_int.from_address(libc.pthread_self() + mine[0])


def _forked(payload: dict[str, Any], fds: list[int]) -> None:
    """The student process, forked from the zygote: becomes what a fresh launcher would be
    (own session, its descriptors, its environment), runs, and ends like an interpreter does
    (:func:`end_forked`)."""
    gc.enable()  # the zygote runs without it

    def body() -> int:
        os.setsid()
        for target, fd in zip((0, 1, 2), fds[:3], strict=True):
            os.dup2(fd, target)
        cfg = payload["config"]
        cfg["events_fd"] = fds[3]
        for fd in fds[:3]:
            os.close(fd)
        os.environ.clear()
        os.environ.update(payload["env"])
        return run(cfg)

    end_forked(body, EXIT_LAUNCHER_FAILED)


def end_forked(body: Callable[[], int], failed: int) -> NoReturn:
    """Run ``body`` in a forked process and end the process as an interpreter ends: its
    return value or ``sys.exit(value)`` is the status, non-daemon threads are joined, atexit
    handlers run, output is flushed. An exception out of ``body`` is printed and the status
    is ``failed``. (The zygote's student processes; the warm server's grading runs.)"""
    import atexit
    import threading

    code = failed
    try:
        try:
            code = body()
        except SystemExit as exc:
            code = _exit_status(exc)
        threading._shutdown()  # type: ignore[attr-defined]
        atexit._run_exitfuncs()
    except SystemExit as exc:
        code = _exit_status(exc)
    except BaseException:
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:
                pass
        os._exit(code)


def _exit_status(exc: SystemExit) -> int:
    """What the interpreter makes of ``sys.exit(value)``."""
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code & 0xFF
    try:
        print(exc.code, file=sys.stderr)
    except BaseException:
        pass
    return 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["--zygote"]:
        zygote(int(sys.argv[2]))
    else:
        main()
