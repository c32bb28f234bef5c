"""Receta 4: ``service_name(port, protocol="tcp") -> str`` with ``socket.getservbyport``.

The expected names are the grader's own ``socket.getservbyport`` answers (the child reads the
same services database). Ports are drawn at random per run; ``udp_protocol`` draws ports where
a lookup that drops ``protocol`` gives another name than the UDP one (``514``: ``shell`` for
TCP, ``syslog`` for UDP), and one port that only UDP has, so ignoring ``protocol`` shows. On a
machine without a services database (``getservbyport(80)`` fails in the grader too) both
checks are skipped, with that reason.
"""

from __future__ import annotations

import random
import socket

from harness.api import Probe, Student, skip

from .calls import Case, judge_table

TASK = "recipes.r04_service_name"
TCP_PORTS = (21, 22, 23, 25, 80, 110, 143, 443, 993, 995)
UDP_PORTS = (21, 67, 68, 69, 123, 137, 138, 500, 512, 513, 514, 517, 518, 520)


def lookup(port: int, protocol: str | None) -> str | None:
    """The grader's own answer; ``protocol=None`` matches any protocol (first entry)."""
    try:
        return socket.getservbyport(port, protocol) if protocol else socket.getservbyport(port)
    except OSError:
        return None


def need_services() -> None:
    if lookup(80, "tcp") is None:
        skip("recipes.r04_service_name.no_services")


def tcp_ports() -> list[int]:
    """Three well-known TCP ports (fewer where the machine knows fewer); all but the last are
    asked with the default protocol, and those are drawn first from the ports whose UDP
    answer differs from the TCP one (none, or another name), so a function whose default is
    ``"udp"`` fails whatever the draw wherever one such port exists. Where the services
    database lists most of them for UDP too (netbase before 6.0: 7 of the 10), two ports drawn
    from all of them let it pass about one run in two."""
    known = [p for p in TCP_PORTS if lookup(p, "tcp")]
    telling = [p for p in known if lookup(p, "udp") != lookup(p, "tcp")]
    others = [p for p in known if p not in telling]
    random.shuffle(telling)
    random.shuffle(others)
    first = (telling + others)[:2]
    rest = [p for p in known if p not in first]
    return first + random.sample(rest, min(1, len(rest)))


def test_well_known_tcp(student: Student, probe: Probe) -> None:
    need_services()
    ports = tcp_ports()
    # the default protocol is part of the contract: all but the last call rely on it
    cases: list[Case] = [("service_name", [p], {}) for p in ports[:-1]]
    cases.append(("service_name", [ports[-1], "tcp"], {}))
    judge_table(student, probe, cases, [lookup(p, "tcp") for p in ports], want=str,
                key="recipes.r04_service_name.wrong_name")


def test_udp_protocol(student: Student, probe: Probe) -> None:
    need_services()
    udp = {p: name for p in UDP_PORTS if (name := lookup(p, "udp"))}
    # getservbyport(port) without a protocol answers the first entry of any protocol: these
    # ports show a function that drops ``protocol``; UDP-only ones show one that forces "tcp"
    ambiguous = [p for p in udp if lookup(p, None) != udp[p]]
    if not ambiguous:
        skip("recipes.r04_service_name.no_udp_services")
    ports = random.sample(ambiguous, min(2, len(ambiguous)))
    udp_only = [p for p in udp if lookup(p, "tcp") is None and p not in ports]
    ports += random.sample(udp_only, min(1, len(udp_only)))
    if lookup(53, "udp"):
        ports.append(53)  # the contract's example: service_name(53, "udp") == "domain"
    cases: list[Case] = [("service_name", [p, "udp"], {}) for p in ports]
    judge_table(student, probe, cases, [lookup(p, "udp") for p in ports], want=str,
                key="recipes.r04_service_name.wrong_udp")
