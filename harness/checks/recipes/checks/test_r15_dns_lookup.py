"""Receta 15: ``lookup(host, port=80) -> list[str]``, the distinct addresses
``socket.getaddrinfo`` gives for ``host``.

The virtual DNS answers a name made up for this run with several A records; its
``getaddrinfo`` lists each address once per socket type, as the real one does, so the
addresses must be de-duplicated. Order is not judged.
"""

from __future__ import annotations

import secrets

from harness.api import Probe, Student, VNet, brief, token, type_name

TASK = "recipes.r15_dns_lookup"
NETS = ("192.0.2", "198.51.100", "203.0.113")


def records() -> list[str]:
    addresses: list[str] = []
    while len(addresses) < 3:
        address = f"{secrets.choice(NETS)}.{1 + secrets.randbelow(254)}"
        if address not in addresses:
            addresses.append(address)
    return addresses


def addresses_of(value: object, probe: Probe, student: Student | None = None) -> list[str]:
    """The returned addresses. The course's ``obtener_ip(host)`` returns the first address as
    a ``str``: read as a list of that one address (``all_addresses`` then shows what is
    missing)."""
    if isinstance(value, str) and student is not None and "lookup" in student.called_as:
        probe.note(function=f"{student.called_as['lookup']}()")
        return [value]
    probe.expect(isinstance(value, list) and all(isinstance(a, str) for a in value),
                 f"{TASK}.not_a_list", got=type_name(value), value=brief(value))
    assert isinstance(value, list)
    return value


def test_all_addresses(student: Student, probe: Probe) -> None:
    name = f"www.{token(8).lower()}.example.net"
    expected = records()
    vnet = VNet().record(name, expected)
    probe.note(host=name, dns_records=expected, expected=expected)
    got = addresses_of(student.call("lookup", name, vnet=vnet), probe, student)
    probe.note(returned=got)
    probe.expect(len(got) == len(set(got)), f"{TASK}.repeated", host=name, got=brief(got))
    probe.expect(set(got) == set(expected), f"{TASK}.wrong_addresses", host=name,
                 got=", ".join(got) or "—", expected=", ".join(expected))


def test_localhost(student: Student, probe: Probe) -> None:
    """``localhost`` gives the loopback address (repeats are judged by ``all_addresses``)."""
    probe.note(host="localhost", expected=["127.0.0.1"])
    got = addresses_of(student.call("lookup", "localhost"), probe, student)
    probe.note(returned=got)
    probe.expect(set(got) == {"127.0.0.1"}, f"{TASK}.wrong_localhost",
                 got=", ".join(got) or "—")
