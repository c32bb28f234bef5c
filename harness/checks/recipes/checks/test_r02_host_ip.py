"""Receta 2: ``get_ip(host) -> str`` resolves a name with ``socket.gethostbyname``.

The name and its address are chosen for this run and exist only in the virtual DNS, so a
hard-coded address cannot pass.
"""

from __future__ import annotations

import random
import re

from harness.api import Probe, Student, VNet, brief, quoted, token

from .calls import CALL_WINDOW, call_text, expect_type

TASK = "recipes.r02_host_ip"
LOOPBACK = "127.0.0.1"
HOST_NAME = re.compile(r"(?<![\w.-])(?=[\w.-]*[a-zA-Z])[\w-]+(?:\.[\w-]+)+(?![\w-])")
"""A dotted host name in printed text (``www.python.org``)."""
IPV4 = re.compile(r"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?!\d|\.\d)")
"""An IPv4 address in printed text, also at the end of a sentence (``es 198.18.5.7.``)."""
MAX_NAMES = 50
MAX_ADDRESSES = 3
"""A course function resolving one hard-coded name prints one address."""


def test_resolves_name(student: Student, probe: Probe) -> None:
    name = f"host-{token(8).lower()}.example.net"
    address = f"203.0.113.{random.randint(1, 254)}"
    probe.note(dns={name: [address]})
    # names without a record get addresses salted for this run: the course's obtener_info()
    # asks for its own hard-coded name, and printing that name's address proves the lookup
    vnet = VNet(salt=token(12)).record(name, [address])
    judge_ip(student, probe, name, address, vnet=vnet, key="recipes.r02_host_ip.wrong_ip")


def test_localhost(student: Student, probe: Probe) -> None:
    judge_ip(student, probe, "localhost", LOOPBACK, vnet=None, key="recipes.r02_host_ip.localhost")


def judge_printed(student: Student, probe: Probe, course: str, vnet: VNet | None) -> None:
    """The course's function takes no host and prints ``name ... address``: some host name
    it printed must appear with the address the virtual DNS gave that name in this run
    (salted per run, from 131072 addresses), and it may print only a few addresses (so
    printing a list of guesses cannot pass)."""
    printed = student.printed()
    probe.note(function=f"{course}()", printed=quoted(printed))
    if vnet is None or not vnet.salt:
        raise probe.fail("recipes.r02_host_ip.no_host_argument", func=f"{course}()")
    names = list(dict.fromkeys(HOST_NAME.findall(printed)))[:MAX_NAMES]
    pairs = {n: vnet.resolve(n) for n in names
             if n.lower() not in vnet.dns and not n.lower().endswith("localhost")}
    probe.note(virtual_dns=pairs)
    addresses = {a for a in IPV4.findall(printed) if not a.startswith("127.")}
    if len(addresses) > MAX_ADDRESSES:
        raise probe.fail("recipes.r02_host_ip.too_many_addresses", func=f"{course}()",
                         n=len(addresses), most=MAX_ADDRESSES)
    probe.expect(any(a in addresses for a in pairs.values()),
                 "recipes.r02_host_ip.address_not_printed", func=f"{course}()",
                 got=quoted(printed))


def judge_ip(student: Student, probe: Probe, host: str, expected: str, *, vnet: VNet | None,
             key: str) -> None:
    call = call_text("get_ip", [host])
    probe.note(call=call, expected=repr(expected))
    value = student.call("get_ip", host, vnet=vnet, timeout=CALL_WINDOW)
    probe.note(observed=brief(value))
    course = student.called_as.get("get_ip")
    if course is not None:
        judge_printed(student, probe, course, vnet)
        return
    expect_type(value, str, call, expected, probe)
    probe.expect(value == expected, key, call=call, got=brief(value), expected=repr(expected))
