"""The kernel's own view of this grading run's sockets, for checks that judge what the
student's program left in the network (the grading run has its own network namespace, so
only this run's sockets are listed)."""

from __future__ import annotations

import socket
from pathlib import Path

from harness.sandbox import sockdiag

TIME_WAIT = "06"
"""TCP state code of TIME_WAIT in ``/proc/net/tcp``."""
PROC_TCP = (Path("/proc/net/tcp"), Path("/proc/net/tcp6"))


def time_wait_on(port: int) -> list[str] | None:
    """The TIME_WAIT connections whose local port is ``port`` (``"local -> remote"``), from
    the kernel's socket table (sock_diag, else ``/proc/net/tcp``); None where the system does
    not show them. The grading run has its own network namespace, so only this run's
    sockets are listed."""
    entries = sockdiag.table("tcp", 1 << sockdiag.TCP_TIME_WAIT)
    if entries is not None:
        return [f"{_join(*e.local)} -> {_join(*e.remote)}" for e in entries
                if e.local[1] == port]
    found: list[str] = []
    seen_any = False
    for path in PROC_TCP:
        try:
            lines = path.read_text(encoding="ascii", errors="replace").splitlines()[1:]
        except OSError:
            continue
        seen_any = True
        for line in lines:
            fields = line.split()
            if len(fields) < 4 or fields[3] != TIME_WAIT:
                continue
            local, remote = fields[1], fields[2]
            if int(local.rsplit(":", 1)[1], 16) == port:
                found.append(f"{_addr(local)} -> {_addr(remote)}")
    return found if seen_any else None


def _join(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _addr(hex_addr: str) -> str:
    host, port = hex_addr.rsplit(":", 1)
    if len(host) == 8:
        host = socket.inet_ntoa(bytes.fromhex(host)[::-1])
    return f"{host}:{int(port, 16)}"
