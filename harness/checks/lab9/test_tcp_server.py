"""Laboratorio 9: TCP echo server on port 21567 answering ``b"Resp: " + data``."""

from __future__ import annotations

import socket

from harness.checks.lab9.common import (
    TCP_PREFIX,
    ask,
    judge_payload,
    judge_port,
    judge_prefix,
    utf8_payload,
)
from harness.checks.student import Student
from harness.checks.support import Probe, say, token

TASK = "lab9.tcp_server"


def test_starts(student: Student, probe: Probe) -> None:
    judge_port(student.serve("tcp"), probe)


def test_echo_prefix(student: Student, probe: Probe) -> None:
    server = student.serve("tcp")
    payload = token(12).encode()
    reply = ask(server, "tcp", payload, probe, expected=TCP_PREFIX + payload)
    judge_prefix(reply, TCP_PREFIX, payload, probe)


def test_utf8_payload(student: Student, probe: Probe) -> None:
    server = student.serve("tcp")
    payload = utf8_payload()
    judge_payload(ask(server, "tcp", payload, probe), payload, probe)


def test_sequential_clients(student: Student, probe: Probe) -> None:
    server = student.serve("tcp")
    for n in range(1, 6):
        payload = f"cliente{n}-{token(6)}".encode()
        reply = ask(server, "tcp", payload, probe)
        if not reply or not reply.endswith(payload):
            raise probe.fail("lab9.tcp_server.client_not_served", n=n, total=5)


def test_survives_silent_client(student: Student, probe: Probe) -> None:
    server = student.serve("tcp")
    silent = socket.create_connection(server.address, timeout=2)
    probe.note(silent_client=say("evidence.silent_client"))
    silent.close()
    payload = token(10).encode()
    reply = ask(server, "tcp", payload, probe)
    if not reply or not reply.endswith(payload):
        raise probe.fail("lab9.tcp_server.silent_client_broke", file=student.file)
