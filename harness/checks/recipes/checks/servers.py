"""Probes of the recipes' servers (r10, r13, r14): the port asked for, the echo, and the
restart probe that really leaves a connection in TIME_WAIT on the server's port before
starting the server again on that same port.

Message keys are per task (``<TASK>.<name>``): each helper takes the task id of its caller.
"""

from __future__ import annotations

import secrets
import socket
import time

from harness.api import (
    START_WINDOW,
    WINDOW,
    Deadline,
    Probe,
    Server,
    Student,
    VNet,
    clean,
    connect,
    last_error_line,
    recv_until,
    say,
    show,
    time_wait_on,
    token,
)


def judge_port(server: Server, probe: Probe, task: str, port: int) -> None:
    probe.note(bound={"asked": server.asked_port, "real": server.real_port})
    probe.expect(server.asked_port == port, f"{task}.wrong_port", port=server.asked_port,
                 expected=port)


def random_port() -> int:
    """A port number for ``--port``, other than the recipes' default 9900."""
    return 20000 + secrets.randbelow(20000)


def echo_payload() -> bytes:
    return f"eco-{token(10, mixed_case=True)}-ñandú".encode()


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


def leave_time_wait(server: Server, probe: Probe, task: str, port: int) -> None:
    """One connection that the *server* closes first, so the TIME_WAIT is on its port:
    connect and send nothing (an echo is not needed: the recipe's server may only accept;
    unread data would make its end reset instead of close), wait until it accepted (its
    ``accept`` event only wakes the grader), stop the server while the connection is open
    (its end sends FIN), read to EOF and close (FIN back: the server's orphaned end enters
    TIME_WAIT). Then look in ``/proc``, the grader's own view: a probe that left no TIME_WAIT
    cannot judge a restart, and says so."""
    try:
        sock = connect(server.address, WINDOW)
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
        connect(("127.0.0.1", real), WINDOW).close()
    except OSError as exc:
        raise probe.fail(f"{task}.restart_not_accepting", port=port, error=str(exc)) from exc
