"""Receta 14: UDP echo client, ``python r14_udp_echo_client.py --port P --message M``: sends
the message in one datagram to ``localhost:P`` and prints the reply."""

from __future__ import annotations

import pytest

from harness.api import Probe, Student

from .echo_clients import (
    EchoRun,
    echo_client_run,
    judge_message_option,
    judge_prints,
    judge_sends,
)

TASK = "recipes.r14_udp_echo_client"


@pytest.fixture
def run(student: Student) -> EchoRun:
    return student.cached("run", lambda: echo_client_run(student, "udp"))


def test_sends_message(run: EchoRun, student: Student, probe: Probe) -> None:
    judge_sends(run, probe, TASK, student)


def test_prints_echo(run: EchoRun, student: Student, probe: Probe) -> None:
    judge_prints(run, probe, TASK, student)


def test_message_option(run: EchoRun, student: Student, probe: Probe) -> None:
    """Beyond the guide (the course's client sends a fixed "Mensaje de prueba"): the
    template's ``--message`` chooses the text."""
    judge_message_option(run, probe, TASK, student)
