"""The kernel's own view of this grading run's sockets, for checks that judge what the
student's program left in the network (the grading run has its own network namespace, so
only this run's sockets are listed)."""

from __future__ import annotations

from harness.sandbox import sockdiag


def time_wait_on(port: int) -> list[str] | None:
    """The TIME_WAIT connections whose local port is ``port`` (``"local -> remote"``), from
    the kernel's socket table (:func:`sockdiag.table <harness.sandbox.sockdiag.table>`);
    None where the system does not show them."""
    entries = sockdiag.table("tcp", 1 << sockdiag.TCP_TIME_WAIT)
    if entries is None:
        return None
    return [f"{_join(*e.local)} -> {_join(*e.remote)}" for e in entries if e.local[1] == port]


def _join(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
