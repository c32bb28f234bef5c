"""Statistics for judging random behaviour with stated error rates.

A program that must act at random (answer about half of the requests, drop packets at
random) is judged on counts the grader observed. These tests say in advance how often they
wrong a correct program (``false_fail``) and, for a given wrong program, how often they let
it pass (:meth:`RateTest.pass_probability`), so a check can state both in its docstring and
its evidence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise
from statistics import NormalDist


def binomial_pmf(k: int, n: int, p: float) -> float:
    """P(X = k) for X ~ Binomial(n, p), exact to float precision for any n."""
    if p <= 0.0:
        return 1.0 if k == 0 else 0.0
    if p >= 1.0:
        return 1.0 if k == n else 0.0
    log = (math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
           + k * math.log(p) + (n - k) * math.log1p(-p))
    return math.exp(log)


def binomial_between(low: int, high: int, n: int, p: float) -> float:
    """P(low <= X <= high) for X ~ Binomial(n, p)."""
    return math.fsum(binomial_pmf(k, n, p) for k in range(max(low, 0), min(high, n) + 1))


@dataclass(frozen=True)
class RateTest:
    """Two-sided test of a success rate: pass when ``low <= successes <= high`` of ``n``.

    Build it with :meth:`design`; ``false_fail`` is the exact probability that a program
    whose true rate is ``rate`` fails (at most the bound asked for).
    """

    n: int
    low: int
    high: int
    rate: float
    false_fail: float

    @classmethod
    def design(cls, n: int, rate: float = 0.5, false_fail: float = 1e-4) -> RateTest:
        """The narrowest interval, equal tails, whose false-fail probability for a program
        with the true ``rate`` is at most ``false_fail``."""
        if n < 1 or not 0.0 < rate < 1.0 or not 0.0 < false_fail < 1.0:
            raise ValueError(f"invalid rate test n={n} rate={rate} false_fail={false_fail}")
        tail = false_fail / 2
        low, acc = 0, 0.0
        while low <= n and acc + binomial_pmf(low, n, rate) <= tail:
            acc += binomial_pmf(low, n, rate)
            low += 1
        high, acc = n, 0.0
        while high >= 0 and acc + binomial_pmf(high, n, rate) <= tail:
            acc += binomial_pmf(high, n, rate)
            high -= 1
        return cls(n=n, low=low, high=high, rate=rate,
                   false_fail=1.0 - binomial_between(low, high, n, rate))

    def passes(self, successes: int) -> bool:
        return self.low <= successes <= self.high

    def pass_probability(self, true_rate: float) -> float:
        """How often a program whose true rate is ``true_rate`` passes (for a wrong rate:
        the chance it slips through)."""
        return binomial_between(self.low, self.high, self.n, true_rate)

    def evidence(self, successes: int) -> dict[str, object]:
        return {"n": self.n, "successes": successes, "interval": [self.low, self.high],
                "false_fail": float(f"{self.false_fail:.2g}")}


def runs_z(pattern: list[int]) -> float | None:
    """Wald–Wolfowitz runs test statistic; None when one symbol never occurs."""
    n1 = sum(pattern)
    n0 = len(pattern) - n1
    if n1 == 0 or n0 == 0:
        return None
    runs = 1 + sum(1 for a, b in pairwise(pattern) if a != b)
    n = n0 + n1
    mean = 2 * n0 * n1 / n + 1
    var = 2 * n0 * n1 * (2 * n0 * n1 - n) / (n * n * (n - 1))
    return (runs - mean) / math.sqrt(var) if var > 0 else None


def _lag_z(pattern: list[int], lag: int) -> float | None:
    """How far the agreements ``x[i] == x[i+lag]`` exceed what independent draws give."""
    pairs = len(pattern) - lag
    if pairs < 8:
        return None
    p = sum(pattern) / len(pattern)
    q = p * p + (1 - p) * (1 - p)
    if q >= 1.0:
        return None
    agree = sum(1 for i in range(pairs) if pattern[i] == pattern[i + lag])
    return (agree - pairs * q) / math.sqrt(pairs * q * (1 - q))


@dataclass(frozen=True)
class RandomnessTest:
    """Is a 0/1 pattern (in the order the grader caused it) random? A runs test (too few or
    too many runs) plus, for each lag 2..``max_period``, a test for too many agreements
    ``x[i] == x[i+lag]`` (a periodic pattern). The total false-fail probability for
    independent draws is at most ``false_fail`` (Bonferroni over the tests, normal
    approximation: use 100 or more observations)."""

    false_fail: float = 1e-4
    max_period: int = 8

    @property
    def tests(self) -> int:
        return 1 + max(0, self.max_period - 1)

    @property
    def z_runs(self) -> float:
        """The |z| bound of the two-sided runs test."""
        return NormalDist().inv_cdf(1 - self.false_fail / self.tests / 2)

    @property
    def z_lag(self) -> float:
        """The z bound of each one-sided lag test."""
        return NormalDist().inv_cdf(1 - self.false_fail / self.tests)

    def judge(self, pattern: list[int]) -> tuple[bool, dict[str, object]]:
        """(random enough, evidence). A pattern with one symbol only is not random."""
        z = runs_z(pattern)
        lags = {lag: _lag_z(pattern, lag) for lag in range(2, self.max_period + 1)}
        worst = max((v for v in lags.values() if v is not None), default=None)
        ok = z is not None and abs(z) <= self.z_runs and (worst is None or worst <= self.z_lag)
        return ok, {"runs_z": None if z is None else round(z, 2),
                    "runs_bound": round(self.z_runs, 2),
                    "lag_z_max": None if worst is None else round(worst, 2),
                    "lag_bound": round(self.z_lag, 2),
                    "pattern": "".join(map(str, pattern)), "false_fail": self.false_fail}
