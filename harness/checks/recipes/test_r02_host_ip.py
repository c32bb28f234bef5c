"""Receta 2: ``get_ip(host) -> str`` resolves a name with ``socket.gethostbyname``.

The name and its address are chosen for this run and exist only in the virtual DNS, so a
hard-coded address cannot pass.
"""

from __future__ import annotations

import random

from harness.checks.recipes.common_a import CALL_WINDOW, call_text, expect_type, shown
from harness.checks.student import Student
from harness.checks.support import Probe, token
from harness.vnet.rules import VNet

TASK = "recipes.r02_host_ip"
LOOPBACK = "127.0.0.1"


def test_resolves_name(student: Student, probe: Probe) -> None:
    name = f"host-{token(8).lower()}.example.net"
    address = f"203.0.113.{random.randint(1, 254)}"
    probe.note(dns={name: [address]})
    judge_ip(student, probe, name, address, vnet=VNet().record(name, [address]),
             key="recipes.r02_host_ip.wrong_ip")


def test_localhost(student: Student, probe: Probe) -> None:
    judge_ip(student, probe, "localhost", LOOPBACK, vnet=None, key="recipes.r02_host_ip.localhost")


def judge_ip(student: Student, probe: Probe, host: str, expected: str, *, vnet: VNet | None,
             key: str) -> None:
    call = call_text("get_ip", [host])
    probe.note(call=call, expected=repr(expected))
    value = student.call("get_ip", host, vnet=vnet, timeout=CALL_WINDOW)
    probe.note(observed=shown(value))
    expect_type(value, str, call, expected, probe)
    probe.expect(value == expected, key, call=call, got=shown(value), expected=repr(expected))
