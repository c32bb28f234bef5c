"""The one exception hierarchy of the harness."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Text:
    """A catalogue text used as a parameter of an error's message (rendered in its language)."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)

    def render(self, lang: str) -> str:
        from harness.i18n import t

        return t(self.key, lang, **self.params)


OS_REASONS = ("ENOENT", "EACCES", "EPERM", "EROFS", "ENOTDIR", "EISDIR", "ENOSPC", "EEXIST")


def os_reason(exc: OSError) -> Text:
    """Why an operating-system call failed, as a catalogue text (``oserror.*``)."""
    import errno

    name = errno.errorcode.get(exc.errno or 0, "")
    if name in OS_REASONS:
        return Text(f"oserror.{name}")
    return Text("oserror.other", {"text": exc.strerror or type(exc).__name__})


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

            text = t(key, "en", **_rendered(params, "en"))
        super().__init__(text)

    def message(self, lang: str) -> str:
        """The message in ``lang`` (the English text when it was raised without a key)."""
        if not self.key:
            return str(self)
        from harness.i18n import LANGS, t

        lang = lang if lang in LANGS else "en"
        return t(self.key, lang, **_rendered(self.params, lang))


def _rendered(params: dict[str, Any], lang: str) -> dict[str, Any]:
    return {k: v.render(lang) if isinstance(v, Text) else v for k, v in params.items()}


class UsageError(HarnessError):
    """The user asked for something impossible; the message says what, where from, and the fix."""


class SubmissionError(HarnessError):
    """The submission folder itself cannot be graded (missing, not a folder, ...)."""
