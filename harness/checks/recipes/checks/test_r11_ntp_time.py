"""Receta 11: ``ntp_time(server="pool.ntp.org") -> float`` with ntplib; running the file
prints ``time.ctime()`` of it.

The grader's NTP server answers for ``pool.ntp.org`` with a time chosen for this run, years
away from now, so only a value that really came from it passes.
"""

from __future__ import annotations

from harness.api import NtpServer, Probe, Student, VNet, brief, quoted

from .modules import imported_modules
from .printed_time import CTIME, ctime_printed, expected_ctime, judge_printed_time

TASK = "recipes.r11_ntp_time"
SERVER = "pool.ntp.org"
TOLERANCE = 0.5
"""Seconds between the returned value and the fake's time (``tx_time`` is exact; this also
admits ``time.time() + offset``, which is a few milliseconds off)."""
WINDOW = 8.0


def ntp_vnet(fake: NtpServer) -> VNet:
    """Every NTP host (``pool.ntp.org``, the course's ``europe.pool.ntp.org``, any address on
    UDP 123) reaches the grader's NTP server."""
    return VNet().ntp(("127.0.0.1", fake.port))


def test_fake_time(student: Student, probe: Probe) -> None:
    with NtpServer() as fake:
        probe.note(server=SERVER, fake_time=fake.unix_time)
        value = student.call("ntp_time", vnet=ntp_vnet(fake), timeout=WINDOW)
    probe.note(returned=value, expected=f"{fake.unix_time} ± {TOLERANCE} s")
    if not fake.packets:
        raise probe.fail(f"{TASK}.no_query", server=SERVER)
    course = student.called_as.get("ntp_time")
    if course is not None and value is None:
        judge_printed_time(student.printed(), probe, course, fake.unix_time, TASK)
        return
    probe.expect(type(value) in (float, int), f"{TASK}.not_a_number", got=brief(value))
    probe.expect(abs(value - fake.unix_time) <= TOLERANCE, f"{TASK}.wrong_time",
                 got=value, expected=fake.unix_time)


def test_uses_ntplib(student: Student, probe: Probe) -> None:
    modules = imported_modules(student)
    probe.note(imports=modules, expected="import ntplib")
    probe.expect("ntplib" in modules, f"{TASK}.no_ntplib", imports=", ".join(modules) or "—")


def test_prints_ctime(student: Student, probe: Probe) -> None:
    with NtpServer() as fake:
        finished = student.run(vnet=ntp_vnet(fake), timeout=WINDOW)
    probe.note(fake_time=fake.unix_time, expected=expected_ctime(fake.unix_time))
    probe.note(printed=CTIME.findall(finished.stdout))
    if ctime_printed(finished.stdout, fake.unix_time):
        return
    raise student.crashed_or(f"{TASK}.ctime_not_printed", finished,
                             expected=expected_ctime(fake.unix_time), got=quoted(finished.stdout))
