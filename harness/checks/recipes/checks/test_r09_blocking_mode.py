"""Receta 9: ``non_blocking_socket() -> socket``: a socket in non-blocking mode, bound to an
ephemeral port (``bind(("localhost", 0))``). One call, described by the child, judged twice:
``non_blocking`` (``getblocking()`` is False; ``settimeout(0)`` is the same thing) and
``bound`` (``getsockname()`` has a port other than 0)."""

from __future__ import annotations

from harness.api import Probe, SocketInfo, Student, say

from .calls import CALL_WINDOW, need_socket

TASK = "recipes.r09_blocking_mode"
CALL = "non_blocking_socket()"


def returned_socket(student: Student, probe: Probe) -> SocketInfo:
    probe.note(call=CALL)
    value = student.cached("socket", lambda: student.call("non_blocking_socket",
                                                           timeout=CALL_WINDOW))
    return need_socket(value, CALL, probe)


def test_non_blocking(student: Student, probe: Probe) -> None:
    probe.note(expected="blocking: False")
    info = returned_socket(student, probe)
    probe.expect(info.get("blocking") is False, "recipes.r09_blocking_mode.blocking",
                 timeout=repr(info.get("timeout")))


def test_bound(student: Student, probe: Probe) -> None:
    probe.note(expected=say("recipes.evidence.bound_port"))
    info = returned_socket(student, probe)
    bound = info.get("bound")
    port = bound[1] if isinstance(bound, list) and len(bound) >= 2 else 0
    probe.expect(isinstance(port, int) and port != 0, "recipes.r09_blocking_mode.unbound",
                 got=repr(bound))
