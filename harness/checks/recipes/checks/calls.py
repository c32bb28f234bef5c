"""Judging shared by the recipes that call a course function (r01 to r09): calls whose
plain return values are compared, in the grader, with values the grader computed itself
for this run.

A returned value counts only when it has the exact plain type of the contract: a subclass
(say a ``str`` whose ``__eq__`` always says yes) arrives as :class:`Opaque` and fails with a
message that names its type. Shared messages live under ``recipes.r0x.*``.
"""

from __future__ import annotations

import socket
from typing import Any

from harness.api import Probe, SocketInfo, Student, brief, type_name

CALL_WINDOW = 5.0
"""One function-call batch (one child) has this long; they take ~50 ms."""

Case = tuple[str, list[Any], dict[str, Any]]
"""``(function, args, kwargs)`` as :meth:`Student.calls` takes them."""


def call_text(func: str, args: list[Any], kwargs: dict[str, Any] | None = None) -> str:
    """``ip_to_hex('10.0.0.1')``: how a call reads in a message."""
    parts = [repr(_plain_arg(a)) for a in args]
    parts += [f"{k}={_plain_arg(v)!r}" for k, v in (kwargs or {}).items()]
    return f"{func}({', '.join(parts)})"


def _plain_arg(arg: Any) -> Any:
    if isinstance(arg, dict) and "__bytes__" in arg:
        return bytes.fromhex(arg["__bytes__"])
    return arg


def expect_type(value: Any, want: type, call: str, expected: Any, probe: Probe) -> None:
    """Fail unless ``value`` has exactly the plain type ``want`` (no subclass, no bool for
    int)."""
    if type(value) is not want:
        raise probe.fail("recipes.r0x.wrong_type", call=call, type=type_name(value),
                         want=want.__name__, got=brief(value), expected=brief(expected))


def judge_table(student: Student, probe: Probe, cases: list[Case], expected: list[Any], *,
                want: type, key: str, **params: Any) -> list[Any]:
    """Make ``cases`` in one child and require each value to be exactly ``expected`` (same
    plain type ``want``); a mismatch fails with ``key`` (``call``, ``got``, ``expected`` and
    ``params`` fill it). The evidence lists every call with what it should give and gave."""
    calls = [call_text(f, a, k) for f, a, k in cases]
    probe.note(expected="\n".join(f"{c} → {brief(e)}" for c, e in zip(calls, expected,
                                                                       strict=True)))
    values = student.calls(cases, timeout=CALL_WINDOW)
    probe.note(observed="\n".join(f"{c} → {brief(v)}" for c, v in zip(calls, values,
                                                                      strict=True)))
    for call, value, exp in zip(calls, values, expected, strict=True):
        expect_type(value, want, call, exp, probe)
        probe.expect(value == exp, key, call=call, got=brief(value), expected=brief(exp),
                     **params)
    return values


def need_socket(value: Any, call: str, probe: Probe) -> SocketInfo:
    """The description of a returned socket; fails when it is not an open socket."""
    probe.note(observed=_socket_text(value))
    if not isinstance(value, SocketInfo):
        raise probe.fail("recipes.r0x.not_a_socket", call=call, got=brief(value),
                         type=type_name(value))
    if not value.get("open"):
        raise probe.fail("recipes.r0x.closed_socket", call=call)
    return value


def _socket_text(value: Any) -> str:
    if not isinstance(value, SocketInfo):
        return brief(value)
    if not value.get("open"):
        return "<socket.socket> open: False"
    return "\n".join(f"{k}: {option_text(k, value.get(k))}" for k in
                     ("family", "type", "timeout", "blocking", "sndbuf", "rcvbuf", "nodelay",
                      "bound") if k in value)


def option_text(key: str, value: Any) -> str:
    """A socket option as a person reads it: ``AF_INET`` rather than ``2``."""
    enum = {"family": socket.AddressFamily, "type": socket.SocketKind}.get(key)
    if enum is not None and isinstance(value, int):
        try:
            return enum(value).name
        except ValueError:
            pass
    return repr(value)

