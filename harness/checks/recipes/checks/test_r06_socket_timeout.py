"""Receta 6: ``socket_with_timeout(timeout) -> socket``: a TCP socket (AF_INET, SOCK_STREAM)
with that timeout set. The child describes the returned socket (family, type, timeout); the
timeout asked for is random per run."""

from __future__ import annotations

import random
import socket

from harness.api import Probe, SocketInfo, Student

from .calls import CALL_WINDOW, call_text, need_socket, option_text

TASK = "recipes.r06_socket_timeout"


TOLERANCE_S = 1e-6
"""How far the timeout read back may be from the one asked for: Python keeps it in whole
nanoseconds, rounded up, so ``settimeout(2.14)`` reads back as 2.140000001."""


def random_timeout() -> float:
    """Between 1 and 60 s, never a whole number of seconds (so a program that rounds or
    truncates it never passes by chance)."""
    return round(random.randint(1, 59) + random.randint(1, 99) / 100, 2)


def same_timeout(got: object, asked: float) -> bool:
    """Whether ``got`` (what the socket's ``gettimeout()`` returned) is the timeout asked for."""
    return isinstance(got, (int, float)) and not isinstance(got, bool) \
        and abs(got - asked) <= TOLERANCE_S


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
    probe.expect(same_timeout(got, timeout), "recipes.r06_socket_timeout.wrong_timeout",
                 timeout=timeout, got=repr(got))


def test_tcp_socket(student: Student, probe: Probe) -> None:
    probe.note(expected="family: AF_INET\ntype: SOCK_STREAM")
    info = returned_socket(student, probe, random_timeout())
    family, kind = info.get("family"), info.get("type")
    ok = family == int(socket.AF_INET) and kind == int(socket.SOCK_STREAM)
    probe.expect(ok, "recipes.r06_socket_timeout.not_tcp",
                 got=f"{option_text('family', family)}, {option_text('type', kind)}")

