"""Text a reader can read: wire data the checks recorded as escaped bytes, shown decoded.

The checks record what crossed the wire with :func:`harness.checks.support.show`: the
contents of a Python bytes literal (``Resp: \\xc3\\xb1and\\xc3\\xba``), bounded, with a
``… (+N B)`` note when cut. A Spanish student reads ``ñandú``, not ``\\xc3\\xb1``: these helpers
turn such strings back into text when the bytes are UTF-8 text, and keep them as bytes
(escaped) when they are not, or when the difference is about the bytes themselves.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

_CUT_BYTES = re.compile(r"… \(\+(\d+) B\)$")
_CUT_CHARS = re.compile(r"\n… \(\+(\d+)\)(?:$| …\n)")
_ESCAPE_RUN = re.compile(r"(\\\\)|((?:\\x[0-9a-fA-F]{2})+)")
_ESCAPE = re.compile(r"\\(?:x[0-9a-fA-F]{2}|[nrt'\"\\])")
_TEXT_CONTROLS = frozenset("\n\t\r")


@dataclass
class Shown:
    """A recorded value, ready to show."""

    text: str
    """What to show: decoded text when the value is text, else the escaped bytes."""
    raw: str = ""
    """The escaped form, when it differs from ``text`` (offered on request)."""
    is_bytes: bool = False
    """True when the value is bytes that are not text (shown escaped)."""
    cut: int = 0
    """How much of the value was cut off when it was recorded (bytes or characters)."""
    cut_unit: str = ""
    """``bytes`` or ``chars``."""


def _looks_escaped(text: str) -> bool:
    """A bytes-literal body: ASCII only, no raw line break, at least one escape."""
    return text.isascii() and "\n" not in text and bool(_ESCAPE.search(text))


def readable(value: str, *, escaped: bool | None = None) -> Shown:
    """``value`` as :func:`show` recorded it (or plain text), made readable.

    A bytes-literal body that decodes as UTF-8 text becomes that text (``\\r\\n`` line ends
    stay visible as ``\\r`` marks, since a request's CRLF is often the point); one that does not
    decode stays escaped and is flagged ``is_bytes``. Plain text passes through unchanged.
    """
    cut, unit = 0, ""
    if m := _CUT_BYTES.search(value):
        cut, unit, value = int(m.group(1)), "bytes", value[:m.start()]
    elif m := _CUT_CHARS.search(value):  # support.excerpt: start … (+N) … end
        cut, unit = int(m.group(1)), "chars"
        value = value[:m.start()] + ("\n…\n" + value[m.end():] if m.end() < len(value) else "")
    if escaped is False or (escaped is None and not _looks_escaped(value)):
        return Shown(value, cut=cut, cut_unit=unit)
    try:
        data = codecs.escape_decode(value.encode("ascii"))[0]
    except ValueError:
        return Shown(value, cut=cut, cut_unit=unit)
    assert isinstance(data, bytes)
    text = _utf8_text(data, cut_at_end=unit == "bytes")
    if text is None:
        return Shown(value, is_bytes=True, cut=cut, cut_unit=unit)
    if "\r" in text:  # keep CR visible: "HEAD / HTTP/1.1\r" + line break
        text = text.replace("\r\n", "\\r\n").replace("\r", "\\r")
    return Shown(text, raw=value if text != value else "", cut=cut, cut_unit=unit)


def _utf8_text(data: bytes, *, cut_at_end: bool) -> str | None:
    """``data`` decoded, when it is UTF-8 text (tabs and line breaks allowed); else None.
    A value cut in the middle of a character still counts as text."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        truncated = exc.start >= len(data) - 3 and exc.reason.startswith("unexpected end")
        if not (cut_at_end and truncated):
            return None
        text = data[:exc.start].decode("utf-8")
    if any((ord(ch) < 32 and ch not in _TEXT_CONTROLS) or ord(ch) == 127 for ch in text):
        return None
    return text


def decode_escapes(text: str) -> str:
    """Runs of ``\\xNN`` escapes inside a sentence that spell UTF-8 text, decoded
    (``depuraci\\xc3\\xb3n`` -> ``depuración``), and an escaped backslash shown as the one
    backslash the program wrote; other escapes (``\\n``, lone bytes) stay."""

    def sub(m: re.Match[str]) -> str:
        if m.group(1):
            return "\\"
        run = m.group(2)
        data = bytes(int(run[i + 2:i + 4], 16) for i in range(0, len(run), 4))
        try:
            decoded = data.decode("utf-8")
        except UnicodeDecodeError:
            return run
        if any(ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in decoded):
            return run
        return decoded

    return _ESCAPE_RUN.sub(sub, text)
