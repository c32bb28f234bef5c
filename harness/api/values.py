"""Values chosen for this run, so hard-coded output cannot pass (``secrets``: a submission
cannot predict them from a seed)."""

from __future__ import annotations

import secrets
import string
from collections.abc import Sequence
from typing import TypeVar

from harness.checks.support import token

T = TypeVar("T")


def random_int(low: int, high: int) -> int:
    """A random integer with ``low <= n <= high``."""
    if high < low:
        raise ValueError(f"random_int: empty range {low}..{high}")
    return low + secrets.randbelow(high - low + 1)


def random_word(n: int = 8, alphabet: str = string.ascii_letters + string.digits) -> str:
    """``n`` random characters of ``alphabet`` (letters and digits by default)."""
    return token(n, alphabet)


def random_choice(options: Sequence[T]) -> T:
    """One of ``options``, at random."""
    if not options:
        raise ValueError("random_choice: no options")
    return options[secrets.randbelow(len(options))]


__all__ = ["random_choice", "random_int", "random_word", "token"]
