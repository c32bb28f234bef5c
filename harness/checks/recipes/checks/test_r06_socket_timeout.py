"""Receta 6: ``socket_with_timeout(timeout) -> socket``: a TCP socket (AF_INET, SOCK_STREAM)
with that timeout set. The child describes the returned socket (family, type, timeout); the
timeout asked for is random per run."""

from __future__ import annotations

import random
import socket

from harness.api import Probe, SocketInfo, Student

from .calls import CALL_WINDOW, call_text, need_socket, option_text

TASK = "recipes.r06_socket_timeout"


def random_timeout() -> float:
    return round(random.uniform(1.0, 60.0), 2)


def returned_socket(student: Student, probe: Probe, timeout: float) -> SocketInfo:
    call = call_text("socket_with_timeout", [timeout])
    probe.note(call=call)
    value = student.call("socket_with_timeout", timeout, timeout=CALL_WINDOW)
    return need_socket(value, call, probe)


def test_timeout_set(student: Student, probe: Probe) -> None:
    timeout = random_timeout()
    probe.note(expected=f"timeout: {timeout!r}")
    info = returned_socket(student, probe, timeout)
    got = info.get("timeout")
    ok = isinstance(got, (int, float)) and abs(got - timeout) < 1e-9
    probe.expect(ok, "recipes.r06_socket_timeout.wrong_timeout", timeout=timeout,
                 got=repr(got))


def test_tcp_socket(student: Student, probe: Probe) -> None:
    probe.note(expected="family: AF_INET\ntype: SOCK_STREAM")
    info = returned_socket(student, probe, random_timeout())
    family, kind = info.get("family"), info.get("type")
    ok = family == int(socket.AF_INET) and kind == int(socket.SOCK_STREAM)
    probe.expect(ok, "recipes.r06_socket_timeout.not_tcp",
                 got=f"{option_text('family', family)}, {option_text('type', kind)}")

