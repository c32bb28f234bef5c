"""Laboratorio 9, exercise 1: a UDP date/time server on port 21567 that answers about half
of the requests, chosen at random, and prints a line for each one it discards.

One probe, shared by the checks that judge it: batches of one-shot requests (one socket each,
sent in order, one wait window per batch) until the sequential test of :mod:`stats` decides.
A batch's window closes once every request is accounted for, or once the server has gone
quiet; quiet by its own doing (:meth:`Server.held_up`), never because a busy machine kept it
from running.
The statistics are in the grader, on the replies its own sockets received; the server's discard
lines only close a batch's window early. A server that crashes or ends during the probe is told
so (with its error line) by every check that needed the probe.
"""

from __future__ import annotations

import functools
import re
import selectors
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from harness.api import (
    CheckFailed,
    Probe,
    Server,
    Student,
    abnormal_end,
    is_reply,
    say,
    show,
)

from .common import judge_port
from .stats import BATCH, RUNS_Z_MAX, Randomness, RateState, randomness

TASK = "lab9.udp_time_server"
WINDOW = 5.0
"""One wait window per batch: it closes once every request of the batch is accounted for (a
reply, or one of the server's own discard lines), or when neither a reply nor a discard line
came for ``QUIET`` (a server that does not log its discards, or has gone silent) and the
server is not held up (nothing unread in its socket, no process of it waiting for a CPU)."""
QUIET = 1.0
TICK = 0.05
CLOCK_SLACK = timedelta(seconds=5)
DISCARD = re.compile(r"descart|discard|drop", re.IGNORECASE)


@dataclass
class DropProbe:
    pattern: list[int]
    """1 when request i (in send order) got a reply."""
    replies: list[tuple[bytes, datetime]]
    """Each reply with the grader's clock when it arrived (a probe may last many seconds)."""
    stdout: str
    asked_port: int | None
    ended: CheckFailed | None
    """Why the server stopped serving during the probe (its crash, or its exit), if it did."""

    @property
    def n(self) -> int:
        return len(self.pattern)

    @property
    def count(self) -> int:
        return sum(self.pattern)

    @property
    def rate(self) -> RateState:
        return RateState(self.n, self.n - self.count)

    @functools.cached_property
    def randomness(self) -> Randomness:
        return randomness(self.pattern)

    @functools.cached_property
    def _evidence(self) -> dict[str, object]:
        return {**self.rate.evidence(), "replies": self.count, **self.randomness.evidence(),
                "pattern": "".join(map(str, self.pattern))[:1000]}

    def evidence(self) -> dict[str, object]:
        """The probe's statistics, for the report (worked out once: three checks show them)."""
        return dict(self._evidence)

    def judge_ended(self, probe: Probe) -> None:
        """A server that crashed or ended during the probe: that is the cause to name."""
        if self.ended is not None:
            raise self.ended


def run_probe(student: Student) -> DropProbe:
    """Batches of one-shot requests (one socket each) until the sequential test decides."""
    server = student.serve("udp")
    pattern: list[int] = []
    replies: list[tuple[bytes, datetime]] = []
    while RateState(len(pattern), len(pattern) - sum(pattern)).verdict() is None:
        got, answers = one_batch(server, len(pattern))
        pattern += got
        replies += answers
        if not server.child.alive:
            break
    finished = server.child.stop()
    ended = None
    if not finished.stopped:
        ended = abnormal_end(finished, student.file) or CheckFailed(
            "lab9.udp_time_server.ended", file=student.file, n=len(pattern),
            code=finished.exit_code)
    return DropProbe(pattern, replies, finished.stdout, server.asked_port, ended)


def one_batch(server: Server, first: int) -> tuple[list[int], list[tuple[bytes, datetime]]]:
    """Send :data:`BATCH` requests from as many sockets and wait one window for them all."""
    sel = selectors.DefaultSelector()
    socks = []
    discards = DiscardCounter()
    lines_before = discards.count(server.child.output())
    try:
        for i in range(BATCH):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(("127.0.0.1", 0))
            s.setblocking(False)
            socks.append(s)
            sel.register(s, selectors.EVENT_READ, i)
            if not server.child.alive:  # its port may be another program's by now
                continue
            try:
                s.sendto(f"hora {first + i}".encode(), server.address)
            except OSError:
                pass  # nobody listening any more: no reply, as UDP does
        pattern = [0] * BATCH
        replies: list[tuple[bytes, datetime]] = []
        end = time.monotonic() + WINDOW
        quiet_until = time.monotonic() + QUIET
        accounted = 0
        while (done := sum(pattern) + discards.count(server.child.output()) - lines_before) \
                < BATCH:
            now = time.monotonic()
            if done > accounted:  # the server is still working through the batch
                accounted = done
                quiet_until = now + QUIET
            if now >= end or not server.child.alive:
                break
            if now >= quiet_until:
                if not server.held_up():  # asleep, nothing unread: quiet by its own doing
                    break
                quiet_until = now + TICK  # the machine keeps it from running: look again
            collect(sel, server.address, pattern, replies,
                    min(end, quiet_until, now + TICK) - now, owner=server.uid)
        collect(sel, server.address, pattern, replies, 0, owner=server.uid)  # already come
        return pattern, replies
    finally:
        sel.close()
        for s in socks:
            s.close()


def collect(sel: selectors.BaseSelector, address: tuple[str, int], pattern: list[int],
            replies: list[tuple[bytes, datetime]], wait: float, *,
            owner: int | None = None) -> bool:
    """Read the replies of the server at ``address`` (its user ``owner``) ready within
    ``wait`` seconds (a stray is none, see :func:`is_reply`); True when any datagram
    arrived."""
    ready = sel.select(wait)
    for key, _ in ready:
        sock: socket.socket = key.fileobj  # type: ignore[assignment]
        try:
            data, peer = sock.recvfrom(65536)
        except OSError:
            continue
        if not is_reply(sock, peer, address, owner):  # its own, or a stray: no reply
            continue
        if not pattern[key.data]:
            pattern[key.data] = 1
            replies.append((data, datetime.now()))
    return bool(ready)


def discard_lines(stdout: str) -> int:
    """The lines of ``stdout`` that name a discard."""
    return sum(1 for line in stdout.splitlines() if DISCARD.search(line))


def discard_mentions(stdout: str) -> int:
    """Every mention of a discard in ``stdout``, however many share a line. Where a server's
    threads print at once, Python's ``print`` (the text, then the newline: two writes, and
    ``sys.stdout`` is not thread-safe) runs their messages together on one line
    (``...descartadoMensaje de ... descartado``) and may even lose a newline: the lines then
    undercount the messages, and the mentions count them."""
    return len(DISCARD.findall(stdout))


class DiscardCounter:
    """:func:`discard_lines` of an output that only grows, reading each complete line once:
    a batch's wait loop looks at the server's whole output every time a reply arrives, and
    counting every line again each time was most of the probe's own CPU."""

    def __init__(self) -> None:
        self._done = 0
        """How much of the output is complete lines already counted."""
        self._lines = 0

    def count(self, stdout: str) -> int:
        if len(stdout) < self._done:  # not the output seen before: count it afresh
            self._done = self._lines = 0
        end = stdout.rfind("\n", self._done) + 1  # after '\n' no line boundary is cut
        if end > self._done:
            self._lines += discard_lines(stdout[self._done:end])
            self._done = end
        return self._lines + discard_lines(stdout[self._done:])  # the line still being written


def shared(student: Student) -> DropProbe:
    return student.cached("drop", lambda: run_probe(student))


def test_starts(student: Student, probe: Probe) -> None:
    judge_port(student.serve("udp"), probe)


FORMATS = (
    (re.compile(r"\b[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}\b"),
     lambda s: datetime.strptime(" ".join(s.split()), "%a %b %d %H:%M:%S %Y")),
    (re.compile(r"\b\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?"),
     lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))),
    # day, month and hour with or without a leading zero: f"{d.day}/{d.month}/..." is the
    # same format, and a verdict must not depend on the day it is given
    (re.compile(r"\b\d{1,2}/\d{1,2}/\d{4},? \d{1,2}:\d\d:\d\d\b"),
     lambda s: datetime.strptime(s.replace(",", ""), "%d/%m/%Y %H:%M:%S")),
)


@functools.lru_cache(maxsize=64)
def parse_datetime(text: str) -> datetime | None:
    """The date and time in a reply (one of :data:`FORMATS`), or None. Cached: the hundreds
    of replies of a probe are a few texts, one per second it lasts."""
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
    utc_ref = ref.astimezone(UTC).replace(tzinfo=None)  # a server that answers in UTC
    return abs(when - ref) <= CLOCK_SLACK or abs(when - utc_ref) <= CLOCK_SLACK


def test_replies_are_datetime(student: Student, probe: Probe) -> None:
    p = shared(student)
    probe.note(replies_sample=[show(r) for r, _at in p.replies[:5]],
               expected=say("lab9.evidence.datetime_formats"))
    if not p.replies:
        p.judge_ended(probe)
        raise probe.fail("lab9.udp_time_server.no_replies", n=p.n)
    for reply, arrived in p.replies:
        text = reply.decode("utf-8", errors="replace")
        when = parse_datetime(text)
        if when is None:
            raise probe.fail("lab9.udp_time_server.not_datetime", got=show(reply))
        if not close_to_now(when, arrived):
            raise probe.fail("lab9.udp_time_server.wrong_time", got=show(reply),
                             now=arrived.strftime("%d/%m/%Y %H:%M:%S"))


def test_drop_rate(student: Student, probe: Probe) -> None:
    p = shared(student)
    probe.note(drop=p.evidence())
    p.judge_ended(probe)
    state = p.rate
    probe.expect(state.verdict() == "pass", "lab9.udp_time_server.drop_rate", n=p.n,
                 replies=p.count, drops=state.drops,
                 percent=round(100 * state.drops / max(state.n, 1), 1))


def test_drops_random(student: Student, probe: Probe) -> None:
    p = shared(student)
    probe.note(drop=p.evidence())
    p.judge_ended(probe)
    verdict = p.randomness
    if verdict.failed == "no_variation":
        raise probe.fail("lab9.udp_time_server.no_variation", n=p.n, replies=p.count)
    if verdict.failed == "runs":
        raise probe.fail("lab9.udp_time_server.not_random", z=round(verdict.z or 0.0, 2),
                         zmax=RUNS_Z_MAX)
    if verdict.failed == "periodic":
        raise probe.fail("lab9.udp_time_server.periodic", period=verdict.lag,
                         percent=round(100 * (verdict.agreement or 0.0), 1),
                         sample=show("".join("R" if x else "-" for x in p.pattern[:48])))


def test_logs_discards(student: Student, probe: Probe) -> None:
    """One message per discarded request: a line that names the discard, or, where the
    server's threads ran their prints together, a mention (:func:`discard_mentions`); either
    count equal to the requests dropped passes, so a line that names a discard twice of its
    own (``descartado: solicitud descartada``) is one message."""
    p = shared(student)
    lines = discard_lines(p.stdout)
    mentions = discard_mentions(p.stdout)
    dropped = p.n - p.count
    probe.note(drop=p.evidence(), stdout="\n".join(p.stdout.splitlines()[:40]),
               discard_lines=lines, discard_mentions=mentions,
               expected=say("lab9.evidence.discard_lines", n=dropped))
    p.judge_ended(probe)
    if dropped == 0:
        raise probe.fail("lab9.udp_time_server.no_drops_seen", n=p.n)
    probe.expect(dropped in (lines, mentions), "lab9.udp_time_server.discard_lines",
                 lines=lines, dropped=dropped, n=p.n, replies=p.count)
