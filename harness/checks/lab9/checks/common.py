"""Judging shared by the lab9 echo servers and clients (TCP and UDP alike)."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import pytest

from harness.api import (
    Deadline,
    Finished,
    Probe,
    Server,
    Student,
    TcpEchoServer,
    UdpEchoServer,
    VNet,
    abnormal_end,
    last_error_line,
    recv_until,
    show,
    token,
    udp_exchange,
)

PORT = 21567
TCP_PREFIX = b"Resp: "
UDP_PREFIX = b"Res: "
WINDOW = 2.0
CLIENT_WINDOW = 3.0
UTF8_TEXT = "ñandú, canción, 日本語 → "


def judge_port(server: Server, probe: Probe) -> None:
    probe.note(bound={"asked": server.asked_port, "real": server.real_port})
    probe.expect(server.asked_port == PORT, "lab9.server.wrong_port",
                 port=server.asked_port, expected=PORT)
    probe.expect(server.child.alive, "lab9.server.died")


def ask(server: Server, proto: str, payload: bytes, probe: Probe, *,
        expected: bytes | None = None, sock: socket.socket | None = None) -> bytes | None:
    """One request to the student's server; reads until ``expected`` arrives, the reply
    diverges from it, the peer closes, or the window ends (one window per request)."""
    probe.sent(payload, "grader")
    if proto == "tcp":
        reply = _tcp_ask(server.address, payload, expected)
    else:
        reply = _udp_ask(server.address, payload, sock)
    probe.received(reply, "student")
    return reply


def _tcp_ask(address: tuple[str, int], payload: bytes, expected: bytes | None) -> bytes | None:
    def done(data: bytes) -> bool:
        if data.endswith(payload):
            return True
        return expected is not None and (len(data) >= len(expected)
                                         or not expected.startswith(data))

    deadline = Deadline(WINDOW)
    try:
        with socket.create_connection(address, timeout=WINDOW) as sock:
            sock.sendall(payload)
            return recv_until(sock, deadline, done=done)
    except OSError:
        return None


def _udp_ask(address: tuple[str, int], payload: bytes,
             sock: socket.socket | None) -> bytes | None:
    answer = udp_exchange(address, payload, window=WINDOW, sock=sock)
    return answer[0] if answer else None


def judge_prefix(reply: bytes | None, prefix: bytes, payload: bytes, probe: Probe) -> None:
    expected = prefix + payload
    probe.note(expected=show(expected))
    if reply is None or reply == b"":
        raise probe.fail("lab9.server.no_reply", sent=show(payload), expected=show(expected))
    probe.expect(reply == expected, "lab9.server.wrong_reply", sent=show(payload),
                 got=show(reply), expected=show(expected))


def judge_payload(reply: bytes | None, payload: bytes, probe: Probe) -> None:
    """The payload came back intact at the end of the reply (prefix judged elsewhere)."""
    probe.note(expected="… + " + show(payload))
    if not reply:
        raise probe.fail("lab9.server.no_reply", sent=show(payload), expected="… " + show(payload))
    probe.expect(reply.endswith(payload), "lab9.server.payload_mangled", sent=show(payload),
                 got=show(reply))


def utf8_payload() -> bytes:
    return (UTF8_TEXT + token(6)).encode("utf-8")


# ------------------------------------------------------------------ clients

class ClientRun:
    """One run of a student echo client against the grader's own echo server."""

    def __init__(self, student: Student, proto: str, line: str) -> None:
        self.proto = proto
        self.line = line
        self.file = student.file
        self.window = student.window(CLIENT_WINDOW)
        prefix = TCP_PREFIX if proto == "tcp" else UDP_PREFIX
        self.prefix = prefix
        fake: Any = TcpEchoServer(prefix=prefix) if proto == "tcp" else UdpEchoServer(prefix=prefix)
        fake.start()
        try:
            # any host on the statement's port reaches the grader's server: a classroom
            # address (192.168.1.108) or the machine's name is routed, not refused
            vnet = VNet().route(proto, "localhost", PORT, ("127.0.0.1", fake.port)) \
                .route(proto, "*", PORT, ("127.0.0.1", fake.port))
            self.finished = student.run(stdin=line + "\n", vnet=vnet, timeout=CLIENT_WINDOW)
            if proto == "tcp":
                if fake.connections:  # let the connection end so its record is complete
                    fake.wait_for_connections(1, timeout=0.5)
                self.received = fake.connections[0] if fake.connections else None
            else:
                self.received = fake.datagrams[0][1] if fake.datagrams else None
        finally:
            fake.stop()

    def note(self, probe: Probe) -> None:
        probe.note(stdin=self.line + "\n")
        probe.sent(self.received, "student") if self.received is not None else \
            probe.note(sent_by_student="—")
        if self.received is not None:
            probe.received(self.prefix + self.received, "grader")
        probe.output(self.finished)


def tried(finished: Finished) -> str:
    """The refused destinations, for the message of a request that reached nobody."""
    seen = [f"{e['address'][0]}:{e['address'][1]}" for e in finished.events
            if e.get("ev") == "refused" and isinstance(e.get("address"), list)
            and len(e["address"]) == 2]
    return ", ".join(dict.fromkeys(seen)) or "—"


def judge_sends(run: ClientRun, probe: Probe) -> None:
    run.note(probe)
    expected = run.line.encode("utf-8")
    probe.note(expected=show(expected))
    if run.received is None:
        raise abnormal_end(run.finished, run.file) or \
            probe.fail("lab9.client.nothing_sent", port=PORT, proto=run.proto.upper(),
                                 tried=tried(run.finished))
    probe.expect(run.received == expected, "lab9.client.wrong_bytes", got=show(run.received),
                 expected=show(expected))


def judge_prints(run: ClientRun, probe: Probe, text: str) -> None:
    run.note(probe)
    expected = run.prefix.decode() + text
    probe.note(expected=expected)
    probe.expect(expected in run.finished.stdout, "lab9.client.reply_not_printed",
                 expected=show(expected), got=show(run.finished.stdout[-300:]))


def judge_utf8(run: ClientRun, ascii_run: ClientRun, probe: Probe) -> None:
    """Non-ASCII text goes out as UTF-8 and, where the reply is printed, is decoded as UTF-8.
    Whether the bytes are exactly the line and whether the reply is printed at all are judged
    by ``sends_input`` and ``prints_reply``; a crash that only non-ASCII text causes (decoding
    the reply as ASCII) fails here, and a client that prints the ASCII reply must print this
    one too."""
    run.note(probe)
    encoded = run.line.encode("utf-8")
    probe.note(expected=show(encoded))
    crash = abnormal_end(run.finished, run.file)
    if run.received is None:
        raise crash or probe.fail("lab9.client.nothing_sent", port=PORT, proto=run.proto.upper(),
                                 tried=tried(run.finished))
    probe.expect(encoded in run.received, "lab9.client.not_utf8", got=show(run.received),
                 expected=show(encoded))
    if crash is not None and abnormal_end(ascii_run.finished, ascii_run.file) is None:
        raise probe.fail("lab9.client.utf8_crashed", error=crash.params.get("error", ""))
    prefix = run.prefix.decode()
    out = run.finished.stdout
    if prefix + ascii_run.line in ascii_run.finished.stdout or prefix in out:
        probe.expect(prefix + run.line in out, "lab9.client.reply_not_decoded",
                     expected=prefix + run.line, got=show(out[-300:]))


def judge_exits(run: ClientRun, probe: Probe) -> None:
    run.note(probe)
    f = run.finished
    if f.timed_out:
        raise probe.fail("lab9.client.hangs", seconds=run.window)
    if "EOFError" in last_error_line(f.stderr):
        raise probe.fail("lab9.client.input_twice", line=run.line)
    if f.exit_code != 0:
        raise abnormal_end(f, run.file) or probe.fail(
            "lab9.client.bad_exit", code=f.exit_code,
            error=(f.stderr.strip().splitlines() or [""])[-1][:200])


def client_checks(proto: str) -> tuple[Callable[..., None], ...]:
    """The four checks of a lab9 echo client (TCP and UDP alike), for a task module to bind:
    ``ascii_run, test_sends_input, test_prints_reply, test_utf8, test_exits``."""

    @pytest.fixture
    def ascii_run(student: Student) -> ClientRun:
        return student.cached("ascii", lambda: ClientRun(student, proto, f"hola-{token(10)}"))

    def test_sends_input(ascii_run: ClientRun, probe: Probe) -> None:
        judge_sends(ascii_run, probe)

    def test_prints_reply(ascii_run: ClientRun, probe: Probe) -> None:
        judge_prints(ascii_run, probe, ascii_run.line)

    def test_utf8(student: Student, ascii_run: ClientRun, probe: Probe) -> None:
        judge_utf8(ClientRun(student, proto, UTF8_TEXT + token(6)), ascii_run, probe)

    def test_exits(ascii_run: ClientRun, probe: Probe) -> None:
        judge_exits(ascii_run, probe)

    return ascii_run, test_sends_input, test_prints_reply, test_utf8, test_exits
