"""A TCP server that resets every connection, so the client sees ``ConnectionResetError``."""

from __future__ import annotations

import socket
import struct
import time

from harness.fakes.base import Peer, ignore_oserror
from harness.fakes.transports import TcpFake


class ResetServer(TcpFake):
    """Accepts, reads whatever the client sends for a moment, then aborts with a TCP RST.

    The read phase lasts until ``quiet`` seconds pass without new bytes after the first ones,
    or ``wait`` seconds pass with nothing at all. Closing with ``SO_LINGER(1, 0)`` sends RST
    instead of FIN, so the client's next ``recv``/``send`` fails with ``ECONNRESET``.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        wait: float = 2.0,
        quiet: float = 0.05,
    ) -> None:
        super().__init__(host, port)
        self.wait = wait
        self.quiet = quiet
        self.received: list[bytes] = []
        """Bytes read on each connection before the reset, in accept order."""
        self.resets = 0
        """Number of connections already reset."""

    def wait_for_connections(self, n: int, timeout: float = 5.0) -> bool:
        """Wait until ``n`` connections have been reset; False on timeout."""
        return self._wait_for(lambda: self.resets >= n, timeout)

    def _clear_records(self) -> None:
        self.received.clear()
        self.resets = 0

    def _handle_connection(self, conn: socket.socket, peer: Peer) -> None:
        with self._cond:
            index = len(self.received)
            self.received.append(b"")
        data = b""
        deadline = time.monotonic() + self.wait
        try:
            while (remaining := deadline - time.monotonic()) > 0:
                if not self._wait_readable(conn, remaining):
                    break
                chunk = conn.recv(65536)
                if not chunk:
                    break
                data += chunk
                deadline = time.monotonic() + self.quiet
        finally:
            abort = struct.pack("ii", 1, 0)  # linger on, timeout 0: close() sends RST
            ignore_oserror(conn.setsockopt, socket.SOL_SOCKET, socket.SO_LINGER, abort)
            conn.close()
            with self._cond:
                self.received[index] = data
                self.resets += 1
                self._cond.notify_all()
