"""The time a course function printed (``time.ctime``) instead of returning it, compared
with the time the grader's fake served for this run.

Message keys are per task (``<TASK>.<name>``): each helper takes the task id of its caller.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path

from harness.api import Probe, quoted

CTIME = re.compile(r"[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}")
LOCALTIME = Path("/etc/localtime")


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


def expected_ctime(unix_time: float) -> str:
    return ctime_of(datetime.fromtimestamp(unix_time, child_zone()))


def ctime_printed(stdout: str, unix_time: float) -> bool:
    """``stdout`` shows ``time.ctime`` of ``unix_time`` (local zone or UTC; one second
    either way: a float a hair under the whole second prints the one before)."""
    expected = [datetime.fromtimestamp(unix_time, tz) for tz in (child_zone(), UTC)]
    for line in CTIME.findall(stdout):
        try:
            shown = datetime.strptime(" ".join(line.split()), "%a %b %d %H:%M:%S %Y")
        except ValueError:
            continue
        if any(abs(shown - e.replace(tzinfo=None)) <= timedelta(seconds=1) for e in expected):
            return True
    return False


def judge_printed_time(printed: str, probe: Probe, course: str, unix_time: float,
                       task: str) -> None:
    """The course's function (``print_time()``, ``sntp_client()``) prints ``ctime`` of the
    time it got instead of returning it: the grader's time, chosen for this run, must be in
    its printout."""
    probe.note(function=f"{course}()", printed=quoted(printed),
               expected=expected_ctime(unix_time))
    probe.expect(ctime_printed(printed, unix_time), f"{task}.time_not_printed",
                 func=f"{course}()", expected=expected_ctime(unix_time), got=quoted(printed))
