"""A fake NTP server over UDP that answers with a time the grader chose."""

from __future__ import annotations

import random
import socket
import struct

import ntplib

from harness.fakes.base import Peer
from harness.fakes.transports import UdpFake

NTP_PACKET_SIZE = 48
BASE_TIME = 1_000_000_000
"""2001-09-09 01:46:40 UTC: far from any real clock, so a program that ignores the fake fails."""
_REF_ID = struct.unpack("!I", socket.inet_aton("127.127.1.0"))[0]  # "local clock"


def default_unix_time() -> int:
    """``BASE_TIME`` plus a random number of days and seconds: a different time for each run."""
    return BASE_TIME + random.randrange(1, 3650) * 86400 + random.randrange(86400)


class NtpServer(UdpFake):
    """Answers 48-byte NTP client packets (mode 3) with a mode-4 packet carrying ``unix_time``.

    The receive and transmit timestamps are both ``unix_time`` (the clock does not advance),
    the originate timestamp is the request's transmit timestamp, byte for byte, stratum 2, and
    the version mirrors the request's. Other packets are recorded and not answered.
    """

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, *, unix_time: float | None = None
    ) -> None:
        super().__init__(host, port)
        self.unix_time: float = unix_time if unix_time is not None else default_unix_time()
        """The time every answer carries, in seconds since the Unix epoch."""
        self.packets: list[tuple[Peer, bytes]] = []
        """Every datagram received, answered or not, in arrival order."""
        self.answered = 0
        """Number of packets answered."""

    def wait_for_packets(self, n: int, timeout: float = 5.0) -> bool:
        """Wait until ``n`` datagrams have arrived; False on timeout."""
        return self._wait_for(lambda: len(self.packets) >= n, timeout)

    def response_for(self, request: bytes) -> bytes | None:
        """The bytes answered to ``request``, or None when it is not an NTP client packet."""
        if len(request) != NTP_PACKET_SIZE or request[0] & 0x7 != 3:
            return None
        now = ntplib.system_to_ntp_time(self.unix_time)
        packet = ntplib.NTPPacket(version=(request[0] >> 3) & 0x7, mode=4, tx_timestamp=now)
        packet.stratum = 2
        packet.poll = request[2]
        packet.precision = -20
        packet.root_delay = 0.0
        packet.root_dispersion = 0.001
        packet.ref_id = _REF_ID
        packet.ref_timestamp = now - 16
        packet.recv_timestamp = now
        data: bytes = packet.to_data()
        # The originate timestamp is the request's transmit timestamp copied exactly (a float
        # round trip through NTPPacket could change its last bits).
        return data[:24] + request[40:48] + data[32:]

    def _clear_records(self) -> None:
        self.packets.clear()
        self.answered = 0

    def _handle_datagram(self, sock: socket.socket, data: bytes, peer: Peer) -> None:
        with self._cond:
            self.packets.append((peer, data))
            self._cond.notify_all()
        reply = self.response_for(data)
        if reply is None:
            return
        try:
            sock.sendto(reply, peer)
        except OSError:
            return  # the client's socket is gone: its problem, not the fake's
        with self._cond:
            self.answered += 1
            self._cond.notify_all()
