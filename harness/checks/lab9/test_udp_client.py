"""Laboratorio 9: UDP client: reads a line with input(), sends it to localhost:21567, prints
the reply and exits."""

from __future__ import annotations

import pytest

from harness.checks.lab9.common import UTF8_TEXT, ClientRun, judge_exits, judge_prints, \
    judge_sends, judge_utf8
from harness.checks.student import Student
from harness.checks.support import Probe, token

TASK = "lab9.udp_client"


@pytest.fixture
def ascii_run(student: Student) -> ClientRun:
    return student.cached("ascii", lambda: ClientRun(student, "udp", f"hola-{token(10)}"))


def test_sends_input(ascii_run: ClientRun, probe: Probe) -> None:
    judge_sends(ascii_run, probe)


def test_prints_reply(ascii_run: ClientRun, probe: Probe) -> None:
    judge_prints(ascii_run, probe, ascii_run.line)


def test_utf8(student: Student, probe: Probe) -> None:
    run = ClientRun(student, "udp", UTF8_TEXT + token(6))
    judge_utf8(run, probe)


def test_exits(ascii_run: ClientRun, probe: Probe) -> None:
    judge_exits(ascii_run, probe)
