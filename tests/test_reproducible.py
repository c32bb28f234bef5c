"""The same submission gets the same grade every run, in a row or in parallel."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from harness.engine import grade
from tests.conftest import REFERENCE, TEMPLATE

RUNS = 6
"""In the suite; ``bench/under_load.py`` grades the whole reference 20 times in a row, under
load."""


def scores(result) -> dict[str, float]:  # type: ignore[no-untyped-def]
    return {c.id: c.score for c in result.checks}


def differences(got: dict[str, float], result, want: dict[str, float]) -> list[str]:  # type: ignore[no-untyped-def]
    """The checks whose score changed, each with its message: a failure names its check."""
    return [f"{c.id}: {want.get(c.id)} -> {c.score}: {c.message}" for c in result.checks
            if got.get(c.id) != want.get(c.id)]


def test_reference_again_and_again_identical() -> None:
    first = grade(REFERENCE, only=["lab9"])
    assert first.score == first.max_score, [(c.id, c.message) for c in first.checks
                                            if c.score != c.max_score]
    for _ in range(RUNS - 1):
        again = grade(REFERENCE, only=["lab9"])
        assert scores(again) == scores(first), differences(scores(again), again, scores(first))


def test_two_submissions_at_once_identical_to_alone() -> None:
    alone = {p.name: scores(grade(p, only=["lab9"])) for p in (REFERENCE, TEMPLATE)}
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(zip(("reference", "student_template"),
                           pool.map(lambda p: grade(p, only=["lab9"]), (REFERENCE, TEMPLATE)),
                           strict=True))
    together = {name: scores(result) for name, result in results.items()}
    assert together == alone, {name: differences(together[name], results[name], alone[name])
                               for name in results}
