"""Laboratorio 9: TCP echo server on port 21567 answering ``b"Resp: " + data``."""

from __future__ import annotations

import socket

from harness.api import (
    WINDOW,
    CheckFailed,
    Deadline,
    Probe,
    Server,
    Student,
    abnormal_end,
    connect,
    recv_until,
    say,
    show,
    tcp_ask,
    token,
)

from .common import TCP_PREFIX, echo_done, judge_payload, judge_port, judge_prefix, utf8_payload

TASK = "lab9.tcp_server"
EXIT_WAIT = 2.0


def test_starts(student: Student, probe: Probe) -> None:
    judge_port(student.serve("tcp"), probe)


def test_echo_prefix(student: Student, probe: Probe) -> None:
    server = student.serve("tcp")
    payload = token(12, mixed_case=True).encode()
    reply = tcp_ask(server.address, payload, probe,
                    done=echo_done(payload, expected=TCP_PREFIX + payload))
    judge_prefix(reply, TCP_PREFIX, payload, probe)


def test_utf8_payload(student: Student, probe: Probe) -> None:
    server = student.serve("tcp")
    payload = utf8_payload()
    judge_payload(tcp_ask(server.address, payload, probe, done=echo_done(payload)), payload,
                  probe)


def test_sequential_clients(student: Student, probe: Probe) -> None:
    """Five clients one after another; each half-closes once answered (the server sees the end
    of its data) and its socket stays readable, so a server that never leaves the previous
    connection's recv() loop is told so, and "accept in a loop" is said only to one that
    stopped accepting."""
    server = student.serve("tcp")
    previous: socket.socket | None = None
    try:
        for n in range(1, 6):
            payload = f"cliente{n}-{token(6, mixed_case=True)}".encode()
            probe.sent(payload, "grader")
            sock, reply = half_closed_exchange(server.address, payload)
            probe.received(reply, "student")
            if not reply or not reply.endswith(payload):
                if sock is not None:
                    sock.close()
                raise not_served(student, server, previous, n, probe)
            if previous is not None:
                previous.close()
            previous = sock
    finally:
        if previous is not None:
            previous.close()


def half_closed_exchange(address: tuple[str, int],
                         payload: bytes) -> tuple[socket.socket | None, bytes | None]:
    """Send ``payload``, read the reply (one window), then shut down the sending side and
    return the socket (still readable) with the reply."""
    deadline = Deadline(WINDOW)
    try:
        sock = connect(address, WINDOW)
    except OSError:
        return None, None
    try:
        sock.sendall(payload)
        reply = recv_until(sock, deadline, done=lambda data: data.endswith(payload))
        sock.shutdown(socket.SHUT_WR)
    except OSError:
        sock.close()
        return None, None
    return sock, reply


def not_served(student: Student, server: Server, previous: socket.socket | None, n: int,
               probe: Probe) -> CheckFailed:
    """Why client ``n`` got no reply, from what the grader can see."""
    if n == 1:
        return probe.fail("lab9.tcp_server.no_first_reply", file=student.file)
    if ended(server):
        finished = server.child.stop()
        probe.output(finished)
        return abnormal_end(finished, student.file) or probe.fail(
            "lab9.tcp_server.client_not_served", n=n, total=5, served=n - 1,
            code=finished.exit_code)
    if previous is not None and still_open(previous):
        return probe.fail("lab9.tcp_server.stuck_in_previous", n=n, previous=n - 1)
    if refused(server.address):
        return probe.fail("lab9.tcp_server.closed_listener", n=n, served=n - 1)
    return probe.fail("lab9.tcp_server.no_reply_alive", n=n, total=5)


def ended(server: Server) -> bool:
    """Whether the server has ended, or is ending: a process that closed its sockets is given
    a moment to finish exiting (the wait returns as soon as it has)."""
    return server.child.wait(EXIT_WAIT)


def refused(address: tuple[str, int]) -> bool:
    try:
        connect(address, WINDOW).close()
    except ConnectionRefusedError:
        return True
    except OSError:
        return False
    return False


def still_open(sock: socket.socket) -> bool:
    """Whether the server kept the connection (sent more, or has not closed it) long after the
    client ended its data; the window it had was the next client's whole window."""
    data = recv_until(sock, Deadline(0.5), want=1)
    return data != b""


def test_survives_silent_client(student: Student, probe: Probe) -> None:
    """A client connects and closes without sending; the next client must be answered. On a
    failure, a fresh copy of the server is asked once: one that never answers even its first
    client is told that, not blamed on the silent client."""
    server = student.serve("tcp")
    probe.note(silent_client=say("lab9.evidence.silent_client"))
    try:
        connect(server.address, 2).close()
    except OSError:
        pass  # nobody accepts any more: the next request says so
    payload = token(10, mixed_case=True).encode()
    reply = tcp_ask(server.address, payload, probe, done=echo_done(payload))
    if reply and reply.endswith(payload):
        return
    if ended(server):
        finished = server.child.stop()
        probe.output(finished)
        raise abnormal_end(finished, student.file) or probe.fail(
            "lab9.tcp_server.ended_after_silent", file=student.file, code=finished.exit_code)
    server.child.stop()
    fresh = student.serve("tcp")
    first = token(10, mixed_case=True).encode()
    answer = tcp_ask(fresh.address, first, probe, done=echo_done(first))
    if not answer or not answer.endswith(first):
        raise probe.fail("lab9.tcp_server.silent_unjudged", sent=show(first))
    raise probe.fail("lab9.tcp_server.silent_client_broke", file=student.file)
