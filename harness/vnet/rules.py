"""Parent side of the virtual network: the rules a check hands to a student process."""

from __future__ import annotations

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
        return virtual_address(key)

    def route(self, proto: str, host: str, port: int, to: Address) -> VNet:
        """Send ``proto`` traffic for ``(host, port)`` to the real loopback address ``to``.

        ``host="*"`` matches any destination on that port (hard-coded addresses included).
        """
        key = "*" if host == "*" else self.resolve(host)
        self.routes.append({"proto": proto, "host": key, "port": int(port), "to": list(to)})
        return self

    def record(self, name: str, addresses: list[str] | None) -> VNet:
        """Set a DNS record: several A records, or ``None`` for NXDOMAIN."""
        self.dns[name.lower().rstrip(".")] = addresses
        return self

    def pin(self, proto: str, port: int, real: int) -> VNet:
        """Make a bind to ``port`` really bind ``real`` (for restart probes)."""
        self.pins[f"{proto}:{port}"] = int(real)
        return self

    def to_json(self) -> dict[str, Any]:
        return {"routes": self.routes, "dns": self.dns, "pins": self.pins,
                "virtual_sleep": self.virtual_sleep}
