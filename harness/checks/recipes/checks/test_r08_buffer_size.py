"""Receta 8: ``set_buffer_sizes(sock, send_size, recv_size) -> (int, int)`` sets
``SO_SNDBUF``, ``SO_RCVBUF`` and ``TCP_NODELAY`` on the TCP socket it is given and returns the
two sizes read back with ``getsockopt``.

The grader hands the function a fresh TCP socket made in the child and gets back, beside the
returned value, a description of that socket after the call. Sizes are random per run and
above this machine's defaults (so a function that sets nothing cannot pass), but small enough
that the kernel grants them. Linux doubles what it is asked for, so both the returned sizes
and the socket's own are compared with ``>=``.
"""

from __future__ import annotations

import random
import socket
from dataclasses import dataclass
from typing import Any

from harness.api import Probe, SocketInfo, Student, brief, say

from .calls import CALL_WINDOW, need_socket

TASK = "recipes.r08_buffer_size"
FUNC = "set_buffer_sizes"


@dataclass
class BufferCall:
    send_size: int
    recv_size: int
    value: Any
    sock: Any

    @property
    def call(self) -> str:
        return f"{FUNC}(<socket TCP>, {self.send_size}, {self.recv_size})"


def grantable_size(option: int) -> int:
    """A random size above a fresh TCP socket's default that the kernel grants in full (it
    reads back as at least the size asked for)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe_sock:
        default = probe_sock.getsockopt(socket.SOL_SOCKET, option)
    for _ in range(20):
        size = (default + random.randint(4, 64) * 1024) // 512 * 512
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.setsockopt(socket.SOL_SOCKET, option, size)
            if s.getsockopt(socket.SOL_SOCKET, option) >= size:
                return size
    return min(default, 64 * 1024)  # the kernel grants nothing above its default here


def shared_call(student: Student) -> BufferCall:
    def make() -> BufferCall:
        send, recv = grantable_size(socket.SO_SNDBUF), grantable_size(socket.SO_RCVBUF)
        value, args = student.call(FUNC, {"__new_socket__": "tcp"}, send, recv,
                                   describe_args=True, timeout=CALL_WINDOW)
        return BufferCall(send, recv, value, args[0] if args else None)

    return student.cached("buffers", make)


def sizes(bc: BufferCall, probe: Probe) -> tuple[int, int]:
    """The two returned sizes; fails unless a pair of plain ints came back."""
    value = bc.value
    ok = type(value) in (tuple, list) and len(value) == 2 and all(type(v) is int for v in value)
    if not ok:
        raise probe.fail("recipes.r08_buffer_size.bad_return", call=bc.call, got=brief(value))
    return int(value[0]), int(value[1])


def socket_after(bc: BufferCall, probe: Probe) -> SocketInfo:
    if isinstance(bc.sock, SocketInfo) and not bc.sock.get("open"):
        raise probe.fail("recipes.r08_buffer_size.closed", call=bc.call)
    return need_socket(bc.sock, bc.call, probe)


def judge_size(student: Student, probe: Probe, index: int, option: str, name: str) -> None:
    bc = shared_call(student)
    asked = (bc.send_size, bc.recv_size)[index]
    probe.note(call=bc.call, returned=brief(bc.value),
               expected=say("recipes.evidence.buffer_at_least", name=name, asked=asked))
    returned = sizes(bc, probe)[index]
    actual = socket_after(bc, probe).get(option)
    ok = returned >= asked and isinstance(actual, int) and actual >= asked
    probe.expect(ok, f"recipes.r08_buffer_size.{option}_small", call=bc.call, asked=asked,
                 returned=returned, actual=actual)


def test_send_buffer(student: Student, probe: Probe) -> None:
    judge_size(student, probe, 0, "sndbuf", "SO_SNDBUF")


def test_recv_buffer(student: Student, probe: Probe) -> None:
    judge_size(student, probe, 1, "rcvbuf", "SO_RCVBUF")


def test_nodelay(student: Student, probe: Probe) -> None:
    bc = shared_call(student)
    probe.note(call=bc.call, expected="TCP_NODELAY: 1")
    info = socket_after(bc, probe)
    probe.expect(bool(info.get("nodelay")), "recipes.r08_buffer_size.nodelay", call=bc.call,
                 got=repr(info.get("nodelay")))
