"""HTTP/1.x on the wire: the recorded request, a lenient head parser, response heads.

Pure functions, no sockets: the web server feeds them the bytes it received.
"""

from __future__ import annotations

import html
import re
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http import HTTPStatus
from urllib.parse import urlsplit

from harness.fakes.base import Peer

Headers = list[tuple[str, str]]
"""``(name, value)`` pairs in order."""

SERVER_NAME = "labgrade-fake"
RUN_HEADER = "X-Labgrade-Run"
MAX_HEAD = 64 * 1024
"""Longest request head accepted (answered 431 beyond)."""
MAX_BODY = 1024 * 1024
"""Largest request body accepted (answered 413 beyond)."""
_END_OF_HEAD = re.compile(rb"\r?\n\r?\n")
_LINE = re.compile(rb"\r?\n")


@dataclass(frozen=True)
class RawRequest:
    """One HTTP request exactly as it crossed the wire."""

    raw: bytes
    """Every byte received for this request: request line, headers, blank line and body."""
    method: str
    """First word of the request line (``""`` when the line is empty)."""
    target: str
    """Second word of the request line, as sent (``/path?q``, or an absolute URL)."""
    version: str
    """Third word of the request line (``HTTP/1.1``), ``""`` when missing."""
    headers: Headers
    """``(name, value)`` pairs in arrival order, names as sent, values stripped."""
    peer: Peer
    """The client's address."""
    body: bytes = b""
    """The body announced by ``Content-Length`` (also included in ``raw``)."""
    connection: int = 0
    """Index of the connection it arrived on, in accept order (0 for the first)."""
    received_at: float = field(default_factory=time.time)
    """Wall-clock time at which the request was complete."""

    def header(self, name: str, default: str | None = None) -> str | None:
        """The value of the first header called ``name`` (case-insensitive), else ``default``."""
        wanted = name.lower()
        return next((v for n, v in self.headers if n.lower() == wanted), default)

    @property
    def path(self) -> str:
        """The target without query string; an absolute-form target is reduced to its path."""
        target = self.target
        if "://" in target:
            target = urlsplit(target).path or "/"
        return target.split("?", 1)[0]


@dataclass(frozen=True)
class Head:
    """A parsed request head, and how to read what follows it."""

    end: int
    """Offset just past the blank line that ends the head."""
    method: str
    target: str
    version: str
    headers: Headers
    body_size: int
    """Bytes of body to read after ``end`` (0 when ``problem`` is set)."""
    problem: int | None
    """Status to answer instead of serving (400, 413, 501), or None when well-formed."""


def parse_head(buffer: bytes) -> Head | None:
    """Parse the request head at the start of ``buffer``; None until its blank line arrived.

    Lenient like real servers: empty lines before the request line are skipped, a bare ``\\n``
    ends a line as well as ``\\r\\n``, folded lines are joined, lines without ``:`` ignored.
    """
    skip = len(buffer) - len(buffer.lstrip(b"\r\n"))
    end = _END_OF_HEAD.search(buffer, skip)
    if end is None:
        return None
    lines = _LINE.split(buffer[skip : end.start()])
    words = lines[0].decode("latin-1").split()
    method, target, version = [*words, "", "", ""][:3]
    headers: Headers = []
    for line in (raw.decode("latin-1") for raw in lines[1:]):
        if line[:1] in (" ", "\t") and headers:  # obsolete line folding
            headers[-1] = (headers[-1][0], f"{headers[-1][1]} {line.strip()}")
        elif ":" in line:
            name, _, value = line.partition(":")
            headers.append((name.strip(), value.strip()))
    problem = None if len(words) == 3 and version.startswith("HTTP/") else 400
    size = 0
    lengths = {v for n, v in headers if n.lower() == "content-length"}
    if any(n.lower() == "transfer-encoding" for n, _ in headers):
        problem = problem or 501
    elif lengths:
        value = lengths.pop()
        size = int(value) if value.isdigit() and not lengths else -1
        problem = problem or (400 if size < 0 else 413 if size > MAX_BODY else None)
    body_size = size if problem is None else 0
    return Head(end.end(), method, target, version, headers, body_size, problem)


def wants_keep_alive(request: RawRequest) -> bool:
    """HTTP/1.1 keeps the connection unless ``close``; HTTP/1.0 only with ``keep-alive``."""
    tokens = {
        token.strip().lower()
        for name, value in request.headers
        if name.lower() == "connection"
        for token in value.split(",")
    }
    if "close" in tokens:
        return False
    return request.version == "HTTP/1.1" or "keep-alive" in tokens


def merge_headers(defaults: Headers, extra: Headers) -> Headers:
    """``defaults`` with each header of ``extra`` replacing the one of the same name, or added."""
    merged = list(defaults)
    for name, value in extra:
        same = [i for i, (n, _) in enumerate(merged) if n.lower() == name.lower()]
        if same:
            merged[same[0]] = (name, value)
        else:
            merged.append((name, value))
    return merged


def response_head(status: int, headers: Headers) -> bytes:
    """Status line, headers and blank line, CRLF-terminated."""
    lines = [status_line(status), *(f"{name}: {value}" for name, value in headers)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def standard_headers(content_type: str, length: int, run_token: str) -> Headers:
    """The headers every response of the fake carries."""
    return [
        ("Date", formatdate(usegmt=True)),
        ("Server", SERVER_NAME),
        ("Content-Type", content_type),
        ("Content-Length", str(length)),
        (RUN_HEADER, run_token),
    ]


def status_line(status: int) -> str:
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Unknown"
    return f"HTTP/1.1 {status} {reason}"


def error_page(status: int, request: RawRequest) -> bytes:
    title = status_line(status)[9:]
    target = html.escape(request.target or "(no target)")
    return (
        f"<!DOCTYPE html>\n<html><head><title>{title}</title></head>\n"
        f"<body><h1>{title}</h1><p>{html.escape(request.method)} {target}</p></body></html>\n"
    ).encode()
