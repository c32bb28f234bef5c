"""The kernel's socket table, asked through ``NETLINK_SOCK_DIAG`` (what ``ss`` uses).

Reading ``/proc/net/tcp`` walks every bucket of the machine's whole TCP hash table, whatever
the network namespace holds: about 6 ms of CPU per read on a 24 GiB machine, twice with
``tcp6``, for each server a check starts. A sock_diag dump asked for listening sockets only
walks the (much smaller) listening table, and the kernel fills in the owner and state as
numbers. Where the kernel does not answer (no netlink, no ``inet_diag`` module),
:func:`table` reads ``/proc/net`` instead, into the same rows; None where neither can be read.
"""

from __future__ import annotations

import errno
import os
import socket
import struct
import sys
from typing import NamedTuple

NETLINK_SOCK_DIAG = 4
SOCK_DIAG_BY_FAMILY = 20
NLM_F_REQUEST = 0x1
NLM_F_DUMP = 0x300
NLMSG_ERROR = 2
NLMSG_DONE = 3

TCP_ESTABLISHED = 1
TCP_TIME_WAIT = 6
TCP_CLOSE = 7
TCP_LISTEN = 10
ALL_STATES = 0xFFFFFFFF

_HEADER = struct.Struct("=IHHII")  # nlmsghdr: len, type, flags, seq, pid
_REQUEST = struct.Struct("=BBBBI2s2s16s16sI8s")  # inet_diag_req_v2 with its inet_diag_sockid
_MESSAGE = struct.Struct("=BBBB2s2s16s16sI8sIIIII")  # inet_diag_msg
_PROTOCOLS = {"tcp": socket.IPPROTO_TCP, "udp": socket.IPPROTO_UDP}
_FAMILIES = {socket.AF_INET: 4, socket.AF_INET6: 16}
"""Each family asked for, with its address size (inet_diag pads addresses to 16 bytes)."""


class Entry(NamedTuple):
    """One socket: its state (``TCP_*``; a bound, unconnected UDP socket is ``TCP_CLOSE``),
    its local and remote address (host, port), the uid that owns it, and the bytes waiting
    in its receive queue (UDP: the datagrams its owner has not read yet, with the kernel's
    bookkeeping)."""

    state: int
    local: tuple[str, int]
    remote: tuple[str, int]
    uid: int
    queued: int = 0


def table(proto: str, states: int = ALL_STATES) -> list[Entry] | None:
    """The sockets of this network namespace for ``proto`` (``"tcp"`` or ``"udp"``), IPv4
    and IPv6, in one of ``states`` (a mask of ``1 << TCP_*``): through sock_diag, else from
    ``/proc/net``; None where neither tells."""
    if proto not in _PROTOCOLS:
        return None
    found = _diag(proto, states)
    return found if found is not None else _proc(proto, states)


def _diag(proto: str, states: int) -> list[Entry] | None:
    """:func:`table` through sock_diag; None where the kernel does not answer."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        with socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC,
                           NETLINK_SOCK_DIAG) as sock:
            sock.settimeout(5.0)  # the kernel answers at once; never wait on it forever
            found: list[Entry] = []
            for seq, family in enumerate(_FAMILIES, start=1):
                found += _dump(sock, seq, family, _PROTOCOLS[proto], states)
            return found
    except (OSError, struct.error, ValueError):
        return None


def _dump(sock: socket.socket, seq: int, family: int, protocol: int,
          states: int) -> list[Entry]:
    body = _REQUEST.pack(family, protocol, 0, 0, states, b"", b"", b"", b"", 0, b"")
    sock.send(_HEADER.pack(_HEADER.size + len(body), SOCK_DIAG_BY_FAMILY,
                           NLM_F_REQUEST | NLM_F_DUMP, seq, 0) + body)
    found: list[Entry] = []
    while True:
        data = sock.recv(1 << 16)
        offset = 0
        while offset + _HEADER.size <= len(data):
            length, kind, _flags, got_seq, _pid = _HEADER.unpack_from(data, offset)
            if length < _HEADER.size:
                raise ValueError("a netlink message shorter than its header")
            start, offset = offset + _HEADER.size, offset + ((length + 3) & ~3)
            if got_seq != seq:
                continue
            if kind == NLMSG_DONE:
                return found
            if kind == NLMSG_ERROR:
                code = -struct.unpack_from("=i", data, start)[0]
                raise OSError(code, os.strerror(code) if code else "netlink error")
            if kind == SOCK_DIAG_BY_FAMILY and length - _HEADER.size >= _MESSAGE.size:
                found.append(_entry(data, start))
        if not data:
            raise OSError(errno.EIO, "the netlink socket closed")


def _entry(data: bytes, start: int) -> Entry:
    family, state, _timer, _retrans, sport, dport, src, dst, _if, _cookie, _expires, \
        rqueue, _wqueue, uid, _inode = _MESSAGE.unpack_from(data, start)
    size = _FAMILIES.get(family, 16)

    def address(raw: bytes, port: bytes) -> tuple[str, int]:
        return socket.inet_ntop(family, raw[:size]), int.from_bytes(port, "big")

    return Entry(state, address(src, sport), address(dst, dport), uid, rqueue)


PROC_NET = "/proc/net"


def _proc(proto: str, states: int) -> list[Entry] | None:
    """:func:`table` from ``/proc/net/{proto}`` and its IPv6 twin (the kernel's text: hex
    addresses in host byte order, hex state, decimal uid); None where neither can be read."""
    found: list[Entry] = []
    seen = False
    for family, name in ((socket.AF_INET, proto), (socket.AF_INET6, f"{proto}6")):
        try:
            with open(f"{PROC_NET}/{name}", encoding="ascii", errors="replace") as f:
                lines = f.read().splitlines()[1:]
        except OSError:
            continue
        seen = True
        for line in lines:
            fields = line.split()
            try:
                state, uid = int(fields[3], 16), int(fields[7])
                local, remote = _proc_address(family, fields[1]), _proc_address(family, fields[2])
                queued = int(fields[4].split(":")[1], 16)  # tx_queue:rx_queue
            except (IndexError, ValueError, OSError):
                continue
            if states & (1 << state):
                found.append(Entry(state, local, remote, uid, queued))
    return found if seen else None


def _proc_address(family: int, text: str) -> tuple[str, int]:
    """``0100007F:1F90`` (each 32-bit word of the address in host byte order) as
    ``("127.0.0.1", 8080)``."""
    host, port = text.rsplit(":", 1)
    raw = bytes.fromhex(host)
    ordered = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4)) \
        if sys.byteorder == "little" else raw
    return socket.inet_ntop(family, ordered), int(port, 16)
