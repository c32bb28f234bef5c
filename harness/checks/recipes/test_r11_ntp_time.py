"""Receta 11: ``ntp_time(server="pool.ntp.org") -> float`` with ntplib; running the file
prints ``time.ctime()`` of it.

The grader's NTP server answers for ``pool.ntp.org`` with a time chosen for this run, years
away from now, so only a value that really came from it passes.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path

from harness.checks.recipes.common_b import brief, imported_modules, text
from harness.checks.student import Student
from harness.checks.support import Probe
from harness.fakes import NtpServer
from harness.vnet.rules import VNet

TASK = "recipes.r11_ntp_time"
SERVER = "pool.ntp.org"
TOLERANCE = 0.5
"""Seconds between the returned value and the fake's time (``tx_time`` is exact; this also
admits ``time.time() + offset``, which is a few milliseconds off)."""
WINDOW = 8.0
CTIME = re.compile(r"[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}")
LOCALTIME = Path("/etc/localtime")


def ntp_vnet(fake: NtpServer) -> VNet:
    return VNet().route("udp", SERVER, 123, ("127.0.0.1", fake.port))


def test_fake_time(student: Student, probe: Probe) -> None:
    with NtpServer() as fake:
        probe.note(server=SERVER, fake_time=fake.unix_time)
        value = student.call("ntp_time", vnet=ntp_vnet(fake), timeout=WINDOW)
    probe.note(returned=value, expected=f"{fake.unix_time} ± {TOLERANCE} s")
    if not fake.packets:
        raise probe.fail(f"{TASK}.no_query", server=SERVER)
    probe.expect(type(value) in (float, int), f"{TASK}.not_a_number", got=brief(value))
    probe.expect(abs(value - fake.unix_time) <= TOLERANCE, f"{TASK}.wrong_time",
                 got=value, expected=fake.unix_time)


def test_uses_ntplib(student: Student, probe: Probe) -> None:
    modules = imported_modules(student)
    probe.note(imports=modules, expected="import ntplib")
    probe.expect("ntplib" in modules, f"{TASK}.no_ntplib", imports=", ".join(modules) or "—")


def child_zone() -> tzinfo:
    """The zone ``time.ctime`` uses in the child: no ``TZ`` in its environment, so the
    system's ``/etc/localtime`` (UTC where there is none)."""
    try:
        from zoneinfo import ZoneInfo

        with LOCALTIME.open("rb") as f:
            return ZoneInfo.from_file(f, key="localtime")
    except (OSError, ValueError, ImportError):
        return UTC


def ctime_of(moment: datetime) -> str:
    return f"{moment:%a %b} {moment.day:2d} {moment:%H:%M:%S %Y}"


def test_prints_ctime(student: Student, probe: Probe) -> None:
    with NtpServer() as fake:
        finished = student.run(vnet=ntp_vnet(fake), timeout=WINDOW)
    zones = [child_zone(), UTC]
    expected = [datetime.fromtimestamp(fake.unix_time, tz) for tz in zones]
    probe.note(fake_time=fake.unix_time, expected=ctime_of(expected[0]))
    printed = CTIME.findall(finished.stdout)
    probe.note(printed=printed)
    for line in printed:
        try:
            shown = datetime.strptime(" ".join(line.split()), "%a %b %d %H:%M:%S %Y")
        except ValueError:
            continue
        # one second either way: a float a hair under the whole second prints the one before
        if any(abs(shown - e.replace(tzinfo=None)) <= timedelta(seconds=1) for e in expected):
            return
    raise student.crashed_or(f"{TASK}.ctime_not_printed", finished,
                             expected=ctime_of(expected[0]), got=text(finished.stdout))
