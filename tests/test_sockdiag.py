"""The kernel's socket table through sock_diag (``harness.sandbox.sockdiag``): the same facts
as ``/proc/net``, for the grader's own look at a student's server (``holds_port``) and at the
TIME_WAIT a restart probe leaves (``time_wait_on``)."""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.api import sockets
from harness.sandbox import runner, sockdiag

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")
LISTEN = 1 << sockdiag.TCP_LISTEN


def answered(entries: list[sockdiag.Entry] | None) -> list[sockdiag.Entry]:
    if entries is None:  # then the grader reads /proc: tested below with `no_sockdiag`
        pytest.skip("this kernel does not answer sock_diag (no inet_diag)")
    return entries


@pytest.fixture
def no_sockdiag(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fallback: a kernel that does not answer sock_diag."""
    monkeypatch.setattr(sockdiag, "_diag", lambda *_a, **_k: None)


@pytest.fixture
def listeners() -> Iterator[tuple[int, int]]:
    """A listening TCP socket on IPv4 and one on IPv6 loopback: their ports."""
    with socket.socket() as v4, socket.socket(socket.AF_INET6) as v6:
        v4.bind(("127.0.0.1", 0))
        v4.listen()
        v6.bind(("::1", 0))
        v6.listen()
        yield v4.getsockname()[1], v6.getsockname()[1]


def test_listening_sockets_of_both_families_with_their_owner(listeners: tuple[int, int]
                                                             ) -> None:
    entries = answered(sockdiag.table("tcp", LISTEN))
    ours = {e.local: e for e in entries if e.local[1] in listeners}
    assert set(ours) == {("127.0.0.1", listeners[0]), ("::1", listeners[1])}
    assert {e.state for e in ours.values()} == {sockdiag.TCP_LISTEN}
    assert {e.uid for e in ours.values()} == {os.geteuid()}


def test_a_listening_dump_leaves_connections_out(listeners: tuple[int, int]) -> None:
    with socket.create_connection(("127.0.0.1", listeners[0])) as client:
        port = client.getsockname()[1]
        listening = answered(sockdiag.table("tcp", LISTEN))
        everything = answered(sockdiag.table("tcp"))
    assert all(e.state == sockdiag.TCP_LISTEN for e in listening)
    assert not [e for e in listening if e.local[1] == port]
    assert [e for e in everything if e.local[1] == port
            and e.state == sockdiag.TCP_ESTABLISHED]


def test_a_bound_udp_socket() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.bind(("127.0.0.1", 0))
        port = udp.getsockname()[1]
        entries = answered(sockdiag.table("udp"))
    assert [(e.state, e.uid) for e in entries if e.local == ("127.0.0.1", port)] == \
        [(sockdiag.TCP_CLOSE, os.geteuid())]


@pytest.mark.parametrize("reader", ["sock_diag", "proc"])
def test_holds_port_both_ways(reader: str, listeners: tuple[int, int],
                              request: pytest.FixtureRequest) -> None:
    """The socket table's answer: a listening port of this uid is held, another uid's or a
    port nobody listens on is not; the same through /proc when sock_diag is not there."""
    if reader == "proc":
        request.getfixturevalue("no_sockdiag")
    me = os.geteuid()
    with socket.socket() as idle:
        idle.bind(("127.0.0.1", 0))  # bound, never listening: not a server
        idle_port = idle.getsockname()[1]
        assert runner.holds_port("tcp", listeners[0], me) is True
        assert runner.holds_port("tcp", listeners[1], me) is True
        assert runner.holds_port("tcp", listeners[0], me + 4242) is False
        assert runner.holds_port("tcp", idle_port, me) is False
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", 0))
            assert runner.holds_port("udp", udp.getsockname()[1], me) is True
            assert runner.holds_port("udp", udp.getsockname()[1], me + 4242) is False
    assert runner.holds_port("tcp", listeners[0], None) is None


@pytest.mark.parametrize("reader", ["sock_diag", "proc"])
def test_unread_datagrams_are_seen_both_ways(reader: str, request: pytest.FixtureRequest
                                             ) -> None:
    """What a UDP server has received and not read yet: the grader's look at a server that
    the machine keeps from running (:meth:`Server.held_up`)."""
    if reader == "proc":
        request.getfixturevalue("no_sockdiag")
    me = os.geteuid()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server, \
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as client:
        server.bind(("127.0.0.1", 0))
        port = server.getsockname()[1]
        assert runner.queued_at("udp", port, me) == 0
        for n in range(3):
            client.sendto(b"hora %d" % n, ("127.0.0.1", port))
        assert (runner.queued_at("udp", port, me) or 0) > 0
        assert runner.queued_at("udp", port, me + 4242) == 0  # another user's port
        for _ in range(3):
            server.recvfrom(100)
        assert runner.queued_at("udp", port, me) == 0
        assert runner.queued_at("udp", port, None) == 0


def _time_wait_port() -> int:
    """A port with a connection in TIME_WAIT on it: its server end closed first."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        client = socket.create_connection(("127.0.0.1", port))
        conn, _ = server.accept()
        conn.close()  # FIN from the server's end first
        assert client.recv(1) == b""
        client.close()
    return port


@pytest.mark.parametrize("reader", ["sock_diag", "proc"])
def test_time_wait_is_seen_on_the_servers_port(reader: str,
                                                request: pytest.FixtureRequest) -> None:
    if reader == "proc":
        request.getfixturevalue("no_sockdiag")
    port = _time_wait_port()
    entries = sockets.time_wait_on(port)
    assert entries is not None and len(entries) == 1, entries
    assert entries[0].startswith(f"127.0.0.1:{port} -> 127.0.0.1:")
    with socket.socket() as fresh:
        fresh.bind(("127.0.0.1", 0))
        assert sockets.time_wait_on(fresh.getsockname()[1]) == []


def test_without_sock_diag_the_table_comes_from_proc(monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:
    """A machine without netlink (or without inet_diag): the same rows from /proc/net,
    IPv4 and IPv6 decoded; None where /proc/net cannot be read either."""
    def refuse(*_args: object, **_kwargs: object) -> socket.socket:
        raise OSError(93, "Protocol not supported")

    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        both = answered(sockdiag.table("tcp", LISTEN))
        monkeypatch.setattr(sockdiag.socket, "socket", refuse)
        assert sockdiag._diag("tcp", LISTEN) is None
        from_proc = sockdiag.table("tcp", LISTEN)
    assert from_proc is not None
    assert [e for e in from_proc if e.local[1] == port] == \
        [e for e in both if e.local[1] == port] == \
        [sockdiag.Entry(sockdiag.TCP_LISTEN, ("127.0.0.1", port), ("0.0.0.0", 0), os.geteuid())]
    assert sockdiag.table("sctp") is None
    (tmp_path / "tcp6").write_text(
        "  sl  local_address                         remote_address                        st "
        "tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
        "   0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A "
        "00000000:00000000 00:00000000 00000000  1001        0 1 1 0 100 0 0 10 0\n",
        encoding="ascii")
    monkeypatch.setattr(sockdiag, "PROC_NET", str(tmp_path))
    assert sockdiag.table("tcp", LISTEN) == [
        sockdiag.Entry(sockdiag.TCP_LISTEN, ("::1", 8080), ("::", 0), 1001)]
    monkeypatch.setattr(sockdiag, "PROC_NET", str(tmp_path / "missing"))
    assert sockdiag.table("tcp") is None
