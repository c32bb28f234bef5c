"""Totals and rounding of points: the one place every output takes them from
(``results.json``, the report, Gradescope, GitHub Classroom, JUnit, the gradebook CSV)."""

from __future__ import annotations

import math
from collections.abc import Iterable

DECIMALS = 6
"""Points are rounded to this many decimals wherever they are summed or written."""


def round_points(x: float) -> float:
    """Points rounded to :data:`DECIMALS` (float noise gone; ``-0.0`` becomes 0)."""
    return round(x, DECIMALS) + 0.0


def total(values: Iterable[float]) -> float:
    """The exact sum of ``values`` (``math.fsum``), rounded with :func:`round_points`."""
    return round_points(math.fsum(values))
