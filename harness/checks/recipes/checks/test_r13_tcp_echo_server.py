"""Receta 13: TCP echo server, ``python r13_tcp_echo_server.py --port P``: echoes data back
unchanged, sets ``SO_REUSEADDR`` and passes a listen backlog.

The port is chosen by the check (not the default 9900), so a server that ignores ``--port``
is seen. ``restart`` is the TIME_WAIT restart probe of receta 10 on that port.
"""

from __future__ import annotations

from harness.api import Probe, Student, say, tcp_ask

from .servers import echo_payload, judge_echo, judge_port, random_port, restart_probe

TASK = "recipes.r13_tcp_echo_server"


def test_echo(student: Student, probe: Probe) -> None:
    port = random_port()
    server = student.serve("tcp", args=["--port", str(port)])
    judge_port(server, probe, TASK, port)
    payload = echo_payload()
    reply = tcp_ask(server.address, payload, probe, done=lambda data: len(data) >= len(payload))
    judge_echo(reply, payload, probe, TASK)


def test_backlog(student: Student, probe: Probe) -> None:
    """``listen()`` was called with an explicit backlog of at least 1 (the shim reports the
    argument exactly as the program passed it)."""
    server = student.serve("tcp", args=["--port", str(random_port())])
    event = server.child.listening(0.0) or {}
    backlog = event.get("backlog")
    probe.note(listen={"backlog": backlog}, expected=say("recipes.evidence.listen_backlog"))
    if backlog is None:
        raise probe.fail(f"{TASK}.no_backlog")
    probe.expect(isinstance(backlog, int) and backlog >= 1, f"{TASK}.bad_backlog",
                 backlog=backlog)


def test_restart(student: Student, probe: Probe) -> None:
    port = random_port()
    restart_probe(student, probe, TASK, port=port, args=["--port", str(port)])
