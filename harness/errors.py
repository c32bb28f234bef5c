"""The one exception hierarchy of the harness."""

from __future__ import annotations

from typing import Any


class HarnessError(Exception):
    """Base of every error the harness raises on purpose.

    Raised with plain text (English, for the instructor) or with a catalogue ``key`` and its
    parameters, so that the command line shows it in the run's language
    (:meth:`message`); ``str()`` is then the English text.
    """

    def __init__(self, text: str = "", *, key: str = "", **params: Any) -> None:
        # subclasses that set their own key before calling this keep it (UnsafeArchive)
        self.key = key or getattr(self, "key", "")
        self.params = params or getattr(self, "params", {})
        if key and not text:
            from harness.i18n import t

            text = t(key, "en", **params)
        super().__init__(text)

    def message(self, lang: str) -> str:
        """The message in ``lang`` (the English text when it was raised without a key)."""
        if not self.key:
            return str(self)
        from harness.i18n import LANGS, t

        return t(self.key, lang if lang in LANGS else "en", **self.params)


class UsageError(HarnessError):
    """The user asked for something impossible; the message says what, where from, and the fix."""


class SubmissionError(HarnessError):
    """The submission folder itself cannot be graded (missing, not a folder, ...)."""
