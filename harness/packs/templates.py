"""Templates of declared exercises: ``{name|transform|...}`` and the expectations that judge
a reply (``equals``, ``contains``, ``regex``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


def _int(v: Any) -> int:
    return v if isinstance(v, int) else int(str(v).strip())


def _bases(v: Any) -> str:
    n = _int(v)
    return f"{hex(n)} {oct(n)} {bin(n)}"


TRANSFORMS: dict[str, Callable[[Any], Any]] = {
    "upper": lambda v: str(v).upper(),
    "lower": lambda v: str(v).lower(),
    "reverse": lambda v: str(v)[::-1],
    "strip": lambda v: str(v).strip(),
    "len": lambda v: len(str(v)),
    "int": _int,
    "hex": lambda v: hex(_int(v)),
    "oct": lambda v: oct(_int(v)),
    "bin": lambda v: bin(_int(v)),
    "noprefix": lambda v: re.sub(r"^(-?)0[xob]", r"\1", str(v)),
    "bases": _bases,
}
"""``upper``, ``lower``, ``reverse``, ``strip``, ``len``; ``int`` (text to number); ``hex``,
``oct``, ``bin`` (Python's: ``0xff``, ``0o377``, ``0b11111111``); ``noprefix`` (``ff``);
``bases`` (int to bases: ``0xff 0o377 0b11111111``)."""

FIELD = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)((?:\|[a-z]+)*)\}")
def render(template: str, values: dict[str, Any], *, escape: bool = False) -> str:
    """Fill ``template``; with ``escape`` the inserted values are regex-escaped."""
    def one(m: re.Match[str]) -> str:
        if m.group(0) in ("{{", "}}"):
            return m.group(0)[0]
        name, chain = m.group(1), [t for t in m.group(2).split("|") if t]
        if name not in values:
            raise KeyError(name)
        value = values[name]
        for transform in chain:
            if transform not in TRANSFORMS:
                raise LookupError(transform)
            value = TRANSFORMS[transform](value)
        text = str(value)
        return re.escape(text) if escape else text

    return FIELD.sub(one, template)


@dataclass(frozen=True)
class Expectation:
    mode: str
    template: str
    strip: bool = False
    ignore_case: bool = False

    def expected(self, values: dict[str, Any]) -> str:
        return render(self.template, values, escape=self.mode == "regex")

    def judge(self, got: str, values: dict[str, Any]) -> bool:
        want = self.expected(values)
        if self.strip:
            got, want = got.strip(), (want if self.mode == "regex" else want.strip())
        if self.mode == "regex":
            return re.search(want, got, re.IGNORECASE if self.ignore_case else 0) is not None
        if self.ignore_case:
            got, want = got.casefold(), want.casefold()
        return got == want if self.mode == "equals" else want in got

    def complete(self, data: bytes, values: dict[str, Any]) -> bool:
        """A TCP reply so far is final: it satisfies the expectation, or (equals) it can no
        longer become the expected text."""
        got = data.decode("utf-8", "replace")
        if self.judge(got, values):
            return True
        if self.mode == "equals" and not self.strip and not self.ignore_case:
            want = self.expected(values)
            return len(got) >= len(want) or not want.startswith(got)
        return False
