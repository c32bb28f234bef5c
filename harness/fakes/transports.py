"""The two shapes of fake: a TCP listener with a thread per connection, and a UDP receiver."""

from __future__ import annotations

import socket
import time

from harness.fakes.base import FakeServer, Peer, ignore_oserror


class TcpFake(FakeServer):
    """A listening TCP fake: one accept thread, one thread per connection."""

    backlog = 128

    def _bind(self) -> socket.socket:
        sock = self._new_socket(socket.SOCK_STREAM)
        sock.listen(self.backlog)
        return sock

    def _serve(self) -> None:
        listener = self._sock
        assert listener is not None
        while self._wait_readable(listener, None):
            try:
                conn, peer = listener.accept()
            except (BlockingIOError, InterruptedError, ConnectionAbortedError):
                continue
            with self._lock:
                stopping = self._stopping.is_set()
                if not stopping:
                    self._open.add(conn)
            if stopping or not self._spawn(
                f"connection from {peer[0]}:{peer[1]}", self._connection_main, conn, peer[:2]
            ):
                conn.close()
                return

    def _connection_main(self, conn: socket.socket, peer: Peer) -> None:
        try:
            conn.settimeout(self.io_timeout)
            self._handle_connection(conn, peer)
        except (ConnectionError, TimeoutError):
            pass  # the client went away or stalled: its behaviour, not a failure of the fake
        except OSError:
            if not self._stopping.is_set():
                raise
        finally:
            with self._lock:
                self._open.discard(conn)
            conn.close()

    def _handle_connection(self, conn: socket.socket, peer: Peer) -> None:
        raise NotImplementedError

    def _close_gracefully(self, conn: socket.socket, linger: float = 1.0) -> None:
        """Send FIN, then drain what the client still sends so that closing sends no RST."""
        ignore_oserror(conn.shutdown, socket.SHUT_WR)
        deadline = time.monotonic() + linger
        while (remaining := deadline - time.monotonic()) > 0:
            if not self._wait_readable(conn, remaining):
                return
            try:
                if not conn.recv(65536):
                    return
            except OSError:
                return


class UdpFake(FakeServer):
    """A UDP fake: one thread receives datagrams and handles them in order."""

    def _bind(self) -> socket.socket:
        return self._new_socket(socket.SOCK_DGRAM)

    def _serve(self) -> None:
        sock = self._sock
        assert sock is not None
        while self._wait_readable(sock, None):
            try:
                data, peer = sock.recvfrom(65535)
            except (BlockingIOError, InterruptedError, ConnectionResetError):
                continue  # Windows reports an earlier ICMP "port unreachable" here
            try:
                self._handle_datagram(sock, data, peer[:2])
            except Exception as exc:
                self._record_error(f"datagram from {peer[0]}:{peer[1]}", exc)

    def _handle_datagram(self, sock: socket.socket, data: bytes, peer: Peer) -> None:
        raise NotImplementedError
