"""A fake web server that speaks raw HTTP/1.1 over sockets and records every byte it received."""

from __future__ import annotations

import html
import re
import secrets
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from http import HTTPStatus
from urllib.parse import urlsplit

from harness.fakes.base import Peer, TcpFake

Headers = list[tuple[str, str]]
Handler = Callable[["RawRequest"], tuple[int, Headers, bytes]]
"""A dynamic route: ``fn(request) -> (status, headers, body)``."""

SERVER_NAME = "labgrade-fake"
RUN_HEADER = "X-Labgrade-Run"
MAX_HEAD = 64 * 1024
MAX_BODY = 1024 * 1024
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
class Route:
    """A static response (see ``WebServer.set_route``)."""

    body: bytes
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    chunk_size: int | None = None
    chunk_delay: float = 0.0
    close: bool = False


class WebServer(TcpFake):
    """A raw-socket HTTP/1.1 server with keep-alive, static and dynamic routes, and a run token.

    Every response carries ``Date``, ``Server: labgrade-fake``, ``Content-Type``,
    ``Content-Length`` and ``X-Labgrade-Run: <run_token>``.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        idle_timeout: float = 5.0,
        run_token: str | None = None,
        io_timeout: float = 10.0,
    ) -> None:
        super().__init__(host, port, io_timeout=io_timeout)
        self.idle_timeout = idle_timeout
        """Seconds a kept-alive connection may stay silent before the server closes it."""
        self.run_token = run_token if run_token is not None else secrets.token_hex(8)
        """Value of the ``X-Labgrade-Run`` header in every response, random per instance."""
        self.requests: list[RawRequest] = []
        """Every complete request, in arrival order."""
        self.incomplete: list[tuple[Peer, bytes]] = []
        """Bytes that never formed a complete request (client closed or went idle first)."""
        self.connections = 0
        """Number of connections accepted."""
        self._routes: dict[str, Route | Handler] = {}

    def set_route(
        self,
        path: str,
        body: bytes,
        status: int = 200,
        *,
        content_type: str = "text/html; charset=utf-8",
        chunk_size: int | None = None,
        chunk_delay: float = 0.0,
        close: bool = False,
    ) -> None:
        """Serve ``body`` at ``path`` (GET and HEAD).

        With ``chunk_size`` the body goes out in pieces of that size, ``chunk_delay`` seconds
        apart (still with ``Content-Length``). With ``close`` the server closes the connection
        after the body, whatever the client asked.
        """
        if chunk_size is not None and chunk_size <= 0:
            raise ValueError(f"chunk_size must be a positive number of bytes, not {chunk_size}")
        self._routes[path] = Route(
            bytes(body), status, content_type, chunk_size, chunk_delay, close
        )

    def set_handler(self, path: str, fn: Handler) -> None:
        """Answer any method at ``path`` with ``fn(request) -> (status, headers, body)``.

        Headers ``fn`` returns replace the defaults of the same name. An exception in ``fn`` is
        answered with a 500 and re-raised by ``check_errors()``/``stop()``.
        """
        self._routes[path] = fn

    def url_for(self, path: str = "/") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def wait_for_requests(self, n: int, timeout: float = 5.0) -> bool:
        """Wait until at least ``n`` complete requests have arrived; False on timeout."""
        return self._wait_for(lambda: len(self.requests) >= n, timeout)

    def _clear_records(self) -> None:
        self.requests.clear()
        self.incomplete.clear()
        self.connections = 0

    # ------------------------------------------------------------------ serving

    def _handle_connection(self, conn: socket.socket, peer: Peer) -> None:
        with self._cond:
            index = self.connections
            self.connections += 1
            self._cond.notify_all()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        buffer = b""
        while True:
            request, problem, buffer = self._read_request(conn, peer, index, buffer)
            if request is None:
                return
            with self._cond:
                self.requests.append(request)
                self._cond.notify_all()
            if not self._respond(conn, request, problem):
                self._close_gracefully(conn)
                return

    def _read_request(
        self, conn: socket.socket, peer: Peer, index: int, buffer: bytes
    ) -> tuple[RawRequest | None, int | None, bytes]:
        """Read one request; returns ``(request, error status or None, leftover bytes)``."""
        while True:
            skip = len(buffer) - len(buffer.lstrip(b"\r\n"))  # tolerated empty lines before it
            end = _END_OF_HEAD.search(buffer, skip)
            if end is not None:
                break
            if len(buffer) > MAX_HEAD:
                return self._bare_request(buffer, peer, index), 431, b""
            data = self._recv_more(conn, peer, buffer)
            if data is None:
                return None, None, b""
            buffer += data
        lines = _LINE.split(buffer[skip : end.start()])
        words = lines[0].decode("latin-1").split()
        method, target, version = [*words, "", "", ""][:3]
        headers: Headers = []
        for line in (ln.decode("latin-1") for ln in lines[1:]):
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
        head_end = end.end()
        while problem is None and len(buffer) < head_end + size:
            data = self._recv_more(conn, peer, buffer)
            if data is None:
                return None, None, b""
            buffer += data
        body_end = head_end + (size if problem is None else 0)
        request = RawRequest(
            buffer[:body_end],
            method,
            target,
            version,
            headers,
            peer,
            buffer[head_end:body_end],
            index,
        )
        return request, problem, buffer[body_end:]

    def _recv_more(self, conn: socket.socket, peer: Peer, buffer: bytes) -> bytes | None:
        """Receive more bytes; on idle timeout, stop or EOF record the leftovers, None."""
        try:
            if self._wait_readable(conn, self.idle_timeout) and (data := conn.recv(65536)):
                return data
        except ConnectionError:
            pass
        if buffer.strip(b"\r\n"):
            with self._cond:
                self.incomplete.append((peer, buffer))
                self._cond.notify_all()
        return None

    def _bare_request(self, raw: bytes, peer: Peer, index: int) -> RawRequest:
        return RawRequest(raw, "", "", "", [], peer, b"", index)

    def _respond(self, conn: socket.socket, request: RawRequest, problem: int | None) -> bool:
        """Send the response; returns whether the connection stays open."""
        keep_alive = problem is None and _wants_keep_alive(request)
        extra: Headers = []
        route = self._routes.get(request.target) or self._routes.get(request.path)
        chunk_size, chunk_delay = None, 0.0
        if problem is not None:
            status, content_type, body = problem, None, _error_page(problem, request)
        elif callable(route):
            try:
                status, extra, body = route(request)
                content_type = None
            except Exception as exc:
                self._record_error(f"handler for {request.path}", exc)
                status, content_type, body = 500, None, _error_page(500, request)
                keep_alive = False
        elif route is None:
            status, content_type, body = 404, None, _error_page(404, request)
        elif request.method not in ("GET", "HEAD"):
            status, content_type, body = 405, None, _error_page(405, request)
            extra = [("Allow", "GET, HEAD")]
        else:
            status, content_type, body = route.status, route.content_type, route.body
            chunk_size, chunk_delay = route.chunk_size, route.chunk_delay
            keep_alive = keep_alive and not route.close
        if any(n.lower() == "connection" and "close" in v.lower() for n, v in extra):
            keep_alive = False
        headers: Headers = [
            ("Date", formatdate(usegmt=True)),
            ("Server", SERVER_NAME),
            ("Content-Type", content_type or "text/html; charset=utf-8"),
            ("Content-Length", str(len(body))),
            (RUN_HEADER, self.run_token),
        ]
        for name, value in extra:
            same = [i for i, (n, _) in enumerate(headers) if n.lower() == name.lower()]
            if same:
                headers[same[0]] = (name, value)
            else:
                headers.append((name, value))
        if not any(n.lower() == "connection" for n, _ in headers):
            if not keep_alive:
                headers.append(("Connection", "close"))
            elif request.version == "HTTP/1.0":
                headers.append(("Connection", "keep-alive"))
        head = _status_line(status) + "".join(f"{n}: {v}\r\n" for n, v in headers) + "\r\n"
        if request.method == "HEAD":
            body = b""
        if chunk_size is None or not body:
            conn.sendall(head.encode("latin-1") + body)
            return keep_alive
        conn.sendall(head.encode("latin-1"))
        for start in range(0, len(body), chunk_size):
            if start and self._stopping.wait(chunk_delay):
                return False
            conn.sendall(body[start : start + chunk_size])
        return keep_alive


def _wants_keep_alive(request: RawRequest) -> bool:
    tokens = {
        t.strip().lower()
        for n, v in request.headers
        if n.lower() == "connection"
        for t in v.split(",")
    }
    if "close" in tokens:
        return False
    if request.version == "HTTP/1.1":
        return True
    return "keep-alive" in tokens


def _status_line(status: int) -> str:
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Unknown"
    return f"HTTP/1.1 {status} {reason}\r\n"


def _error_page(status: int, request: RawRequest) -> bytes:
    title = _status_line(status)[9:].strip()
    target = html.escape(request.target or "(no target)")
    return (
        f"<!DOCTYPE html>\n<html><head><title>{title}</title></head>\n"
        f"<body><h1>{title}</h1><p>{html.escape(request.method)} {target}</p></body></html>\n"
    ).encode()
