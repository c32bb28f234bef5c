"""Laboratorio 9, exercise 1: a UDP date/time server on port 21567 that answers about half
of the requests, chosen at random, and prints a line for each one it discards.

One probe, shared by the checks that judge it: N one-shot requests from N sockets, sent in
order, then a single wait window for every reply (it ends early once the line has been quiet
for a moment). The statistics are in the grader, on the replies its own sockets received.
"""

from __future__ import annotations

import math
import re
import selectors
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise

from harness.checks.lab9.common import judge_port
from harness.checks.student import Student
from harness.checks.support import Probe, say, show

TASK = "lab9.udp_time_server"
N = 200
LOW, HIGH = 70, 130  # two-sided binomial interval: false-fail 1.4e-5 for a fair coin
Z_MAX = 3.89  # runs test: two-sided 1e-4
WINDOW = 2.0
QUIET = 1.0
TICK = 0.05
CLOCK_SLACK = timedelta(seconds=5)
DISCARD = re.compile(r"descart|discard|drop", re.IGNORECASE)


@dataclass
class DropProbe:
    pattern: list[int]
    """1 when request i (in send order) got a reply."""
    replies: list[bytes]
    stdout: str
    asked_port: int | None
    sent_at: datetime

    @property
    def count(self) -> int:
        return sum(self.pattern)

    def evidence(self) -> dict[str, object]:
        z = runs_z(self.pattern)
        return {"n": N, "replies": self.count, "interval": [LOW, HIGH],
                "z": None if z is None else round(z, 2),
                "pattern": "".join(map(str, self.pattern))}


def runs_z(pattern: list[int]) -> float | None:
    """Wald–Wolfowitz runs test statistic; None when one symbol never occurs."""
    n1 = sum(pattern)
    n0 = len(pattern) - n1
    if n1 == 0 or n0 == 0:
        return None
    runs = 1 + sum(1 for a, b in pairwise(pattern) if a != b)
    n = n0 + n1
    mean = 2 * n0 * n1 / n + 1
    var = 2 * n0 * n1 * (2 * n0 * n1 - n) / (n * n * (n - 1))
    return (runs - mean) / math.sqrt(var) if var > 0 else None


def run_probe(student: Student) -> DropProbe:
    server = student.serve("udp")
    sel = selectors.DefaultSelector()
    socks = []
    try:
        sent_at = datetime.now()
        for i in range(N):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(("127.0.0.1", 0))
            s.setblocking(False)
            socks.append(s)
            sel.register(s, selectors.EVENT_READ, i)
            s.sendto(f"hora {i}".encode(), server.address)
        pattern = [0] * N
        replies: list[bytes] = []
        end = time.monotonic() + WINDOW
        quiet_until = time.monotonic() + WINDOW
        # one window for every reply; it closes early once each request is accounted for (a
        # reply, or the server's own discard line), or when the line has been quiet for a
        # while (a server that does not log its discards)
        while sum(pattern) + discard_lines(server.child.output()) < N:
            now = time.monotonic()
            wait = min(end, quiet_until) - now
            if wait <= 0:
                break
            if collect(sel, pattern, replies, min(wait, TICK)):
                quiet_until = time.monotonic() + QUIET
        collect(sel, pattern, replies, 0)  # whatever already arrived counts
        finished = server.child.stop()
        return DropProbe(pattern, replies, finished.stdout, server.asked_port, sent_at)
    finally:
        sel.close()
        for s in socks:
            s.close()


def collect(sel: selectors.BaseSelector, pattern: list[int], replies: list[bytes],
            wait: float) -> bool:
    """Read the replies ready within ``wait`` seconds; True when any arrived."""
    ready = sel.select(wait)
    for key, _ in ready:
        try:
            data = key.fileobj.recv(65536)  # type: ignore[union-attr]
        except OSError:
            continue
        if not pattern[key.data]:
            pattern[key.data] = 1
            replies.append(data)
    return bool(ready)


def discard_lines(stdout: str) -> int:
    return sum(1 for line in stdout.splitlines() if DISCARD.search(line))


def shared(student: Student) -> DropProbe:
    return student.cached("drop", lambda: run_probe(student))


def test_starts(student: Student, probe: Probe) -> None:
    judge_port(student.serve("udp"), probe)


FORMATS = (
    (re.compile(r"\b[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}\b"),
     lambda s: datetime.strptime(" ".join(s.split()), "%a %b %d %H:%M:%S %Y")),
    (re.compile(r"\b\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?"),
     lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))),
    (re.compile(r"\b\d\d/\d\d/\d{4},? \d\d:\d\d:\d\d\b"),
     lambda s: datetime.strptime(s.replace(",", ""), "%d/%m/%Y %H:%M:%S")),
)


def parse_datetime(text: str) -> datetime | None:
    for pattern, parse in FORMATS:
        match = pattern.search(text)
        if match:
            try:
                return parse(match.group(0))
            except ValueError:
                continue
    return None


def close_to_now(when: datetime, ref: datetime) -> bool:
    if when.tzinfo is not None:
        return abs(when - ref.astimezone()) <= CLOCK_SLACK
    utc_now = datetime.now(UTC).replace(tzinfo=None)
    return abs(when - ref) <= CLOCK_SLACK or abs(when - utc_now) <= CLOCK_SLACK


def test_replies_are_datetime(student: Student, probe: Probe) -> None:
    p = shared(student)
    probe.note(replies_sample=[show(r) for r in p.replies[:5]],
               expected=say("evidence.datetime_formats"))
    if not p.replies:
        raise probe.fail("lab9.udp_time_server.no_replies", n=N)
    for reply in p.replies:
        text = reply.decode("utf-8", errors="replace")
        when = parse_datetime(text)
        if when is None:
            raise probe.fail("lab9.udp_time_server.not_datetime", got=show(reply))
        if not close_to_now(when, p.sent_at):
            raise probe.fail("lab9.udp_time_server.wrong_time", got=show(reply),
                             now=p.sent_at.strftime("%d/%m/%Y %H:%M:%S"))


def test_drop_rate(student: Student, probe: Probe) -> None:
    p = shared(student)
    probe.note(drop=p.evidence())
    probe.expect(LOW <= p.count <= HIGH, "lab9.udp_time_server.drop_rate", n=N,
                 replies=p.count, low=LOW, high=HIGH)


def test_drops_random(student: Student, probe: Probe) -> None:
    p = shared(student)
    probe.note(drop=p.evidence())
    z = runs_z(p.pattern)
    if z is None:
        raise probe.fail("lab9.udp_time_server.no_variation", n=N, replies=p.count)
    probe.expect(abs(z) <= Z_MAX, "lab9.udp_time_server.not_random", z=round(z, 2),
                 zmax=Z_MAX)


def test_logs_discards(student: Student, probe: Probe) -> None:
    p = shared(student)
    lines = discard_lines(p.stdout)
    dropped = N - p.count
    probe.note(drop=p.evidence(), stdout="\n".join(p.stdout.splitlines()[:40]),
               discard_lines=lines, expected=say("evidence.discard_lines", n=dropped))
    probe.expect(lines == dropped, "lab9.udp_time_server.discard_lines",
                 lines=lines, dropped=dropped, n=N, replies=p.count)
