"""Receta 18: an HTTP server on port 8080 built on sockets, answering an HTML page with the
seconds it has been up.

- ``status_200_html``: one whole request; a ``200`` status line and an HTML content type;
- ``uptime_grows``: two requests ``GAP`` seconds apart (a deliberate gap, measured with the
  monotonic clock: the growth of the uptime over it is the property under test); the page's
  number must grow, by no more than the time that passed, and stay within the server's real
  age. When nothing grew yet (an uptime shown in whole seconds), one more request a second
  later decides;
- ``reads_all_headers``: the request is sent in small fragments with short gaps; no byte may
  come back before the blank line that ends the headers, and a response must come after it;
- ``serves_many``: several requests in a row, each on its own connection, each answered.

Only ``status_200_html`` judges the status line and headers: a server that answers the page
alone (the course's ``http_servidor.py``) is judged on its uptime, its reading and its loop
by the page it sends.
"""

from __future__ import annotations

import re
import select
import socket
import string
import time
from dataclasses import dataclass

from harness.api import (
    WINDOW,
    Deadline,
    Probe,
    Server,
    Student,
    connect,
    recv_until,
    say,
    show,
    tcp_ask,
    token,
)

TASK = "recipes.r18_http_server"
GAP = 0.3
"""Seconds between the two requests of ``uptime_grows``."""
SECOND_CHANCE = 1.0
"""Further wait for a third request when an uptime in whole seconds did not change yet."""
FRAGMENT_GAP = 0.05
"""Seconds the grader listens for an early answer after each fragment of the request."""
MANY = 5
STATUS_200 = re.compile(rb"^HTTP/1\.[01] 200\b")
NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def request_lines(tag: str) -> list[bytes]:
    return [b"GET / HTTP/1.1\r\n", b"Host: localhost:8080\r\n", b"User-Agent: labgrade\r\n",
            b"Accept: text/html\r\n", f"X-Labgrade-Probe: {tag}\r\n".encode(), b"\r\n"]


def probe_tag() -> str:
    """The per-request value of ``X-Labgrade-Probe``: letters only. ``uptime_grows`` compares
    the numbers of two pages place by place, and a page may show the request it answers; with
    digits in the tag (two draws in three) such a page had numbers that came and went with the
    draw, which shifted the uptime's place (a correct server failed) or made a frozen one seem
    to grow."""
    return token(6, string.ascii_letters)


def request_bytes() -> bytes:
    return b"".join(request_lines(probe_tag()))


@dataclass
class Reply:
    raw: bytes
    early: int | None = None
    """Index of the fragment after which bytes (or EOF) came back before the request was
    complete; None when nothing came early."""

    @property
    def is_http(self) -> bool:
        """It starts with a status line (``HTTP/1.x``): head and body are separate."""
        return self.raw.lstrip().startswith(b"HTTP/")

    @property
    def head(self) -> bytes:
        if not self.is_http:
            return b""
        return re.split(rb"\r?\n\r?\n", self.raw, maxsplit=1)[0]

    @property
    def body(self) -> bytes:
        """The page: what follows the headers, or everything when there is no status line
        (the course's server sends the HTML alone: judged by ``status_200_html`` only)."""
        if not self.is_http:
            return self.raw
        parts = re.split(rb"\r?\n\r?\n", self.raw, maxsplit=1)
        return parts[1] if len(parts) > 1 else b""

    def header(self, name: str) -> str | None:
        for line in self.head.split(b"\n")[1:]:
            key, sep, value = line.decode("latin-1").partition(":")
            if sep and key.strip().lower() == name.lower():
                return value.strip()
        return None


def get_page(address: tuple[str, int], probe: Probe) -> Reply | None:
    """One whole request (``tcp_ask``); the response is read until the server closes, its
    ``Content-Length`` is complete, or the window ends. None when the connection failed."""
    raw = tcp_ask(address, request_bytes(), probe, done=response_complete)
    return None if raw is None else Reply(raw)


def response_complete(data: bytes) -> bool:
    """The blank line after the headers came and, with a ``Content-Length``, the whole body
    (without one, the response ends when the server closes)."""
    _head, sep, body = data.partition(b"\r\n\r\n")
    length = (Reply(data).header("Content-Length") or "").strip() if sep else ""
    return length.isdigit() and len(body) >= int(length)


def send_in_fragments(address: tuple[str, int], fragments: list[bytes], gap: float,
                      window: float = WINDOW) -> Reply | None:
    """Send the fragments ``gap`` seconds apart, watching for an early answer in each gap,
    then read the response as :func:`get_page` does. The API's exchanges send a payload
    whole; this probe is about what the server does before the request is whole. None when
    the connection failed."""
    try:
        sock = connect(address, window)
    except OSError:
        return None
    with sock:
        early = None
        for i, fragment in enumerate(fragments):
            try:
                sock.sendall(fragment)
            except OSError:
                early = i
                break
            if gap and i < len(fragments) - 1 and select.select([sock], [], [], gap)[0]:
                early = i
                break
        return Reply(read_response(sock, Deadline(window)), early)


def read_response(sock: socket.socket, deadline: Deadline) -> bytes:
    data = recv_until(sock, deadline, until=b"\r\n\r\n")
    _head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        return data  # closed, or the window ended, before the blank line
    length = (Reply(data).header("Content-Length") or "").strip()
    if not length.isdigit():
        return data + recv_until(sock, deadline)  # no length: until the server closes
    missing = int(length) - len(body)
    return data if missing <= 0 else data + recv_until(sock, deadline, want=missing)


def note_reply(probe: Probe, reply: Reply | None, who: str = "student") -> None:
    probe.received(reply.raw if reply is not None else None, who)


def test_status_200_html(student: Student, probe: Probe) -> None:
    server = student.serve("tcp")
    reply = get_page(server.address, probe)
    probe.note(expected="HTTP/1.1 200 OK … Content-Type: text/html …")
    if reply is None or not reply.raw:
        raise probe.fail(f"{TASK}.no_response")
    status = reply.raw.lstrip().split(b"\n", 1)[0].rstrip(b"\r")
    probe.expect(bool(STATUS_200.match(status)), f"{TASK}.not_200", got=show(status))
    content_type = reply.header("Content-Type")
    probe.expect(content_type is not None and "text/html" in content_type.lower(),
                 f"{TASK}.not_html", got=show(content_type or "(ninguna)"))
    probe.expect(bool(reply.body.strip()), f"{TASK}.empty_body")


def uptimes(reply: Reply | None) -> list[float]:
    """The numbers in the page's text (tags removed; a decimal comma is read as a point)."""
    if reply is None:
        return []
    text = re.sub(r"<[^>]*>", " ", reply.body.decode("utf-8", "replace"))
    return [float(n.replace(",", ".")) for n in NUMBER.findall(text)]


def grew(before: list[float], after: list[float], elapsed: float, age: float) -> bool:
    """A number at the same place in both pages that grew, by no more than the time that
    passed between the requests, and that is no larger than the server's real age."""
    return any(0 <= a < b <= age + 1.0 and b - a <= elapsed + 1.0
               for a, b in zip(before, after, strict=False))


def test_uptime_grows(student: Student, probe: Probe) -> None:
    server = student.serve("tcp")
    started = time.monotonic()
    first = get_page(server.address, probe)
    before = uptimes(first)
    if not before:
        raise probe.fail(f"{TASK}.no_uptime", got=show(first.body if first else None, 300))
    seen = [before]
    for wait_until in (started + GAP, started + GAP + SECOND_CHANCE):
        time.sleep(max(0.0, wait_until - time.monotonic()))  # the gap under test
        reply = get_page(server.address, probe)
        after = uptimes(reply)
        seen.append(after)
        age = time.monotonic() - server.child.started
        probe.note(numbers_in_pages=seen, gap_s=round(time.monotonic() - started, 3),
                   expected=say("recipes.evidence.uptime_grows"))
        if grew(before, after, time.monotonic() - started, age):
            return
    raise probe.fail(f"{TASK}.uptime_frozen", first=show(str(before)), later=show(str(seen[-1])),
                     gap=round(time.monotonic() - started, 1))


def test_reads_all_headers(student: Student, probe: Probe) -> None:
    server = student.serve("tcp")
    lines = request_lines(probe_tag())
    fragments = [lines[0][:8], lines[0][8:], *lines[1:]]  # "GET / HT" | "TP/1.1\r\n" | ...
    probe.note(fragment_gap_ms=FRAGMENT_GAP * 1000)
    for fragment in fragments:
        probe.sent(fragment, "grader")
    reply = send_in_fragments(server.address, fragments, FRAGMENT_GAP)
    note_reply(probe, reply)
    probe.note(expected=say("recipes.evidence.answer_after_blank_line"))
    if reply is None:
        raise probe.fail(f"{TASK}.no_response")
    if reply.early is not None:
        sent = b"".join(fragments[:reply.early + 1])
        key = "answered_early" if reply.raw else "closed_early"
        raise probe.fail(f"{TASK}.{key}", sent=show(sent), got=show(reply.raw, 120))
    # any answer counts here (its status line is status_200_html's concern)
    probe.expect(bool(reply.raw.strip()), f"{TASK}.no_answer_after_headers",
                 got=show(reply.raw[:200]))


def test_serves_many(student: Student, probe: Probe) -> None:
    server: Server = student.serve("tcp")
    for n in range(1, MANY + 1):
        reply = get_page(server.address, probe)
        if reply is None or not reply.raw.strip():  # any answer: its form is judged apart
            raise probe.fail(f"{TASK}.request_not_served", n=n, total=MANY)
    probe.note(served=MANY)
