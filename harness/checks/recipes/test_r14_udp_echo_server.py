"""Receta 14: UDP echo server, ``python r14_udp_echo_server.py --port P``: sends each
datagram back unchanged to the address it came from."""

from __future__ import annotations

import socket

from harness.checks.recipes.common_b import (
    WINDOW,
    echo_payload,
    judge_echo,
    judge_port,
    random_port,
)
from harness.checks.student import Student
from harness.checks.support import Deadline, Probe, show, token, udp_exchange

TASK = "recipes.r14_udp_echo_server"


def test_echo(student: Student, probe: Probe) -> None:
    port = random_port()
    server = student.serve("udp", args=["--port", str(port)])
    judge_port(server, probe, TASK, port)
    payload = echo_payload()
    probe.sent(payload, "grader")
    answer = udp_exchange(server.address, payload, window=WINDOW)
    reply = answer[0] if answer else None
    probe.received(reply, "student")
    judge_echo(reply, payload, probe, TASK)


def test_replies_to_sender(student: Student, probe: Probe) -> None:
    """Two clients send before either reads: each must get its own datagram back (judged
    on the payload at the end of the reply, so it does not depend on the echo being
    exact)."""
    server = student.serve("udp", args=["--port", str(random_port())])
    socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(2)]
    try:
        payloads = []
        for i, s in enumerate(socks):
            s.bind(("127.0.0.1", 0))
            payload = f"cliente{'AB'[i]}-{token(8)}".encode()
            payloads.append(payload)
            s.sendto(payload, server.address)
            probe.sent(payload, f"client_{'ab'[i]}")
        deadline = Deadline(WINDOW)
        for i, s in enumerate(socks):
            s.settimeout(max(deadline.left(), 0.01))
            try:
                reply: bytes | None = s.recvfrom(65536)[0]
            except OSError:
                reply = None
            probe.received(reply, f"client_{'ab'[i]}")
            if not reply or payloads[i] not in reply:
                raise probe.fail(f"{TASK}.wrong_recipient", client="AB"[i],
                                 sent=show(payloads[i]), got=show(reply))
    finally:
        for s in socks:
            s.close()
