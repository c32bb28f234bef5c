"""Receta 13: TCP echo client, ``python r13_tcp_echo_client.py --port P --message M``: sends
the message, prints the whole echo (the grader's echo server answers in small pieces a few
milliseconds apart, so one ``recv()`` is not enough), and reports a refused connection in one
clear line with a non-zero exit status and no traceback."""

from __future__ import annotations

import pytest

from harness.api import Probe, Student, VNet, Witness, say, show

from .echo_clients import (
    ECHO_CLIENT_TIMEOUT,
    EchoRun,
    client_failure,
    echo_client_run,
    judge_message_option,
    judge_prints,
    judge_sends,
)
from .servers import random_port

TASK = "recipes.r13_tcp_echo_client"


@pytest.fixture
def run(student: Student) -> EchoRun:
    return student.cached("run", lambda: echo_client_run(student, "tcp"))


def test_sends_message(run: EchoRun, student: Student, probe: Probe) -> None:
    judge_sends(run, probe, TASK, student)


def test_prints_echo(run: EchoRun, student: Student, probe: Probe) -> None:
    judge_prints(run, probe, TASK, student)


def test_message_option(run: EchoRun, student: Student, probe: Probe) -> None:
    """Beyond the guide (the course's client sends a fixed "Mensaje de prueba"): the
    template's ``--message`` chooses the text."""
    judge_message_option(run, probe, TASK, student)


def test_handles_refused(student: Student, probe: Probe) -> None:
    """Nobody listens on the port: the virtual network refuses the connection. Run with
    ``--port`` only, as the course's client takes (``--message`` as well when the program
    requires it)."""
    port = random_port()
    with Witness() as witness:
        vnet = VNet().witnessed(witness)
        finished = student.run(args=["--port", str(port)], vnet=vnet, timeout=ECHO_CLIENT_TIMEOUT)
        if not witness.refused(port) and finished.exit_code == 2 \
                and "--message" in finished.stderr:  # a client that requires --message
            finished = student.run(args=["--port", str(port), "--message", "hola"],
                                   vnet=vnet, timeout=ECHO_CLIENT_TIMEOUT)
        refused = witness.refused(port)  # the grader's record: a forged event is not one
    probe.note(expected=say("recipes.evidence.handles_error"))
    if finished.timed_out:
        raise probe.fail(f"{TASK}.hangs", seconds=student.window(ECHO_CLIENT_TIMEOUT))
    probe.note(refused=[e.get("address") for e in refused])
    if not refused:
        raise client_failure(student, finished, TASK, f"{TASK}.no_attempt", port=port)
    if "Traceback (most recent call last)" in finished.stderr:
        lines = [ln for ln in finished.stderr.strip().splitlines() if ln.strip()]
        raise probe.fail(f"{TASK}.traceback", error=show(lines[-1] if lines else "", 200))
    probe.expect(finished.exit_code not in (0, None), f"{TASK}.exit_zero", port=port)
    said = (finished.stderr + finished.stdout).strip()
    probe.expect(bool(said), f"{TASK}.silent", port=port)
