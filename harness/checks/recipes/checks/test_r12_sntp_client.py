"""Receta 12: ``sntp_time(server="es.pool.ntp.org") -> float``, an SNTP client written with
the standard library only.

One call against the grader's NTP server serves two checks: ``fake_time`` judges the value
(the fake's time, chosen for this run, years from now) and ``request_packet`` the datagram
the fake recorded. This fake answers any datagram as if it were a well-formed request, so a
malformed packet costs ``request_packet`` only. ``standard_library_only`` reads the file's
imports from its syntax tree.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from harness.api import CheckFailed, NtpServer, Probe, Student, VNet, brief, say, show

from .modules import imported_modules, non_standard
from .printed_time import judge_printed_time

TASK = "recipes.r12_sntp_client"
SERVER = "es.pool.ntp.org"
TOLERANCE = 0.5
"""Seconds; adding the fraction ``t[11] / 2**32`` is optional (the fake's time is whole)."""
WINDOW = 8.0
NTP_EPOCH_OFFSET = 2208988800


class AnsweringNtp(NtpServer):
    """Answers every datagram with the chosen time, as if it were a 48-byte mode-3 request;
    records what really arrived."""

    def response_for(self, request: bytes) -> bytes | None:
        padded = (request + bytes(48))[:48]
        fixed = bytes([(padded[0] & 0xF8) | 3]) + padded[1:]
        if (fixed[0] >> 3) & 0x7 == 0:
            fixed = bytes([fixed[0] | 0x18]) + fixed[1:]  # version 0 means nothing: use 3
        return super().response_for(fixed)


@dataclass
class SntpCall:
    fake_time: float
    value: object
    failure: CheckFailed | None
    packets: list[bytes]
    evidence: dict[str, object]
    course: str | None = None
    """The course's name the function was found under (``sntp_client``), if any."""
    printed: str = ""
    """What the call printed."""

    def note(self, probe: Probe) -> None:
        probe.note(server=SERVER, fake_time=self.fake_time, **self.evidence)
        for packet in self.packets[:3]:
            probe.sent(packet, "student")


def make_call(student: Student, probe: Probe) -> SntpCall:
    with AnsweringNtp() as fake:
        vnet = VNet().ntp(("127.0.0.1", fake.port))  # any NTP host, any address on UDP 123
        value: object = None
        failure = None
        try:
            value = student.call("sntp_time", vnet=vnet, timeout=WINDOW)
        except CheckFailed as exc:
            failure = exc
        packets = [data for _peer, data in fake.packets]
    evidence = {k: v for k, v in probe.evidence.items() if k == "traceback"}
    return SntpCall(fake.unix_time, value, failure, packets, evidence,
                    student.called_as.get("sntp_time"), student.printed())


@pytest.fixture
def call(student: Student, probe: Probe) -> SntpCall:
    return student.cached("call", lambda: make_call(student, probe))


def test_fake_time(call: SntpCall, probe: Probe) -> None:
    call.note(probe)
    if call.failure is not None:
        raise call.failure
    value = call.value
    probe.note(returned=value, expected=f"{call.fake_time} ± {TOLERANCE} s")
    if not call.packets:
        raise probe.fail(f"{TASK}.no_query", server=SERVER)
    if call.course is not None and value is None:
        judge_printed_time(call.printed, probe, call.course, call.fake_time, TASK)
        return
    probe.expect(type(value) in (float, int), f"{TASK}.not_a_number", got=brief(value))
    assert isinstance(value, (int, float))
    if abs(value + NTP_EPOCH_OFFSET - call.fake_time) <= TOLERANCE:
        raise probe.fail(f"{TASK}.ntp_epoch", got=value, expected=call.fake_time)
    probe.expect(abs(value - call.fake_time) <= TOLERANCE, f"{TASK}.wrong_time", got=value,
                 expected=call.fake_time)


def test_request_packet(call: SntpCall, probe: Probe) -> None:
    call.note(probe)
    probe.note(expected=say("recipes.evidence.sntp_packet"))
    if not call.packets:
        if call.failure is not None:
            raise call.failure
        raise probe.fail(f"{TASK}.no_query", server=SERVER)
    packet = call.packets[0]
    probe.expect(len(packet) == 48, f"{TASK}.packet_size", size=len(packet), got=show(packet))
    mode = packet[0] & 0x7
    probe.expect(mode == 3, f"{TASK}.packet_mode", mode=mode, first=f"0x{packet[0]:02x}")


def test_standard_library_only(student: Student, probe: Probe) -> None:
    modules = imported_modules(student)
    outside = non_standard(modules)
    probe.note(imports=modules, expected=say("recipes.evidence.stdlib_only"))
    if outside:
        raise probe.fail(f"{TASK}.not_standard", modules=", ".join(outside))
    probe.expect("socket" in modules, f"{TASK}.no_socket", imports=", ".join(modules) or "—")
