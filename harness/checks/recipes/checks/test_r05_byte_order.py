"""Receta 5: ``to_network_long``/``to_host_long`` (32 bits) and ``to_network_short``/
``to_host_short`` (16 bits), compared with the grader's own ``socket.htonl``/``ntohl``/
``htons``/``ntohs`` on random values (the child runs on this same machine, same byte order).
Values whose bytes read the same both ways are never drawn, so returning the argument fails
on a little-endian machine."""

from __future__ import annotations

import random
import socket
from collections.abc import Callable

from harness.api import Probe, Student

from .calls import Case, judge_table

TASK = "recipes.r05_byte_order"


def draw(bits: int, convert: Callable[[int], int]) -> int:
    """A random value that the conversion changes (when this machine's order changes any)."""
    value = random.getrandbits(bits)
    for _ in range(100):
        if convert(value) != value:
            break
        value = random.getrandbits(bits)
    return value


def judge_pair(student: Student, probe: Probe, bits: int, names: tuple[str, str],
               refs: tuple[Callable[[int], int], Callable[[int], int]]) -> None:
    cases: list[Case] = []
    expected: list[int] = []
    for func, ref in zip(names, refs, strict=True):
        for _ in range(2):
            value = draw(bits, ref)
            cases.append((func, [value], {}))
            expected.append(ref(value))
    judge_table(student, probe, cases, expected, want=int,
                key="recipes.r05_byte_order.wrong_value")


def test_long(student: Student, probe: Probe) -> None:
    judge_pair(student, probe, 32, ("to_network_long", "to_host_long"),
               (socket.htonl, socket.ntohl))


def test_short(student: Student, probe: Probe) -> None:
    judge_pair(student, probe, 16, ("to_network_short", "to_host_short"),
               (socket.htons, socket.ntohs))
