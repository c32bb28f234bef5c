"""Talking to the student's programs over real sockets, with the evidence recorded.

Every exchange writes what the grader sent and what came back into the check's evidence
(``probe``), so a failed check's report shows the wire without the check saying so.
Reads never wait on a fixed sleep: they end when the reply is complete (``done``), when the
peer closes, or when one shared window ends.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from harness.checks.student import Student, abnormal_end
from harness.checks.support import (
    CheckFailed,
    Deadline,
    Probe,
    connect,
    recv_until,
    token,
    udp_exchange,
)
from harness.fakes.base import Peer
from harness.fakes.transports import TcpFake, UdpFake
from harness.sandbox.runner import Finished
from harness.vnet.rules import VNet

Address = tuple[str, int]
WINDOW = 2.0
"""Seconds a reply may take (one window per request; a correct program answers in ms)."""
CLIENT_WINDOW = 3.0
"""Seconds a client program may run before it is stopped as hanging."""

DRAIN = b"\x00labgrade-drain-"
"""The start of the marker a handler fake sends itself in ``drain()`` (never recorded)."""

Answer = Callable[[bytes], bytes | None]
"""A fake's handler: the bytes received so far (TCP: on this connection since the last
answer; UDP: one datagram) -> the answer to send, or None (TCP: wait for more; UDP: no
answer)."""


def udp_ask(address: Address, payload: bytes, probe: Probe, *, window: float = WINDOW,
            sock: socket.socket | None = None, owner: int | None = None) -> bytes | None:
    """Send one datagram to the student's server and return its reply (None: no reply in
    ``window``). ``sock``: send from this socket (e.g. to test several requests from one
    client). ``owner``: the student's uid (``server.uid``), which tells a reply from another
    program's stray datagram (:func:`is_reply`)."""
    probe.sent(payload, "grader")
    answer = udp_exchange(address, payload, window=window, sock=sock, owner=owner)
    reply = answer[0] if answer else None
    probe.received(reply, "student")
    return reply


def tcp_ask(address: Address, payload: bytes, probe: Probe, *, window: float = WINDOW,
            done: Callable[[bytes], bool] | None = None, shut_write: bool = False,
            limit: int = 1 << 20) -> bytes | None:
    """Connect to the student's server, send ``payload`` and read the reply until ``done``
    (the reply so far) is true, the server closes, or ``window`` ends. ``shut_write``: close
    the sending half after the payload (for servers that read until EOF). None when the
    connection was refused."""
    probe.sent(payload, "grader")
    deadline = Deadline(window)
    try:
        with connect(address, window) as sock:
            sock.sendall(payload)
            if shut_write:
                sock.shutdown(socket.SHUT_WR)
            reply: bytes | None = recv_until(sock, deadline, done=done, limit=limit)
    except OSError:
        reply = None
    probe.received(reply, "student")
    return reply


@dataclass
class HttpReply:
    """An HTTP response as the grader's socket read it."""

    raw: bytes
    status: int | None
    """The status code, None when the first line is not ``HTTP/1.x NNN ...``."""
    headers: dict[str, str]
    """Header names in lower case."""
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def http_request(address: Address, probe: Probe, method: str = "GET", path: str = "/", *,
                 headers: dict[str, str] | None = None, body: bytes = b"",
                 window: float = WINDOW) -> HttpReply | None:
    """Send one HTTP/1.1 request (``Connection: close``) and read the response: complete at
    ``Content-Length``, else when the server closes. None when refused or silent."""
    head = {"Host": f"localhost:{address[1]}", "Connection": "close", **(headers or {})}
    if body:
        head.setdefault("Content-Length", str(len(body)))
    request = (f"{method} {path} HTTP/1.1\r\n"
               + "".join(f"{k}: {v}\r\n" for k, v in head.items()) + "\r\n").encode() + body

    def complete(data: bytes) -> bool:
        parsed = parse_http(data)
        length = parsed.headers.get("content-length", "") if parsed else ""
        return parsed is not None and length.isdigit() and len(parsed.body) >= int(length)

    raw = tcp_ask(address, request, probe, window=window, done=complete)
    return parse_http(raw) if raw else None


def parse_http(raw: bytes) -> HttpReply | None:
    """Split a response into status, headers and body (None before the blank line)."""
    head, sep, body = raw.partition(b"\r\n\r\n")
    if not sep:
        head, sep, body = raw.partition(b"\n\n")
        if not sep:
            return None
    lines = head.decode("iso-8859-1").splitlines()
    first = lines[0].split() if lines else []
    status = int(first[1]) if len(first) >= 2 and first[0].startswith("HTTP/1.") \
        and first[1].isdigit() else None
    headers = {}
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if colon:
            headers[name.strip().lower()] = value.strip()
    return HttpReply(raw=raw, status=status, headers=headers, body=body)


class UdpServer(UdpFake):
    """Your own UDP fake: each datagram is answered with ``answer(data)`` (None: silence).
    ``datagrams`` records ``(sender, data)`` in arrival order."""

    def __init__(self, answer: Answer, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(host, port)
        self.answer = answer
        self.datagrams: list[tuple[Peer, bytes]] = []
        self._drained: set[bytes] = set()

    def wait_for_datagrams(self, n: int, timeout: float = 5.0) -> bool:
        return self._wait_for(lambda: len(self.datagrams) >= n, timeout)

    def drain(self, timeout: float = 5.0) -> bool:
        """Wait until every datagram sent to the fake before this call is recorded: a marker
        it sends itself is queued behind them (no fixed wait). False on timeout."""
        marker = DRAIN + token(12).encode()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.sendto(marker, self.address)
        return self._wait_for(lambda: marker in self._drained, timeout)

    def _clear_records(self) -> None:
        self.datagrams.clear()

    def _handle_datagram(self, sock: socket.socket, data: bytes, peer: Peer) -> None:
        if data.startswith(DRAIN):
            with self._cond:
                self._drained.add(data)
                self._cond.notify_all()
            return
        with self._cond:
            self.datagrams.append((peer, data))
            self._cond.notify_all()
        reply = self.answer(data)
        if reply is not None:
            try:
                sock.sendto(reply, peer)
            except OSError:
                pass  # a datagram too large: the client's doing


class TcpServer(TcpFake):
    """Your own TCP fake: on each connection, ``answer(received)`` is asked after every chunk
    with the bytes received since its last answer; a non-None result is sent. ``connections``
    records all bytes of each connection; ``ended`` counts finished connections. With
    ``piece``, each answer goes out in pieces of that many bytes, ``delay`` seconds apart (a
    client that calls ``recv()`` once gets only the first piece)."""

    def __init__(self, answer: Answer, host: str = "127.0.0.1", port: int = 0, *,
                 idle_timeout: float = 5.0, piece: int | None = None,
                 delay: float = 0.0) -> None:
        super().__init__(host, port)
        if piece is not None and piece <= 0:
            raise ValueError(f"piece must be a positive number of bytes, not {piece}")
        self.answer = answer
        self.idle_timeout = idle_timeout
        self.piece = piece
        self.delay = delay
        self._records: list[bytes | None] = []  # None: our own drain marker
        self._replies: list[bytes] = []  # what we sent back, per connection
        self.ended = 0
        self._accepted = 0
        self._drained: set[bytes] = set()

    @property
    def connections(self) -> list[bytes]:
        """All bytes received on each connection, in the order they started."""
        with self._cond:
            return [r for r in self._records if r is not None]

    @property
    def replies(self) -> list[bytes]:
        """All bytes answered on each connection, in the order of :attr:`connections`."""
        with self._cond:
            return [a for r, a in zip(self._records, self._replies, strict=True)
                    if r is not None]

    def wait_for_connections(self, n: int, timeout: float = 5.0) -> bool:
        """Wait until ``n`` connections have ended (their records are complete)."""
        return self._wait_for(lambda: self.ended >= n, timeout)

    def drain(self, timeout: float = 5.0) -> bool:
        """Wait until every connection made before this call has been accepted and has ended,
        so ``connections`` is complete: a marker connection is accepted after them (the accept
        queue is first in, first out), with no fixed wait. False on timeout."""
        marker = DRAIN + token(12).encode()
        with socket.create_connection(self.address, timeout=timeout) as s:
            s.sendall(marker)
        return self._wait_for(lambda: marker in self._drained and self.ended >= self._accepted,
                              timeout)

    def _clear_records(self) -> None:
        self._records.clear()
        self._replies.clear()
        self.ended = 0

    def _spawn(self, where: str, target: Callable[..., object], *args: object) -> bool:
        if target == self._connection_main:  # called by the accept loop, in accept order
            with self._cond:
                self._accepted += 1
        return super()._spawn(where, target, *args)

    def _handle_connection(self, conn: socket.socket, peer: Peer) -> None:
        with self._cond:
            index = len(self._records)
            self._records.append(b"")
            self._replies.append(b"")
            self._cond.notify_all()
        pending = received = b""
        marker = False
        try:
            while self._wait_readable(conn, self.idle_timeout):
                chunk = conn.recv(65536)
                if not chunk:
                    break
                pending += chunk
                received += chunk
                marker = received.startswith(DRAIN)  # our own: never recorded nor answered
                with self._cond:
                    self._records[index] = None if marker else received
                    if marker:
                        self._drained.add(received)
                    self._cond.notify_all()
                if marker or DRAIN.startswith(received):
                    continue  # (a prefix of the marker: wait for the rest to decide)
                reply = self.answer(pending)
                if reply is not None:
                    pending = b""
                    step = self.piece or len(reply) or 1
                    for start in range(0, len(reply), step):
                        if start and self._stopping.wait(self.delay):
                            return
                        conn.sendall(reply[start:start + step])
                        with self._cond:  # what went out, as it went
                            self._replies[index] += reply[start:start + step]
        finally:
            with self._cond:
                if marker:
                    self._accepted -= 1
                else:
                    self.ended += 1
                self._cond.notify_all()


def echo(prefix: bytes = b"", transform: Callable[[bytes], bytes] | None = None) -> Answer:
    """An echo fake's answer: ``prefix`` + what was received (through ``transform``, e.g. a
    per-run variant, when given). For :func:`run_client`, :class:`TcpServer`,
    :class:`UdpServer`."""
    return lambda data: prefix + (transform(data) if transform else data)


@dataclass
class ClientRun:
    """One run of a student client program against a grader's fake."""

    finished: Finished
    sent: list[bytes] = field(default_factory=list)
    """What the client sent: one entry per TCP connection or per UDP datagram."""
    answers: list[bytes] = field(default_factory=list)
    """What the grader's fake answered: for TCP, all it sent back on each connection (one
    entry per entry of ``sent``); for UDP, each reply in order."""
    stdin: str = ""
    file: str = ""
    proto: str = ""
    """``"tcp"`` or ``"udp"``, as asked."""
    window: float = 0.0
    """How long the run could last, as a message names it (:meth:`Student.window`)."""
    args: list[str] = field(default_factory=list)

    @property
    def stdout(self) -> str:
        return self.finished.stdout

    @property
    def first(self) -> bytes | None:
        """What the client sent first (its first connection, or its first datagram); None
        when it sent nothing."""
        return self.sent[0] if self.sent else None

    def note(self, probe: Probe) -> None:
        """Put this run's wire and output into the check's evidence."""
        probe.note(argv=[self.file, *self.args])
        if self.stdin:
            probe.note(stdin=self.stdin)
        if not self.sent:
            probe.note(sent_by_student="—")
        for i, data in enumerate(self.sent):
            probe.sent(data, "student")
            if i < len(self.answers):
                probe.received(self.answers[i], "grader")
        probe.output(self.finished)

    def ended_badly(self) -> CheckFailed | None:
        """How the program ended, when it ended badly (timeout, crash, limit)."""
        return abnormal_end(self.finished, self.file)


def run_client(student: Student, *, proto: str, host: str, port: int, answer: Answer,
               stdin: str = "", args: list[str] | None = None,
               timeout: float = CLIENT_WINDOW, vnet: VNet | None = None,
               any_host: bool = False, piece: int | None = None,
               delay: float = 0.0, probe: Probe | None = None) -> ClientRun:
    """Run the student's client to its end with ``(host, port)`` routed to a grader's fake
    that answers with ``answer`` (an echo: :func:`echo`); returns what it sent, what it got
    and how it ended. ``stdin``: what the program reads (its ``input()`` line, with its
    ``\n``). ``any_host``: every other host on ``port`` reaches the fake as well (a
    classroom address or the machine's name is routed, not refused). ``piece``/``delay``:
    a TCP fake answers in pieces (:class:`TcpServer`)."""
    answers: list[bytes] = []

    def recorded(data: bytes) -> bytes | None:
        reply = answer(data)
        if reply is not None:
            answers.append(reply)
        return reply

    fake: TcpServer | UdpServer = TcpServer(recorded, piece=piece, delay=delay) \
        if proto == "tcp" else UdpServer(recorded)
    with fake:
        rules = (vnet or VNet()).route(proto, host, port, ("127.0.0.1", fake.port))
        if any_host:
            rules = rules.route(proto, "*", port, ("127.0.0.1", fake.port))
        finished = student.run(stdin=stdin, args=args, vnet=rules, timeout=timeout,
                               probe=probe)
        fake.drain()  # what the client sent before it ended is all recorded
        if isinstance(fake, TcpServer):
            sent, answers = fake.connections, fake.replies  # one entry per connection both
        else:
            sent = [data for _, data in fake.datagrams]
    return ClientRun(finished=finished, sent=sent, answers=answers, stdin=stdin,
                     file=student.file, proto=proto, window=student.window(timeout),
                     args=list(args or []))


def run_clients(student: Student, *runs: dict[str, Any]) -> list[ClientRun]:
    """Several runs of the student's client at once, each as :func:`run_client` with those
    keyword arguments and a fake of its own: they share one window, so a client that never
    ends costs that window once, not once per run. Nothing goes into the current check's
    evidence: each check puts in the run it judges (:meth:`ClientRun.note`)."""
    if len(runs) <= 1:
        return [run_client(student, **kw, probe=Probe("")) for kw in runs]
    with ThreadPoolExecutor(len(runs), thread_name_prefix="labgrade-client") as pool:
        started = [pool.submit(run_client, student, **kw, probe=Probe("")) for kw in runs]
        return [f.result() for f in started]
