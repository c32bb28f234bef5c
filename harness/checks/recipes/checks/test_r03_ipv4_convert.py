"""Receta 3: ``ip_to_hex(ip) -> str`` (``"127.0.0.1"`` gives ``"7f000001"``) and
``packed_to_ip(packed: bytes) -> str``.

- ``to_hex`` judges the exact text of the contract: 8 lowercase hex digits, no ``0x``, a
  ``str`` (``binascii.hexlify`` gives bytes: ``.decode()`` them), on the contract's example
  and on random addresses (whose first octet needs no leading zero: that is ``roundtrip``'s).
- ``from_packed`` judges the exact dotted text for random packed addresses.
- ``roundtrip`` judges that the value survives the chain ip → ``ip_to_hex`` → bytes →
  ``packed_to_ip`` → ip over the whole range (``0.0.0.0``, ``255.255.255.255``, a first octet
  below 16), whatever the presentation: the hex may be bytes, uppercase or ``0x``-prefixed
  and the text may be bytes (those are ``to_hex``'s and ``from_packed``'s concern), but it must
  describe the 4 bytes (8 digits) and come back to the same address.
"""

from __future__ import annotations

import random
import re
import socket
from typing import Any

from harness.api import Probe, Student, brief, type_name

from .calls import CALL_WINDOW, Case, call_text, judge_table

TASK = "recipes.r03_ipv4_convert"
HEX8 = re.compile(r"[0-9a-f]{8}")


def octet(low: int = 0, high: int = 255) -> int:
    return random.randint(low, high)


def test_to_hex(student: Student, probe: Probe) -> None:
    ips = ["127.0.0.1",
           f"{octet(16, 223)}.{octet(0, 15)}.{octet(160)}.{octet(1, 254)}",
           f"{octet(16, 223)}.{octet(160)}.{octet()}.{octet(0, 15)}",
           f"{octet(16)}.{octet()}.{octet()}.{octet()}"]
    cases: list[Case] = [("ip_to_hex", [ip], {}) for ip in ips]
    judge_table(student, probe, cases, [socket.inet_aton(ip).hex() for ip in ips], want=str,
                key="recipes.r03_ipv4_convert.wrong_hex")


def test_from_packed(student: Student, probe: Probe) -> None:
    packed = [bytes([127, 0, 0, 1])] + [random.randbytes(4) for _ in range(3)]
    cases: list[Case] = [("packed_to_ip", [{"__bytes__": p.hex()}], {}) for p in packed]
    judge_table(student, probe, cases, [socket.inet_ntoa(p) for p in packed], want=str,
                key="recipes.r03_ipv4_convert.wrong_ip")


def test_roundtrip(student: Student, probe: Probe) -> None:
    ips = ["0.0.0.0", "255.255.255.255", f"{octet(1, 15)}.{octet()}.{octet()}.{octet()}",
           f"{octet()}.{octet()}.{octet()}.{octet()}"]
    probe.note(expected="\n".join(f"{ip} → ip_to_hex → {socket.inet_aton(ip).hex()} → "
                                  f"packed_to_ip → {ip!r}" for ip in ips))
    hexes = student.calls([("ip_to_hex", [ip], {}) for ip in ips], timeout=CALL_WINDOW)
    probe.note(observed="\n".join(f"{ip} → ip_to_hex → {brief(h)}"
                                   for ip, h in zip(ips, hexes, strict=True)))
    packed = [lenient_hex(ip, h, probe) for ip, h in zip(ips, hexes, strict=True)]
    backs = student.calls([("packed_to_ip", [{"__bytes__": p.hex()}], {}) for p in packed],
                          timeout=CALL_WINDOW)
    probe.note(observed="\n".join(
        f"{ip} → ip_to_hex → {brief(h)} → packed_to_ip → {brief(b)}"
        for ip, h, b in zip(ips, hexes, backs, strict=True)))
    for ip, h, p, back in zip(ips, hexes, packed, backs, strict=True):
        text = lenient_text(back, call_text("packed_to_ip", [p]), ip, probe)
        probe.expect(text == ip, "recipes.r03_ipv4_convert.roundtrip", ip=ip, hex=brief(h),
                     packed=repr(p), back=brief(back))


def lenient_hex(ip: str, value: Any, probe: Probe) -> bytes:
    """The 4 bytes ``value`` describes, in any presentation of hex; fails when it does not."""
    expected = socket.inet_aton(ip).hex()
    call = call_text("ip_to_hex", [ip])
    text = lenient_text(value, call, expected, probe).strip().lower().removeprefix("0x")
    if not HEX8.fullmatch(text):
        raise probe.fail("recipes.r03_ipv4_convert.not_hex", call=call, got=brief(value),
                         expected=repr(expected))
    return bytes.fromhex(text)


def lenient_text(value: Any, call: str, expected: str, probe: Probe) -> str:
    """``value`` as text when it is a plain ``str`` or ASCII ``bytes``."""
    if type(value) is str:
        return value
    if type(value) is bytes:
        return value.decode("ascii", "replace")
    raise probe.fail("recipes.r0x.wrong_type", call=call, type=type_name(value), want="str",
                     got=brief(value), expected=repr(expected))
