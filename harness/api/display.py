"""Values and printed text as a message shows them. With :func:`show` (bytes) and
:func:`excerpt` (a program's whole output), the one family of formatters for message
parameters and evidence: a check never formats a value its own way."""

from __future__ import annotations

from typing import Any

from harness.checks.student import Opaque, SocketInfo


def brief(value: Any, limit: int = 200) -> str:
    """A value as the student would write it (``'7f000001'``, ``b'..'``, ``(1, 2)``),
    bounded; a value the child could only describe by its type shows as ``<type>``, a
    returned socket as ``<socket.socket>``."""
    if isinstance(value, Opaque):
        shown = f"<{value.type_name}>"
    elif isinstance(value, SocketInfo):
        shown = "<socket.socket>"
    else:
        shown = repr(value)
    return shown if len(shown) <= limit else shown[:limit] + "…"


def quoted(text: str | None, limit: int = 300) -> str:
    """Printed text for a message: its end, quoted as Python shows a string (accents kept,
    control characters escaped), at most ``limit`` characters; "—" when there is none."""
    if not text:
        return "—"
    cut = text[-limit:] if len(text) > limit else text
    return ("…" if len(text) > limit else "") + repr(cut)
