"""Laboratorio 9: UDP echo server on port 21567 answering ``b"Res: " + data`` to the sender."""

from __future__ import annotations

import socket

from harness.api import WINDOW, Probe, Student, token, two_udp_senders, udp_ask

from .common import UDP_PREFIX, judge_payload, judge_port, judge_prefix, utf8_payload

TASK = "lab9.udp_server"


def test_starts(student: Student, probe: Probe) -> None:
    judge_port(student.serve("udp"), probe)


def test_echo_prefix(student: Student, probe: Probe) -> None:
    server = student.serve("udp")
    payload = token(12, mixed_case=True).encode()
    judge_prefix(udp_ask(server.address, payload, probe, owner=server.uid), UDP_PREFIX, payload,
                 probe)


def test_utf8_payload(student: Student, probe: Probe) -> None:
    server = student.serve("udp")
    payload = utf8_payload()
    judge_payload(udp_ask(server.address, payload, probe, owner=server.uid), payload, probe)


def test_replies_to_sender(student: Student, probe: Probe) -> None:
    """Two clients send before either reads: each must get the reply to its own datagram."""
    server = student.serve("udp")
    two_udp_senders(server.address, probe, WINDOW, "lab9.udp_server.wrong_recipient",
                    owner=server.uid)


def test_keeps_serving(student: Student, probe: Probe) -> None:
    """Five datagrams in a row from one client socket, each answered."""
    server = student.serve("udp")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        for n in range(1, 6):
            payload = f"datagrama{n}-{token(6, mixed_case=True)}".encode()
            reply = udp_ask(server.address, payload, probe, sock=sock,
                            owner=server.uid)
            if not reply or not reply.endswith(payload):
                raise probe.fail("lab9.udp_server.stopped_serving", n=n, total=5)
