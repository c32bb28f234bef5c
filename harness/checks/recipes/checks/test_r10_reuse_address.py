"""Receta 10: a TCP echo server on port 8282 that sets ``SO_REUSEADDR``, so it can be started
again at once while its port still has a connection in TIME_WAIT.

``restarts_while_time_wait`` pins the statement's port to a free real port, makes the server
close one connection first (so the TIME_WAIT is on the server's port; ``/proc/net/tcp``
confirms it and goes into the evidence), stops the server and starts it again on that same
real port. Without ``SO_REUSEADDR`` the second ``bind()`` fails with ``EADDRINUSE``.
"""

from __future__ import annotations

from harness.api import Probe, Student, tcp_ask

from .servers import echo_payload, judge_echo, judge_port, restart_probe

TASK = "recipes.r10_reuse_address"
PORT = 8282


def test_echo(student: Student, probe: Probe) -> None:
    server = student.serve("tcp")
    judge_port(server, probe, TASK, PORT)
    payload = echo_payload()
    reply = tcp_ask(server.address, payload, probe, done=lambda data: len(data) >= len(payload))
    judge_echo(reply, payload, probe, TASK)


def test_restarts_while_time_wait(student: Student, probe: Probe) -> None:
    restart_probe(student, probe, TASK, port=PORT)
