"""A fake web server that speaks raw HTTP/1.1 over sockets and records every byte it received."""

from __future__ import annotations

import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass

from harness.fakes.base import Peer
from harness.fakes.httpwire import (
    MAX_HEAD,
    Headers,
    RawRequest,
    error_page,
    merge_headers,
    parse_head,
    response_head,
    standard_headers,
    wants_keep_alive,
)
from harness.fakes.transports import TcpFake

Handler = Callable[[RawRequest], tuple[int, Headers, bytes]]
"""A dynamic route: ``fn(request) -> (status, headers, body)``."""


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
        """Serve ``body`` at ``path`` (GET and HEAD); ``path="*"`` serves every path that has
        no route of its own.

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
        while (head := parse_head(buffer)) is None:
            if len(buffer) > MAX_HEAD:
                return RawRequest(buffer, "", "", "", [], peer, b"", index), 431, b""
            data = self._recv_more(conn, peer, buffer)
            if data is None:
                return None, None, b""
            buffer += data
        body_end = head.end + head.body_size
        while len(buffer) < body_end:
            data = self._recv_more(conn, peer, buffer)
            if data is None:
                return None, None, b""
            buffer += data
        request = RawRequest(
            buffer[:body_end],
            head.method,
            head.target,
            head.version,
            head.headers,
            peer,
            buffer[head.end : body_end],
            index,
        )
        return request, head.problem, buffer[body_end:]

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

    def _respond(self, conn: socket.socket, request: RawRequest, problem: int | None) -> bool:
        """Send the response; returns whether the connection stays open."""
        keep_alive = problem is None and wants_keep_alive(request)
        route = (self._routes.get(request.target) or self._routes.get(request.path)
                 or self._routes.get("*"))
        extra: Headers = []
        static = Route(b"")
        if problem is not None:
            status, body = problem, error_page(problem, request)
        elif callable(route):
            try:
                status, extra, body = route(request)
            except Exception as exc:
                self._record_error(f"handler for {request.path}", exc)
                status, body, keep_alive = 500, error_page(500, request), False
        elif route is None:
            status, body = 404, error_page(404, request)
        elif request.method not in ("GET", "HEAD"):
            status, body, extra = 405, error_page(405, request), [("Allow", "GET, HEAD")]
        else:
            static, status, body = route, route.status, route.body
            keep_alive = keep_alive and not route.close
        standard = standard_headers(static.content_type, len(body), self.run_token)
        headers = merge_headers(standard, extra)
        connection = [v.lower() for n, v in headers if n.lower() == "connection"]
        if any("close" in v for v in connection):
            keep_alive = False
        elif not connection and not keep_alive:
            headers.append(("Connection", "close"))
        elif not connection and request.version == "HTTP/1.0":
            headers.append(("Connection", "keep-alive"))
        head = response_head(status, headers)
        if request.method == "HEAD":
            body = b""
        if static.chunk_size is None or not body:
            conn.sendall(head + body)
            return keep_alive
        conn.sendall(head)
        for start in range(0, len(body), static.chunk_size):
            if start and self._stopping.wait(static.chunk_delay):
                return False
            conn.sendall(body[start : start + static.chunk_size])
        return keep_alive
