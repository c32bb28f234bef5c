"""Verdicts a check gives besides passing: fail (:class:`CheckFailed`, in
``harness.checks.support``) and skip with a message of the catalogues."""

from __future__ import annotations

from typing import Any, NoReturn

import pytest

from harness.checks.support import CheckFailed


class CheckSkipped(pytest.skip.Exception):  # type: ignore[name-defined,misc]
    """The check cannot judge here and says why, with a message key (``skipped``, no points:
    e.g. a property the machine cannot show)."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(msg=key)
        self.key = key
        self.params = params


def fail(key: str, **params: Any) -> CheckFailed:
    """The check's failure, to raise: ``raise fail("mypack.task.wrong", got=...)``."""
    return CheckFailed(key, **params)


def expect(ok: bool, key: str, **params: Any) -> None:
    """Fail the check with message ``key`` (filled with ``params``) unless ``ok``."""
    if not ok:
        raise CheckFailed(key, **params)


def skip(key: str, **params: Any) -> NoReturn:
    """Skip the check with message ``key`` (filled with ``params``), in the student's
    language."""
    raise CheckSkipped(key, **params)
