"""What checks use to judge: the probe (evidence and verdicts) and small socket helpers.

Free of pytest: the plugin turns a :class:`CheckFailed` into a failed, scored result.
All judging happens here, in the grader, on bytes the grader's own sockets saw and on
values the grader chose for this run.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import secrets
import socket
import string
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from harness.sandbox import sockdiag
from harness.sandbox.runner import Finished

Address = tuple[str, int]


class CheckFailed(Exception):
    """The student's program does not do what the check judges. ``key`` names a message in
    the catalogue (``harness/i18n/<lang>/*.json``); ``params`` fill it."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


def show(data: bytes | str | None, limit: int = 600) -> str:
    """Bytes as an escaped, printable, bounded string (``b'..'`` without the ``b''``)."""
    if data is None:
        return "—"
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    text = repr(data[:limit])[2:-1]
    return text + (f"… (+{len(data) - limit} B)" if len(data) > limit else "")


def excerpt(text: str, limit: int = 2000) -> str:
    """At most ``limit`` characters of a program's output: its start and its end (where a
    traceback says what went wrong), with ``… (+N) …`` on a line of its own between them."""
    if len(text) <= limit:
        return text
    head = limit // 4
    return f"{text[:head]}\n… (+{len(text) - limit}) …\n{text[-(limit - head):]}"


def token(n: int = 8, alphabet: str = string.ascii_letters + string.digits, *,
          mixed_case: bool = False) -> str:
    """A random word chosen for this run, so hard-coded output cannot pass.

    ``mixed_case``: with at least one upper-case and one lower-case letter, so a program that
    changes the case of what it was given (``url.lower()``, ``data.upper()``) never sends it
    back unchanged (6 letters and digits have no upper-case letter one draw in 26)."""
    if mixed_case and (n < 2 or alphabet.lower() == alphabet or alphabet.upper() == alphabet):
        raise ValueError(f"token: no mixed-case word of {n} characters of {alphabet!r}")
    while True:
        word = "".join(secrets.choice(alphabet) for _ in range(n))
        if not mixed_case or word.lower() != word != word.upper():
            return word


def say(key: str, **params: Any) -> dict[str, Any]:
    """Evidence text in the student's language: a catalogue key the engine renders (the
    grading run does not know the language; the report may be made in either)."""
    return {"__t__": key, "params": params}


class Probe:
    """Collects the evidence of one check and raises its verdict."""

    def __init__(self, check_id: str) -> None:
        self.check_id = check_id
        self.evidence: dict[str, Any] = {}

    def note(self, **items: Any) -> None:
        self.evidence.update(items)

    def exchange(self, direction: str, data: bytes | str | None, peer: str = "") -> None:
        self.evidence.setdefault("exchanges", []).append(
            {"dir": direction, "peer": peer, "data": show(data)})

    def sent(self, data: bytes | str, peer: str = "") -> None:
        self.exchange("sent", data, peer)

    def received(self, data: bytes | str | None, peer: str = "") -> None:
        self.exchange("received", data, peer)

    def output(self, finished: Finished) -> None:
        """Attach what the program printed and how it ended."""
        self.evidence["stdout"] = excerpt(finished.stdout)
        if finished.stderr:
            self.evidence["stderr"] = excerpt(finished.stderr)
        self.evidence["exit"] = {"code": finished.exit_code, "signal": finished.signal,
                                 "timed_out": finished.timed_out and not finished.stopped}

    def fail(self, key: str, **params: Any) -> CheckFailed:
        """Build the failure (``raise probe.fail(...)``) so control flow stays visible."""
        return CheckFailed(key, **params)

    def expect(self, ok: bool, key: str, **params: Any) -> None:
        if not ok:
            raise CheckFailed(key, **params)


class Deadline:
    """One shared time window for several operations (never one timeout per request)."""

    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        return max(0.0, self.end - time.monotonic())

    @property
    def expired(self) -> bool:
        return self.left() <= 0


def connect(address: Address, timeout: float) -> socket.socket:
    """:func:`socket.create_connection` without the kernel's self-connection.

    A student's server listens on a port of the ephemeral range (the virtual network binds
    it to port 0). Once that server has ended, the grader's own connection may be given the
    freed port as its local one and connect to itself: it would read back what it sent, as
    if a server had answered. That is refused, with the error a closed port gives."""
    sock = socket.create_connection(address, timeout=timeout)
    if sock.getsockname() == sock.getpeername():
        sock.close()
        raise ConnectionRefusedError(errno.ECONNREFUSED, os.strerror(errno.ECONNREFUSED))
    return sock


def from_itself(sock: socket.socket, peer: object) -> bool:
    """A datagram the grader's UDP socket sent itself: sent to the port of a server that has
    ended, which the kernel then gave this socket (see :func:`connect`). Never a reply."""
    return peer == sock.getsockname()


def is_reply(sock: socket.socket, peer: object, address: Address,
             owner: int | None = None) -> bool:
    """Whether a datagram the grader's UDP socket received is a reply of the student's
    server at ``address``: not one the socket sent itself (:func:`from_itself`), and not a
    stray.

    The grader's sockets are bound to ports of the ephemeral range, and so are the students'
    servers and the fakes (the virtual network binds them to port 0). Whatever on this
    machine sends to a port whose owner has ended (another check's prober, a fake answering
    a client that is gone, another submission graded at the same time) reaches the socket
    the kernel gave that port next, which may be one of the grader's: a stray. A datagram
    from ``address`` is a reply. One from elsewhere (a server may answer from another socket
    of its own, and the course's clients take it) is a reply unless the kernel shows its
    sending socket held by a user other than ``owner``, the student's uid (another
    submission's, or the grader's own); without ``owner`` (no student uid: the kernel cannot
    tell the student's sockets from the grader's) and when the socket is gone, it is taken
    as one, as a client would."""
    if from_itself(sock, peer) or not isinstance(peer, tuple) or len(peer) < 2:
        return False
    if peer[1] == address[1] and _same_host(peer[0], address[0]):
        return True
    if owner is None:
        return True
    senders = [e for e in sockdiag.table("udp") or [] if e.local[1] == peer[1]]
    return not senders or any(e.uid == owner for e in senders)


def _same_host(peer: object, host: str) -> bool:
    """``peer`` (an address a datagram came from) is ``host``; a name or an unspecified
    address (``""``, ``0.0.0.0``: the server's port on this machine) matches any. An IPv4
    address matches its IPv6-mapped form."""
    if peer == host:
        return True
    try:
        wanted = _canonical(host)
    except ValueError:  # a name, or ""
        return True
    if wanted.is_unspecified:
        return True
    try:
        return _canonical(str(peer).split("%", 1)[0]) == wanted
    except ValueError:
        return False


def _canonical(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    address = ipaddress.ip_address(text)
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped if mapped is not None else address


@contextmanager
def tcp(address: Address, timeout: float = 3.0) -> Iterator[socket.socket]:
    sock = connect(address, timeout)
    try:
        yield sock
    finally:
        sock.close()


def recv_until(sock: socket.socket, deadline: Deadline, *, want: int | None = None,
               until: bytes | None = None, done: Callable[[bytes], bool] | None = None,
               limit: int = 1 << 20) -> bytes:
    """Read until ``want`` bytes, the marker ``until``, ``done(data)``, EOF, or the
    deadline."""
    data = b""
    while len(data) < limit:
        if want is not None and len(data) >= want:
            break
        if until is not None and until in data:
            break
        if done is not None and done(data):
            break
        left = deadline.left()
        if left <= 0:
            break
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except OSError:  # a timeout included
            break
        if not chunk:
            break
        data += chunk
    return data


def tcp_exchange(address: Address, payload: bytes, *, expect_len: int | None = None,
                 window: float = 2.0) -> bytes | None:
    """Connect, send ``payload`` and read the reply: ``expect_len`` bytes, or whatever
    arrives until the peer closes or the window ends. None when the connection failed."""
    deadline = Deadline(window)
    try:
        with tcp(address, timeout=deadline.left() or 0.1) as sock:
            sock.sendall(payload)
            return recv_until(sock, deadline, want=expect_len)
    except OSError:
        return None


def udp_exchange(address: Address, payload: bytes, *, window: float = 2.0,
                 sock: socket.socket | None = None,
                 owner: int | None = None) -> tuple[bytes, Address] | None:
    """Send one datagram and wait for one reply within ``window`` (a stray is no reply:
    :func:`is_reply`, with ``owner`` the student's uid, as :attr:`Server.uid` gives it)."""
    own = sock is None
    s = sock or socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        if own:
            s.bind(("127.0.0.1", 0))
        deadline = Deadline(window)
        s.sendto(payload, address)
        while True:
            s.settimeout(max(deadline.left(), 0.001))
            data, peer = s.recvfrom(65536)  # a timeout ends it
            if is_reply(s, peer, address, owner):
                return data, peer
    except OSError:
        return None
    finally:
        if own:
            s.close()


def two_udp_senders(address: Address, probe: Probe, window: float, key: str,
                    judge: Callable[[bytes, bytes], bool] | None = None, *,
                    owner: int | None = None) -> None:
    """Two clients send a datagram each before either reads; each must get the reply to its
    own (``judge(payload, reply)``, by default: the reply ends with the payload). A server
    that answers a fixed or remembered address fails with ``key``."""
    ok = judge or (lambda payload, reply: reply.endswith(payload))
    socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(2)]
    try:
        payloads = []
        for i, s in enumerate(socks):
            s.bind(("127.0.0.1", 0))
            payload = f"cliente{'AB'[i]}-{token(8)}".encode()
            payloads.append(payload)
            s.sendto(payload, address)
            probe.sent(payload, f"client_{'ab'[i]}")
        deadline = Deadline(window)
        for i, s in enumerate(socks):
            reply: bytes | None = None
            try:
                while reply is None:
                    s.settimeout(max(deadline.left(), 0.01))
                    data, peer = s.recvfrom(65536)
                    reply = data if is_reply(s, peer, address, owner) else None
            except OSError:
                reply = None
            probe.received(reply, f"client_{'ab'[i]}")
            if not reply or not ok(payloads[i], reply):
                raise CheckFailed(key, client="AB"[i], sent=show(payloads[i]), got=show(reply))
    finally:
        for s in socks:
            s.close()
