"""Tests of the local fakes, with real sockets on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import struct
import threading
import time

import ntplib
import pytest
import requests

from harness.errors import HarnessError
from harness.fakes import (
    BASE_TIME,
    RUN_HEADER,
    FakeError,
    IssApi,
    NtpServer,
    RawRequest,
    ResetServer,
    TcpEchoServer,
    UdpEchoServer,
    WebServer,
)

TIMEOUT = 5.0


def connect(server: WebServer | TcpEchoServer | ResetServer) -> socket.socket:
    sock = socket.create_connection(server.address, timeout=TIMEOUT)
    return sock


def read_until_close(sock: socket.socket) -> bytes:
    data = b""
    while chunk := sock.recv(4096):
        data += chunk
    return data


def read_response(
    sock: socket.socket, head_only: bool = False
) -> tuple[bytes, dict[str, str], bytes]:
    """Read one response framed by Content-Length: (status line, headers, body)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        assert chunk, f"server closed before the end of the headers: {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status, *lines = head.decode("latin-1").split("\r\n")
    headers = {n.lower(): v.strip() for n, _, v in (line.partition(":") for line in lines)}
    size = 0 if head_only else int(headers["content-length"])
    while len(body) < size:
        chunk = sock.recv(4096)
        assert chunk, "server closed before the end of the body"
        body += chunk
    assert len(body) == size, f"extra bytes after the body: {body[size:]!r}"
    return status.encode(), headers, body


# ---------------------------------------------------------------------------- web server


def test_get_with_raw_socket_records_exact_bytes() -> None:
    with WebServer() as server:
        server.set_route("/hola", "<p>¡Hola!</p>".encode())
        raw = b"GET /hola HTTP/1.1\r\nHost: example.org\r\nX-A: 1\r\nConnection: close\r\n\r\n"
        with connect(server) as sock:
            sock.sendall(raw)
            reply = read_until_close(sock)
        assert server.wait_for_requests(1, TIMEOUT)
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    for name in (
        b"Date: ",
        b"Server: labgrade-fake",
        b"Content-Type: text/html; charset=utf-8",
        f"Content-Length: {len(body)}".encode(),
        b"Connection: close",
        f"{RUN_HEADER}: {server.run_token}".encode(),
    ):
        assert name in head
    assert body.decode() == "<p>¡Hola!</p>"
    [request] = server.requests
    assert request.raw == raw
    assert (request.method, request.target, request.version) == ("GET", "/hola", "HTTP/1.1")
    assert request.headers == [("Host", "example.org"), ("X-A", "1"), ("Connection", "close")]
    assert request.header("HOST") == "example.org"
    assert request.header("missing") is None
    assert request.peer[0] == "127.0.0.1"
    assert server.connections == 1


def test_head_has_get_headers_and_no_body() -> None:
    with WebServer() as server:
        server.set_route("/", b"x" * 1234)
        with connect(server) as sock:
            sock.sendall(b"HEAD / HTTP/1.1\r\nHost: h\r\n\r\n")
            status, headers, body = read_response(sock, head_only=True)
            # keep-alive: the next request on the same connection gets its own response
            sock.sendall(b"HEAD /missing HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
            rest = read_until_close(sock)
    assert status == b"HTTP/1.1 200 OK"
    assert headers["content-length"] == "1234"
    assert headers[RUN_HEADER.lower()] == server.run_token
    assert body == b""
    assert rest.startswith(b"HTTP/1.1 404 Not Found\r\n")
    assert rest.endswith(b"\r\n\r\n")  # headers only, no body


def test_requests_client_get_head_and_404() -> None:
    with WebServer(run_token="tok123") as server:
        server.set_route("/page", b"<h1>ok</h1>", content_type="text/html")
        got = requests.get(server.url_for("/page?x=1"), timeout=TIMEOUT)
        head = requests.head(server.url_for("/page"), timeout=TIMEOUT)
        missing = requests.get(server.url_for("/nope"), timeout=TIMEOUT)
    assert got.status_code == 200 and got.text == "<h1>ok</h1>"
    assert got.headers[RUN_HEADER] == "tok123" == server.run_token
    assert head.status_code == 200 and head.headers["Content-Length"] == "11"
    assert head.content == b""
    assert missing.status_code == 404 and "/nope" in missing.text
    assert [r.target for r in server.requests] == ["/page?x=1", "/page", "/nope"]
    assert server.requests[0].path == "/page"


def test_keep_alive_serves_two_requests_then_close_closes() -> None:
    with WebServer() as server:
        server.set_route("/", b"one body")
        with connect(server) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
            first = read_response(sock)
            sock.sendall(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
            second = read_response(sock)
            sock.sendall(b"GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
            third = read_response(sock)
            assert sock.recv(1) == b""  # the server closed after the third response
    assert first[2] == second[2] == third[2] == b"one body"
    assert "connection" not in first[1]
    assert third[1]["connection"] == "close"
    assert server.connections == 1
    assert [r.connection for r in server.requests] == [0, 0, 0]


def test_idle_keep_alive_connection_is_closed_after_idle_timeout() -> None:
    with WebServer(idle_timeout=0.2) as server:
        server.set_route("/", b"x")
        with connect(server) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
            read_response(sock)
            started = time.monotonic()
            assert sock.recv(1) == b""
            assert time.monotonic() - started < 2.0


def test_http10_without_keep_alive_is_closed_and_with_keep_alive_is_kept() -> None:
    with WebServer() as server:
        server.set_route("/", b"x")
        with connect(server) as sock:
            sock.sendall(b"GET / HTTP/1.0\r\n\r\n")
            assert read_until_close(sock).endswith(b"\r\n\r\nx")
        with connect(server) as sock:
            sock.sendall(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            _, headers, _ = read_response(sock)
            assert headers["connection"] == "keep-alive"
            sock.sendall(b"GET / HTTP/1.0\r\n\r\n")
            read_response(sock)
            assert sock.recv(1) == b""


def test_fragmented_request_with_bare_newlines_is_recorded_exactly() -> None:
    fragments = [b"GE", b"T /frag HT", b"TP/1.1\nHo", b"st: a\n", b"X-Long: ", b"yes\n", b"\n"]
    with WebServer() as server:
        server.set_route("/frag", b"done")
        with connect(server) as sock:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            for fragment in fragments:
                sock.sendall(fragment)
                time.sleep(0.02)  # to make separate segments, not to wait for readiness
            _, _, body = read_response(sock)
    assert body == b"done"
    [request] = server.requests
    assert request.raw == b"".join(fragments)
    assert request.headers == [("Host", "a"), ("X-Long", "yes")]


def test_request_body_is_read_by_content_length() -> None:
    raw = b"POST /h HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"
    with WebServer() as server:
        server.set_handler("/h", lambda r: (201, [("X-Seen", r.body.decode())], b""))
        with connect(server) as sock:
            sock.sendall(raw)
            status, headers, _ = read_response(sock)
    assert status == b"HTTP/1.1 201 Created" and headers["x-seen"] == "hello"
    assert server.requests[0].raw == raw


def test_incomplete_request_is_recorded_when_the_client_closes() -> None:
    with WebServer() as server:
        with connect(server) as sock:
            sock.sendall(b"HEAD / HTTP/1.1\r\nHost: h\r\n")  # no blank line
            sock.shutdown(socket.SHUT_WR)
            assert read_until_close(sock) == b""  # the server recorded, then closed
    assert server.requests == []
    assert [raw for _, raw in server.incomplete] == [b"HEAD / HTTP/1.1\r\nHost: h\r\n"]


def test_pipelined_and_absolute_form_requests_are_answered_in_order() -> None:
    with WebServer() as server:
        server.set_route("/a", b"A")
        server.set_route("/b", b"B")
        with connect(server) as sock:
            sock.sendall(
                b"GET http://example.org/a?x HTTP/1.1\r\nHost: example.org\r\n\r\n"
                b"GET /b HTTP/1.1\r\nHost: example.org\r\nConnection: close\r\n\r\n"
            )
            replies = read_until_close(sock)  # both responses, then the close
    first, second = replies.split(b"HTTP/1.1 200 OK\r\n")[1:]
    assert first.endswith(b"\r\n\r\nA") and second.endswith(b"\r\n\r\nB")
    assert [r.path for r in server.requests] == ["/a", "/b"]
    assert server.requests[0].raw.endswith(b"\r\n\r\n") and server.requests[1].raw.startswith(
        b"GET /b"
    )


def test_bad_request_line_gets_400() -> None:
    with WebServer() as server, connect(server) as sock:
        sock.sendall(b"hello\r\n\r\n")
        assert read_until_close(sock).startswith(b"HTTP/1.1 400 Bad Request\r\n")


def test_chunked_delayed_utf8_body_is_read_fully_by_read_until_close_client() -> None:
    unit = "ñandú €uro 日本 "
    text = unit * (60 * 1024 // len(unit.encode()) + 1)
    body = text.encode()
    assert 60 * 1024 <= len(body) < 61 * 1024
    with WebServer() as server:
        server.set_route("/big", body, chunk_size=1024, chunk_delay=0.002, close=True)
        with connect(server) as sock:
            sock.sendall(b"GET /big HTTP/1.0\r\nHost: h\r\n\r\n")
            reply = read_until_close(sock)
    head, _, received = reply.partition(b"\r\n\r\n")
    assert f"Content-Length: {len(body)}".encode() in head
    assert b"Connection: close" in head
    assert received.decode("utf-8") == text


def test_reset_server_gives_connection_reset() -> None:
    with ResetServer() as server:
        with connect(server) as sock:
            sock.sendall(b"GET /file HTTP/1.0\r\n\r\n")
            with pytest.raises(ConnectionResetError):
                read_until_close(sock)
        assert server.wait_for_connections(1, TIMEOUT)
    assert server.received == [b"GET /file HTTP/1.0\r\n\r\n"]


def test_handler_error_is_reraised_by_check_errors_once() -> None:
    def broken(request: RawRequest) -> tuple[int, list[tuple[str, str]], bytes]:
        raise ValueError("boom")

    with WebServer() as server:
        server.set_handler("/broken", broken)
        reply = requests.get(server.url_for("/broken"), timeout=TIMEOUT)
        assert reply.status_code == 500
        with pytest.raises(FakeError, match="ValueError: boom") as info:
            server.check_errors()
        assert isinstance(info.value, HarnessError)
        assert isinstance(info.value.__cause__, ValueError)
        server.check_errors()  # already reported
    assert [type(e) for e in server.errors] == [ValueError]


def test_handler_error_is_reraised_by_stop() -> None:
    server = WebServer()
    server.start()
    server.set_handler("/", lambda r: (200, [], 1 / 0))  # type: ignore[arg-type,return-value]
    requests.get(server.url_for("/"), timeout=TIMEOUT)
    with pytest.raises(FakeError, match="ZeroDivisionError"):
        server.stop()
    server.stop()  # idempotent, nothing left to report


def test_port_before_start_is_a_usage_error_and_stop_is_idempotent() -> None:
    server = WebServer()
    with pytest.raises(FakeError, match="call start"):
        _ = server.port
    server.stop()
    server.start()
    with pytest.raises(FakeError, match="already running"):
        server.start()
    server.stop()
    server.stop()
    assert not server.is_running


def test_stop_is_prompt_with_idle_and_slow_connections() -> None:
    server = WebServer()
    server.start()
    server.set_route("/slow", b"x" * 10, chunk_size=1, chunk_delay=10.0)
    idle, slow = connect(server), connect(server)
    try:
        idle.sendall(b"GET /nope HTTP/1.1\r\n\r\n")
        read_response(idle)
        slow.sendall(b"GET /slow HTTP/1.1\r\n\r\n")
        assert slow.recv(4096).startswith(b"HTTP/1.1 200")
        started = time.monotonic()
        server.stop()
        assert time.monotonic() - started < 1.0
    finally:
        idle.close()
        slow.close()
    assert not [t for t in threading.enumerate() if t.name.startswith("WebServer-")]


# ---------------------------------------------------------------------------- NTP


def test_ntp_default_time_is_far_from_now() -> None:
    server = NtpServer()
    assert BASE_TIME < server.unix_time < BASE_TIME + 3650 * 86400 + 86400
    assert abs(server.unix_time - time.time()) > 365 * 86400


def test_ntplib_client_gets_the_chosen_time() -> None:
    with NtpServer(unix_time=1_234_567_890.25) as server:
        stats = ntplib.NTPClient().request("127.0.0.1", version=3, port=server.port)
    assert abs(stats.tx_time - 1_234_567_890.25) < 1e-3
    assert (stats.version, stats.mode, stats.stratum) == (3, 4, 2)
    [(_, raw)] = server.packets
    assert len(raw) == 48 and raw[0] & 0x7 == 3
    assert server.answered == 1


def test_hand_written_sntp_client_gets_the_chosen_time() -> None:
    with NtpServer() as server, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(TIMEOUT)
        sock.sendto(b"\x1b" + 47 * b"\0", server.address)
        data, source = sock.recvfrom(1024)
    assert source == server.address
    assert len(data) == 48
    assert data[0] & 0x7 == 4 and (data[0] >> 3) & 0x7 == 3
    assert abs(struct.unpack("!12I", data)[10] - 2208988800 - server.unix_time) < 1e-3


def test_ntp_ignores_but_records_other_packets() -> None:
    with NtpServer() as server:
        with (
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as junk,
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as good,
        ):
            good.settimeout(TIMEOUT)
            junk.sendto(b"what time is it?", server.address)
            junk.sendto(b"\x1c" + 47 * b"\0", server.address)  # mode 4: not a client
            good.sendto(b"\x23" + 47 * b"\0", server.address)  # version 4, mode 3
            data, _ = good.recvfrom(1024)
            assert (data[0] >> 3) & 0x7 == 4
            junk.setblocking(False)
            with pytest.raises(BlockingIOError):
                junk.recv(1024)
    assert [raw[:4] for _, raw in server.packets] == [b"what", b"\x1c\0\0\0", b"\x23\0\0\0"]
    assert server.answered == 1


# ---------------------------------------------------------------------------- JSON API


def test_iss_api_positions_are_strings_and_change_per_request() -> None:
    with IssApi(seed=7) as api:
        documents = [requests.get(api.url_for(), timeout=TIMEOUT).json() for _ in range(5)]
        raw = requests.get(api.url_for(), timeout=TIMEOUT)
    assert raw.headers["Content-Type"] == "application/json"
    assert raw.headers[RUN_HEADER] == api.run_token
    positions = []
    for document in documents:
        assert document["message"] == "success"
        assert isinstance(document["timestamp"], int)
        lat, lon = document["iss_position"]["latitude"], document["iss_position"]["longitude"]
        assert isinstance(lat, str) and isinstance(lon, str)
        assert len(lat.split(".")[1]) == 4 and len(lon.split(".")[1]) == 4
        assert -51.6 <= float(lat) <= 51.6 and -180 <= float(lon) <= 180
        positions.append((float(lat), float(lon)))
    assert len(set(positions)) == 5
    assert api.served[:5] == positions
    assert len(api.served) == 6


def test_iss_api_is_deterministic_from_seed() -> None:
    sequences = []
    for _ in range(2):
        with IssApi(seed=42) as api:
            body = requests.get(api.url_for(), timeout=TIMEOUT).content
            sequences.append((json.loads(body)["iss_position"], api.served))
    assert sequences[0] == sequences[1]


# ---------------------------------------------------------------------------- echo


@pytest.mark.parametrize("prefix", [b"Resp: ", b""])
def test_tcp_echo_server(prefix: bytes) -> None:
    with TcpEchoServer(prefix=prefix) as server:
        for message in ("hola", "¿qué tal? ñ"):
            with connect(server) as sock:
                sock.sendall(message.encode())
                expected = prefix + message.encode()
                reply = b""
                while len(reply) < len(expected):
                    reply += sock.recv(4096)
                assert reply == expected
        assert server.wait_for_connections(2, TIMEOUT)
    assert server.connections == [b"hola", "¿qué tal? ñ".encode()]


@pytest.mark.parametrize("prefix", [b"Res: ", b""])
def test_udp_echo_server(prefix: bytes) -> None:
    with UdpEchoServer(prefix=prefix) as server:
        with (
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as one,
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as two,
        ):
            one.settimeout(TIMEOUT)
            two.settimeout(TIMEOUT)
            one.sendto(b"uno", server.address)
            two.sendto("dós".encode(), server.address)
            assert one.recvfrom(1024) == (prefix + b"uno", server.address)
            assert two.recvfrom(1024) == (prefix + "dós".encode(), server.address)
        assert server.wait_for_datagrams(2, TIMEOUT)
    assert [data for _, data in server.datagrams] == [b"uno", "dós".encode()]
    assert server.datagrams[0][0] != server.datagrams[1][0]


def test_clear_forgets_records() -> None:
    with UdpEchoServer() as server, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(TIMEOUT)
        sock.sendto(b"x", server.address)
        sock.recvfrom(1024)
        server.clear()
        assert server.datagrams == []


def test_tcp_echo_in_pieces_defeats_a_single_recv() -> None:
    with TcpEchoServer(prefix=b"", piece=3, delay=0.02) as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=2) as sock:
            sock.sendall(b"abcdefgh")
            first = sock.recv(100)
            rest = b""
            while len(first + rest) < 8:
                rest += sock.recv(100)
    assert first == b"abc"
    assert first + rest == b"abcdefgh"
