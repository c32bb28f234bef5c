"""Parent side of the virtual network: the rules a check hands to a student process."""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass, field
from typing import Any

from harness.vnet.shim import LOOPBACK, virtual_address

Address = tuple[str, int]


@dataclass
class VNet:
    """Routes, DNS records, pinned ports and the virtual clock for one student process.

    Names are resolved here exactly as the shim resolves them in the child, so a route given
    for ``"www.example.com"`` matches the child's ``connect(("www.example.com", 80))`` and its
    ``connect((gethostbyname("www.example.com"), 80))`` alike.
    """

    routes: list[dict[str, Any]] = field(default_factory=list)
    dns: dict[str, list[str] | None] = field(default_factory=dict)
    pins: dict[str, int] = field(default_factory=dict)
    virtual_sleep: bool = False
    witness: Address | None = None
    salt: str = ""
    """Mixed into the virtual addresses of names without a record (a per-run value makes
    them unknowable before the run, so a printed address proves the lookup)."""
    """Where the shim reports refused connections and NXDOMAIN lookups before failing them
    (a :class:`Witness` the check owns): the grader's own proof of the attempt."""

    def resolve(self, name: str) -> str:
        key = name.lower().rstrip(".")
        if key in self.dns:
            addrs = self.dns[key]
            if not addrs:
                raise ValueError(f"{name} is NXDOMAIN in these rules")
            return addrs[0]
        if key in ("localhost", "", "localhost.localdomain") or key.endswith(".localhost"):
            return LOOPBACK
        if key.count(".") == 3 and all(p.isdigit() for p in key.split(".")):
            return key
        return virtual_address(key, self.salt)

    def route(self, proto: str, host: str, port: int, to: Address) -> VNet:
        """Send ``proto`` traffic for ``(host, port)`` to the real loopback address ``to``.

        ``host="*"`` matches any destination on that port (hard-coded addresses included).
        """
        key = "*" if host == "*" else self.resolve(host)
        self.routes.append({"proto": proto, "host": key, "port": int(port), "to": list(to),
                            "name": host})
        return self

    def record(self, name: str, addresses: list[str] | None) -> VNet:
        """Set a DNS record: several A records, or ``None`` for NXDOMAIN."""
        self.dns[name.lower().rstrip(".")] = addresses
        return self

    def pin(self, proto: str, port: int, real: int) -> VNet:
        """Make a bind to ``port`` really bind ``real`` (for restart probes)."""
        self.pins[f"{proto}:{port}"] = int(real)
        return self

    def ntp(self, to: Address) -> VNet:
        """Every NTP query (UDP 123, whatever the host: ``pool.ntp.org``,
        ``europe.pool.ntp.org``, ``time.google.com``, a hard-coded address) goes to ``to``."""
        return self.route("udp", "*", 123, to)

    def web(self, to: Address, port: int = 80) -> VNet:
        """Every TCP connection to ``port`` (any host name or address) goes to ``to``."""
        return self.route("tcp", "*", port, to)

    def witnessed(self, witness: Witness) -> VNet:
        self.witness = witness.address
        return self

    def answers(self) -> str:
        """What this network answers, for a message (``localhost:8080/tcp, *:123/udp``)."""
        shown = []
        for r in self.routes:
            shown.append(f"{r.get('name', r['host'])}:{r['port']}/{r['proto']}")
        return ", ".join(shown) or "—"

    def to_json(self) -> dict[str, Any]:
        return {"routes": self.routes, "dns": self.dns, "pins": self.pins,
                "virtual_sleep": self.virtual_sleep,
                "witness": list(self.witness) if self.witness else None, "salt": self.salt}


class Witness:
    """A grader-owned TCP endpoint on loopback that records the attempts the shim reports
    (a refused connection, an NXDOMAIN lookup) and acknowledges each one: the shim waits for
    the acknowledgement before failing the student's call, so the record is complete when
    the student's process has gone on. Use as a context manager."""

    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self.address: Address = ("127.0.0.1", int(self._sock.getsockname()[1]))
        self.seen: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._serve, name="vnet-witness", daemon=True)

    def __enter__(self) -> Witness:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._sock.close()
        self._thread.join(2.0)

    def _serve(self) -> None:
        while True:
            try:
                conn, _peer = self._sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(2.0)
                data = b""
                try:
                    while b"\n" not in data and len(data) < 4096:
                        chunk = conn.recv(4096)
                        if not chunk:
                            break
                        data += chunk
                    fact = json.loads(data.split(b"\n", 1)[0]) if b"\n" in data else None
                    if isinstance(fact, dict):
                        with self._lock:
                            self.seen.append(fact)
                    conn.sendall(b"ok\n")
                except (OSError, ValueError, RecursionError):
                    continue

    def refused(self, port: int) -> list[dict[str, Any]]:
        """The refused connections to ``port`` the grader witnessed."""
        with self._lock:
            return [f for f in self.seen if f.get("ev") == "refused"
                    and isinstance(f.get("address"), list) and len(f["address"]) >= 2
                    and str(f["address"][1]) == str(port)]

    def looked_up(self, name: str) -> bool:
        """The name's NXDOMAIN lookup reached the grader's virtual DNS."""
        key = name.lower().rstrip(".")
        with self._lock:
            return any(f.get("ev") == "nxdomain" and f.get("name") == key for f in self.seen)
