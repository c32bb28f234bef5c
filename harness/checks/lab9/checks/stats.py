"""The statistics of the time server's drop probe: pure functions, no sockets.

``drop_rate`` is a group-sequential test on the number of discarded requests: after each batch
of :data:`BATCH` requests, two one-sided sequential probability ratio tests (Wald) decide
between "the drop rate is 45 %" and "it is 40 %" (low side) and between 55 % and 60 % (high
side). The probe passes when both sides accept their "about half" hypothesis, fails when
either accepts its "wrong rate" hypothesis, and sends another batch otherwise; at
:data:`N_MAX` requests the estimate decides (within 50 % ± 7.5 %). :func:`operating_curve`
computes the exact probability of each verdict for a true drop rate (binomial, batch by
batch): a rate <= 40 % or >= 60 % passes with probability <= 6e-4, a rate within 45-55 %
fails with probability <= 7e-5, and a fair coin needs 634 requests on average.

``drops_random`` judges the reply pattern in send order: a Wald-Wolfowitz runs test (two-sided,
|z| <= 4.06, false-fail 5e-5 by the normal approximation) and, for every lag 1..8, the share
of requests whose fate equals the fate of the request that many places before: a pattern with
period q <= 8 agrees at lag q everywhere. For a fair coin the agreements at a fixed lag are
independent fair coin flips, so Hoeffding's bound gives each lag a false-fail of at most
:data:`LAG_ALPHA` (6.25e-6); with the runs test the total stays <= 1e-4. A pattern that repeats
exactly at some lag (however skewed its rate) fails too: a fair coin does that over the probe's
at least 100 requests with probability below 2**-90.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from harness.api import runs_z

BAD_LOW, OK_LOW, OK_HIGH, BAD_HIGH = 0.40, 0.45, 0.55, 0.60
ALPHA = 5e-5
"""Wald's nominal false-fail of each side (a rate of 45 % or 55 % judged wrong)."""
BETA = 1e-3
"""Wald's nominal false-pass of each side (a rate of 40 % or 60 % judged about half)."""
BATCH = 100
N_MAX = 6000
FINAL_MARGIN = 0.075
LN_A = math.log((1 - BETA) / ALPHA)
LN_B = math.log(BETA / (1 - ALPHA))
_DOWN = math.log(BAD_LOW / OK_LOW)  # a drop, as evidence for 40 % against 45 %
_UP = math.log((1 - BAD_LOW) / (1 - OK_LOW))  # an answer, same test

RUNS_Z_MAX = 4.06
MAX_LAG = 8
LAG_ALPHA = 5e-5 / MAX_LAG


@dataclass(frozen=True)
class RateState:
    """The sequential test after ``n`` requests of which ``drops`` got no reply."""

    n: int
    drops: int

    @property
    def llr_low(self) -> float:
        """Log-likelihood ratio of 40 % against 45 % (high: too few drops)."""
        return self.drops * _DOWN + (self.n - self.drops) * _UP

    @property
    def llr_high(self) -> float:
        """Log-likelihood ratio of 60 % against 55 % (high: too many drops)."""
        return self.drops * _UP + (self.n - self.drops) * _DOWN

    def verdict(self) -> str | None:
        """``"pass"``, ``"fail"``, or None while another batch is needed."""
        if self.n == 0:
            return None
        if self.llr_low >= LN_A or self.llr_high >= LN_A:
            return "fail"
        if self.llr_low <= LN_B and self.llr_high <= LN_B:
            return "pass"
        if self.n >= N_MAX:
            return "pass" if abs(self.drops / self.n - 0.5) <= FINAL_MARGIN else "fail"
        return None

    def replies_not_failing(self) -> list[int]:
        """``[low, high]``: the replies out of ``n`` that this test does not fail at ``n``."""
        fine = [self.n - d for d in range(self.n + 1)
                if RateState(self.n, d).verdict() != "fail"]
        return [min(fine), max(fine)] if fine else []

    def evidence(self) -> dict[str, object]:
        return {"n": self.n, "drops": self.drops, "interval": self.replies_not_failing(),
                "rate": round(self.drops / self.n, 3) if self.n else None,
                "llr_low": round(self.llr_low, 2), "llr_high": round(self.llr_high, 2),
                "pass_below": round(LN_B, 2), "fail_from": round(LN_A, 2),
                "batch": BATCH, "n_max": N_MAX}


def operating_curve(p: float) -> tuple[float, float, float]:
    """Exact ``(P(pass), P(fail), E[requests])`` of the sequential test for a server that
    drops each request independently with probability ``p``."""
    batch = [math.comb(BATCH, k) * p**k * (1 - p) ** (BATCH - k) for k in range(BATCH + 1)]
    going = {0: 1.0}
    n = 0
    passed = failed = mean_n = 0.0
    while going:
        n += BATCH
        after: dict[int, float] = {}
        for d, pr in going.items():
            for k, q in enumerate(batch):
                if q > 1e-20:
                    after[d + k] = after.get(d + k, 0.0) + pr * q
        going = {}
        for d, pr in after.items():
            verdict = RateState(n, d).verdict()
            if verdict == "pass":
                passed += pr
                mean_n += pr * n
            elif verdict == "fail":
                failed += pr
                mean_n += pr * n
            else:
                going[d] = pr
    return passed, failed, mean_n


# ------------------------------------------------------------------ randomness
# runs_z (the Wald-Wolfowitz statistic) is the public API's, harness.api.stats.

def lag_agreement(pattern: list[int], lag: int) -> tuple[int, int]:
    """``(agreeing, compared)``: how many requests share the fate of the one ``lag`` before."""
    pairs = len(pattern) - lag
    return sum(1 for i in range(lag, len(pattern)) if pattern[i] == pattern[i - lag]), pairs


def lag_limit(pattern: list[int], lag: int) -> float:
    """The most agreements at ``lag`` a random (independent) pattern shows, but for a
    probability of :data:`LAG_ALPHA`: its mean plus Hoeffding's deviation."""
    pairs = len(pattern) - lag
    p = sum(pattern) / len(pattern) if pattern else 0.5
    centre = p * p + (1 - p) * (1 - p)  # >= 1/2, the fair coin's, so the bound holds for it
    return pairs * centre + math.sqrt(pairs * math.log(1 / LAG_ALPHA) / 2)


@dataclass(frozen=True)
class Randomness:
    """The pattern tests: which one failed (``None`` when all pass) and their statistics."""

    failed: str | None
    """``"no_variation"``, ``"runs"``, ``"periodic"`` or None."""
    z: float | None
    lag: int | None
    """The lag whose agreement was too high (the period found)."""
    agreement: float | None

    def evidence(self) -> dict[str, object]:
        return {"z": None if self.z is None else round(self.z, 2), "runs_z_max": RUNS_Z_MAX,
                "period": self.lag, "agreement": self.agreement, "max_lag": MAX_LAG}


def randomness(pattern: list[int]) -> Randomness:
    z = runs_z(pattern)
    if z is None:
        return Randomness("no_variation", None, None, None)
    if abs(z) > RUNS_Z_MAX:
        return Randomness("runs", z, None, None)
    for lag in range(1, MAX_LAG + 1):
        agree, pairs = lag_agreement(pattern, lag)
        # an exact period fails however skewed the rates (a fair coin repeats itself over
        # ``pairs`` places with probability 2**-pairs)
        if pairs > 0 and (agree == pairs or agree > lag_limit(pattern, lag)):
            return Randomness("periodic", z, lag, round(agree / pairs, 3))
    return Randomness(None, z, None, None)
