"""The one exception hierarchy of the harness."""

from __future__ import annotations


class HarnessError(Exception):
    """Base of every error the harness raises on purpose."""


class UsageError(HarnessError):
    """The user asked for something impossible; the message says what, where from, and the fix."""


class SubmissionError(HarnessError):
    """The submission folder itself cannot be graded (missing, not a folder, ...)."""
