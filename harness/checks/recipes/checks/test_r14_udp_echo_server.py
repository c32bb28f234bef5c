"""Receta 14: UDP echo server, ``python r14_udp_echo_server.py --port P``: sends each
datagram back unchanged to the address it came from."""

from __future__ import annotations

from harness.api import WINDOW, Probe, Student, two_udp_senders, udp_ask

from .servers import echo_payload, judge_echo, judge_port, random_port

TASK = "recipes.r14_udp_echo_server"


def test_echo(student: Student, probe: Probe) -> None:
    port = random_port()
    server = student.serve("udp", args=["--port", str(port)])
    judge_port(server, probe, TASK, port)
    payload = echo_payload()
    reply = udp_ask(server.address, payload, probe, owner=server.uid)
    judge_echo(reply, payload, probe, TASK)


def test_replies_to_sender(student: Student, probe: Probe) -> None:
    """Two clients send before either reads: each must get its own datagram back (judged
    on the payload at the end of the reply, so it does not depend on the echo being
    exact)."""
    server = student.serve("udp", args=["--port", str(random_port())])
    two_udp_senders(server.address, probe, WINDOW, f"{TASK}.wrong_recipient",
                    judge=lambda payload, reply: payload in reply, owner=server.uid)
