"""Judging shared by recipes r10–r18: the imports of a file (read from its syntax tree), the
time a course function printed, echo probes for servers (clients: ``echo_clients``), and the
restart probe that really leaves a connection in TIME_WAIT on the server's port before
starting the server again on that same port.

Message keys are per task (``<TASK>.<name>``): each helper takes the task id of its caller.
"""

from __future__ import annotations

import ast
import re
import secrets
import socket
import sys
import time
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path

from harness.api import (
    START_WINDOW,
    Deadline,
    Opaque,
    Peer,
    Probe,
    Server,
    Student,
    VNet,
    clean,
    last_error_line,
    recv_until,
    say,
    show,
    token,
)

WINDOW = 2.0
"""One wait window for a reply from a student's server."""
CLIENT_WINDOW = 4.0
"""How long a student's client may run against the grader's fake."""
TIME_WAIT = "06"
"""TCP state code of TIME_WAIT in ``/proc/net/tcp``."""
PROC_TCP = (Path("/proc/net/tcp"), Path("/proc/net/tcp6"))


# ------------------------------------------------------------------ imports (AST)

def imported_modules(student: Student) -> list[str]:
    """Top-level names of every module the student's file imports, anywhere in the file
    (``import a.b``, ``from a import b``, ``__import__("a")``, ``importlib.import_module("a")``
    with a literal name), in order of appearance, without repeats. Read from the syntax tree
    of the submitted file: nothing is run."""
    def parse() -> list[str]:
        tree = ast.parse(student.source(), filename=student.file)
        names: list[str] = []
        for node in ast.walk(tree):
            found: list[str] = []
            if isinstance(node, ast.Import):
                found = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found = [node.module]
            elif isinstance(node, ast.Call) and _dynamic_import(node):
                found = [node.args[0].value]  # type: ignore[attr-defined]
            for name in found:
                top = name.split(".")[0]
                if top and top not in names:
                    names.append(top)
        return names

    return student.cached("imports", parse)


def _dynamic_import(node: ast.Call) -> bool:
    func = node.func
    named = (isinstance(func, ast.Name) and func.id == "__import__") or \
        (isinstance(func, ast.Attribute) and func.attr == "import_module")
    return named and bool(node.args) and isinstance(node.args[0], ast.Constant) \
        and isinstance(node.args[0].value, str)


def non_standard(modules: list[str]) -> list[str]:
    """The modules that are not part of Python's standard library."""
    return [m for m in modules if m not in sys.stdlib_module_names]


# ------------------------------------------------------------------ printed times

CTIME = re.compile(r"[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}")
LOCALTIME = Path("/etc/localtime")


def child_zone() -> tzinfo:
    """The zone ``time.ctime`` uses in the child: no ``TZ`` in its environment, so the
    system's ``/etc/localtime`` (UTC where there is none)."""
    try:
        from zoneinfo import ZoneInfo

        with LOCALTIME.open("rb") as f:
            return ZoneInfo.from_file(f, key="localtime")
    except (OSError, ValueError, ImportError):
        return UTC


def ctime_of(moment: datetime) -> str:
    return f"{moment:%a %b} {moment.day:2d} {moment:%H:%M:%S %Y}"


def expected_ctime(unix_time: float) -> str:
    return ctime_of(datetime.fromtimestamp(unix_time, child_zone()))


def ctime_printed(stdout: str, unix_time: float) -> bool:
    """``stdout`` shows ``time.ctime`` of ``unix_time`` (local zone or UTC; one second
    either way: a float a hair under the whole second prints the one before)."""
    expected = [datetime.fromtimestamp(unix_time, tz) for tz in (child_zone(), UTC)]
    for line in CTIME.findall(stdout):
        try:
            shown = datetime.strptime(" ".join(line.split()), "%a %b %d %H:%M:%S %Y")
        except ValueError:
            continue
        if any(abs(shown - e.replace(tzinfo=None)) <= timedelta(seconds=1) for e in expected):
            return True
    return False


def judge_printed_time(printed: str, probe: Probe, course: str, unix_time: float,
                       task: str) -> None:
    """The course's function (``print_time()``, ``sntp_client()``) prints ``ctime`` of the
    time it got instead of returning it: the grader's time, chosen for this run, must be in
    its printout."""
    probe.note(function=f"{course}()", printed=text(printed),
               expected=expected_ctime(unix_time))
    probe.expect(ctime_printed(printed, unix_time), f"{task}.time_not_printed",
                 func=f"{course}()", expected=expected_ctime(unix_time), got=text(printed))


# ------------------------------------------------------------------ servers

def judge_port(server: Server, probe: Probe, task: str, port: int) -> None:
    probe.note(bound={"asked": server.asked_port, "real": server.real_port})
    probe.expect(server.asked_port == port, f"{task}.wrong_port", port=server.asked_port,
                 expected=port)


def text(value: str | None, limit: int = 300) -> str:
    """Printed text for a message: quoted like Python shows a string (accents kept, control
    characters escaped), bounded; "—" when there is none."""
    if not value:
        return "—"
    cut = value[-limit:] if len(value) > limit else value
    return ("…" if len(value) > limit else "") + repr(cut)


def brief(value: object, limit: int = 200) -> str:
    """A returned value as Python shows it, bounded (an object the child could only name by
    its type is shown as ``<type>``)."""
    shown = f"<{value.type_name}>" if isinstance(value, Opaque) else repr(value)
    return shown if len(shown) <= limit else shown[:limit] + "…"


def random_port() -> int:
    """A port number for ``--port``, other than the recipes' default 9900."""
    return 20000 + secrets.randbelow(20000)


def echo_payload() -> bytes:
    return f"eco-{token(10)}-ñandú".encode()


def tcp_ask(address: Peer, payload: bytes, window: float = WINDOW) -> bytes | None:
    """Send ``payload`` on a new connection; read until as many bytes came back, the peer
    closes, or the window ends. None when the connection failed."""
    deadline = Deadline(window)
    try:
        with socket.create_connection(address, timeout=window) as sock:
            sock.sendall(payload)
            return recv_until(sock, deadline, want=len(payload))
    except OSError:
        return None


def judge_echo(reply: bytes | None, payload: bytes, probe: Probe, task: str) -> None:
    probe.note(expected=show(payload))
    if not reply:
        raise probe.fail(f"{task}.no_reply", sent=show(payload))
    probe.expect(reply == payload, f"{task}.not_echo", sent=show(payload), got=show(reply))


def free_port() -> int:
    """A loopback TCP port nobody uses right now (bound to 0, read, closed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def time_wait_on(port: int) -> list[str] | None:
    """The TIME_WAIT connections whose local port is ``port`` (``"local -> remote"``), from
    ``/proc/net/tcp``; None where the system does not show them. The grading run has its
    own network namespace, so only this run's sockets are listed."""
    found: list[str] = []
    seen_any = False
    for path in PROC_TCP:
        try:
            lines = path.read_text(encoding="ascii", errors="replace").splitlines()[1:]
        except OSError:
            continue
        seen_any = True
        for line in lines:
            fields = line.split()
            if len(fields) < 4 or fields[3] != TIME_WAIT:
                continue
            local, remote = fields[1], fields[2]
            if int(local.rsplit(":", 1)[1], 16) == port:
                found.append(f"{_addr(local)} -> {_addr(remote)}")
    return found if seen_any else None


def _addr(hex_addr: str) -> str:
    host, port = hex_addr.rsplit(":", 1)
    if len(host) == 8:
        host = socket.inet_ntoa(bytes.fromhex(host)[::-1])
    return f"{host}:{int(port, 16)}"


def leave_time_wait(server: Server, probe: Probe, task: str, port: int) -> None:
    """One connection that the *server* closes first, so the TIME_WAIT is on its port:
    connect and send nothing (an echo is not needed: the recipe's server may only accept;
    unread data would make its end reset instead of close), wait until it accepted (its
    ``accept`` event only wakes the grader), stop the server while the connection is open
    (its end sends FIN), read to EOF and close (FIN back: the server's orphaned end enters
    TIME_WAIT). Then look in ``/proc``, the grader's own view: a probe that left no TIME_WAIT
    cannot judge a restart, and says so."""
    try:
        sock = socket.create_connection(server.address, timeout=WINDOW)
    except OSError as exc:
        server.child.stop()
        raise probe.fail(f"{task}.no_connection", error=str(exc)) from exc
    with sock:
        accepted = server.child.event(lambda e: e["ev"] == "accept", START_WINDOW)
        probe.note(accepted=accepted is not None)
        server.child.stop()
        recv_until(sock, Deadline(WINDOW))  # to EOF: our close then sends FIN, not RST
    entries = _await_time_wait(server.real_port)
    probe.note(time_wait=entries if entries is not None
               else say("recipes.evidence.time_wait_unseen"))
    if entries == []:
        raise probe.fail(f"{task}.no_time_wait", port=port)


def _await_time_wait(port: int) -> list[str] | None:
    """On loopback the FIN is processed before ``close()`` returns; a few re-reads of
    ``/proc`` within a short bound cover a busy machine (the kernel has no event for it)."""
    deadline = Deadline(1.0)
    while True:
        entries = time_wait_on(port)
        if entries is None or entries or deadline.expired:
            return entries
        time.sleep(0.01)


def restart_probe(student: Student, probe: Probe, task: str, *, port: int,
                  args: list[str] | None = None) -> None:
    """Start the server with the statement's ``port`` pinned to a free real port, leave a
    TIME_WAIT connection on it, and start the server again on that same real port: it must
    bind (SO_REUSEADDR) and answer. A server that asks for another port gets the pin on
    the port it asks for (the port itself is judged by its echo check)."""
    real = free_port()
    vnet = VNet().pin("tcp", port, real)
    first = student.serve("tcp", args=args, vnet=vnet)
    if first.asked_port not in (None, port):
        first.child.stop()
        port = first.asked_port
        vnet = VNet().pin("tcp", port, real)
        first = student.serve("tcp", args=args, vnet=vnet)
    probe.note(pinned={"port": port, "real": real})
    if first.real_port != real:
        raise probe.fail(f"{task}.not_pinned", port=port)
    leave_time_wait(first, probe, task, port)
    second = student.start(args=args, vnet=vnet)
    if second.listening(START_WINDOW) is None:
        finished = clean(second.stop())
        probe.output(finished)
        error = last_error_line(finished.stderr) or finished.stderr.strip()[-200:] or "—"
        raise probe.fail(f"{task}.restart_failed", port=port, error=error)
    probe.note(second_start=say("recipes.evidence.listening_again"))
    try:  # the grader's own proof that it listens again: a connection it accepts
        socket.create_connection(("127.0.0.1", real), timeout=WINDOW).close()
    except OSError as exc:
        raise probe.fail(f"{task}.restart_not_accepting", port=port, error=str(exc)) from exc
