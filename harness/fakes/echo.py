"""Echo servers over TCP and UDP that answer ``prefix + data`` (plain echo with ``b""``).

Both take an optional ``transform`` applied to the data before it goes back (a check that
must see the client print what *came back*, when the client's message is fixed, answers a
per-run variant of it: same length, so a client reading "as many bytes as it sent" works).
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

from harness.fakes.base import Peer
from harness.fakes.transports import TcpFake, UdpFake


class TcpEchoServer(TcpFake):
    """For each chunk received on a connection, sends back ``prefix + chunk``.

    A connection stays open until the client closes it or is silent for ``idle_timeout``.
    With ``piece``, the answer goes out in pieces of that many bytes, ``delay`` seconds
    apart, so a client that calls ``recv()`` once gets only the first piece.
    """

    def __init__(
        self,
        prefix: bytes = b"Resp: ",
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        idle_timeout: float = 5.0,
        piece: int | None = None,
        delay: float = 0.0,
        transform: Callable[[bytes], bytes] | None = None,
    ) -> None:
        super().__init__(host, port)
        self.transform = transform
        if piece is not None and piece <= 0:
            raise ValueError(f"piece must be a positive number of bytes, not {piece}")
        self.prefix = prefix
        self.idle_timeout = idle_timeout
        self.piece = piece
        self.delay = delay
        self.connections: list[bytes] = []
        """All bytes received on each connection, in accept order (growing while it is open)."""
        self.peers: list[Peer] = []
        """The client address of each connection, in accept order."""
        self.ended = 0
        """Number of connections that have ended (their entry in ``connections`` is final)."""

    def wait_for_connections(self, n: int, timeout: float = 5.0) -> bool:
        """Wait until ``n`` connections have *ended*, so their records are complete."""
        return self._wait_for(lambda: self.ended >= n, timeout)

    def _clear_records(self) -> None:
        self.connections.clear()
        self.peers.clear()
        self.ended = 0

    def _handle_connection(self, conn: socket.socket, peer: Peer) -> None:
        with self._cond:
            index = len(self.connections)
            self.connections.append(b"")
            self.peers.append(peer)
            self._cond.notify_all()
        try:
            while self._wait_readable(conn, self.idle_timeout):
                chunk = conn.recv(65536)
                if not chunk:
                    break
                with self._cond:
                    self.connections[index] += chunk
                    self._cond.notify_all()
                answer = self.prefix + (self.transform(chunk) if self.transform else chunk)
                step = self.piece or len(answer)
                for start in range(0, len(answer), step):
                    if start and self._stopping.wait(self.delay):
                        return
                    conn.sendall(answer[start:start + step])
        finally:
            with self._cond:
                self.ended += 1
                self._cond.notify_all()


class UdpEchoServer(UdpFake):
    """Answers each datagram with ``prefix + data``, sent back to its sender."""

    def __init__(self, prefix: bytes = b"Res: ", host: str = "127.0.0.1", port: int = 0, *,
                 transform: Callable[[bytes], bytes] | None = None) -> None:
        super().__init__(host, port)
        self.prefix = prefix
        self.transform = transform
        self.datagrams: list[tuple[Peer, bytes]] = []
        """``(sender, data)`` of every datagram received, in arrival order."""
        self.received_at: list[float] = []
        """Monotonic arrival time of each datagram (same order as ``datagrams``)."""

    def wait_for_datagrams(self, n: int, timeout: float = 5.0) -> bool:
        """Wait until ``n`` datagrams have arrived; False on timeout."""
        return self._wait_for(lambda: len(self.datagrams) >= n, timeout)

    def _clear_records(self) -> None:
        self.datagrams.clear()
        self.received_at.clear()

    def _handle_datagram(self, sock: socket.socket, data: bytes, peer: Peer) -> None:
        with self._cond:
            self.datagrams.append((peer, data))
            self.received_at.append(time.monotonic())
            self._cond.notify_all()
        try:
            sock.sendto(self.prefix + (self.transform(data) if self.transform else data), peer)
        except OSError:
            pass  # e.g. a datagram too large once prefixed: the client's doing, not ours
