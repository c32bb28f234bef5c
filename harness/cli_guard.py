"""How every labgrade command meets a mistake: argparse's in one line in the run's language,
values argparse accepts but grading cannot use, a ``HarnessError`` as its one line, an
output reader that went away, a terminal that cannot show a character, and a bug of ours as
one line (its traceback with ``LABGRADE_DEBUG=1``). Used by ``labgrade`` and by
``python -m harness.gradescope``."""

from __future__ import annotations

import argparse
import math
import os
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from harness.errors import HarnessError, UsageError, os_reason
from harness.i18n import DEFAULT_LANG, LANGS, t

EXIT_OK, EXIT_FAILING, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_INTERRUPTED, EXIT_BROKEN_PIPE = 130, 141
ISOLATION_LEVELS = ("netns", "pidns", "uid", "view", "readonly", "cgroup")
"""What ``LABGRADE_ISOLATION_DISABLE`` may name (harness.engine.DISABLE_ENV)."""
DEBUG_ENV = "LABGRADE_DEBUG"


class ArgumentMistake(Exception):
    """argparse found a mistake on the command line (its English message)."""

    def __init__(self, prog: str, message: str) -> None:
        super().__init__(message)
        self.prog = prog


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose mistakes become one translated line (see :func:`main`)."""

    def error(self, message: str) -> NoReturn:
        raise ArgumentMistake(self.prog, message)


def env_lang() -> str:
    lang = os.environ.get("LABGRADE_LANG") or DEFAULT_LANG
    return lang if lang in LANGS else DEFAULT_LANG


def check_arguments(args: argparse.Namespace) -> None:
    """Values argparse accepts but grading cannot use, and the environment's settings."""
    timeout = getattr(args, "timeout", None)
    if timeout is not None and not (math.isfinite(timeout) and timeout > 0):
        raise UsageError(key="usage.timeout", value=f"{timeout:g}")
    jobs = getattr(args, "jobs", None)
    if jobs is not None and jobs < 1:
        raise UsageError(key="usage.jobs", value=jobs)
    disabled = os.environ.get("LABGRADE_ISOLATION_DISABLE", "")
    names = [p.strip() for p in disabled.split(",") if p.strip()]
    if any(n not in ISOLATION_LEVELS for n in names):
        raise UsageError(key="usage.isolation_env", value=disabled,
                         allowed=", ".join(ISOLATION_LEVELS))


ARGPARSE_MESSAGES = (  # argparse's English messages (Python 3.11-3.13) -> catalogue keys
    (r"the following arguments are required: (?P<args>.+)", "usage.arg.required"),
    (r"argument (?P<arg>[^:]+): invalid choice: (?P<value>'.*?'|\S+) \(choose from "
     r"(?P<choices>.+)\)", "usage.arg.choice"),
    (r"argument (?P<arg>[^:]+): invalid \w+ value: (?P<value>.+)", "usage.arg.type"),
    (r"argument (?P<arg>[^:]+): expected (one|at least one) argument", "usage.arg.expected"),
    (r"unrecognized arguments: (?P<args>.+)", "usage.arg.unrecognized"),
    (r"argument (?P<arg>[^:]+): ignored explicit argument (?P<value>.+)",
     "usage.arg.unrecognized"),
)


def argument_message(prog: str, message: str, lang: str) -> str:
    """argparse's message in ``lang``, in one line, with where to look for the options."""
    params: dict[str, Any] = {"message": message}
    key = "usage.arg.other"
    for pattern, candidate in ARGPARSE_MESSAGES:
        match = re.fullmatch(pattern, message.strip())
        if match:
            key = candidate
            params = {k: v for k, v in match.groupdict().items() if v is not None}
            params.setdefault("args", params.get("value", ""))
            break
    return t(key, lang, **params) + " " + t("usage.see_help", lang, prog=prog)


def argv_lang(argv: Sequence[str]) -> str:
    """The run's language before the command line is understood (for its mistakes)."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv) and argv[i + 1] in LANGS:
            return argv[i + 1]
        if arg.startswith("--lang=") and arg.split("=", 1)[1] in LANGS:
            return arg.split("=", 1)[1]
    return env_lang()


def safe_streams() -> None:
    """Text the terminal's encoding cannot show (✘ under PYTHONIOENCODING=latin-1) is
    replaced, never a UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="replace")
            except (ValueError, OSError):
                pass


def say(text: str) -> None:
    print(f"labgrade: {' '.join(text.split())}", file=sys.stderr)


def run_command(argv: Sequence[str] | None, build: Callable[[], argparse.ArgumentParser],
                dispatch: Callable[[argparse.Namespace], int]) -> int:
    """Parse ``argv`` with ``build()`` and run ``dispatch``; every mistake becomes its line
    on stderr and its exit status (see the module docstring)."""
    safe_streams()
    args_list = list(sys.argv[1:] if argv is None else argv)
    lang = argv_lang(args_list)
    try:
        try:
            args = build().parse_args(args_list)
        except ArgumentMistake as exc:
            say(argument_message(exc.prog, str(exc), lang))
            return EXIT_USAGE
        lang = getattr(args, "lang", lang)
        check_arguments(args)
        status = dispatch(args)
        sys.stdout.flush()  # a reader that went away is found here, not at exit
        return status
    except HarnessError as exc:
        say(exc.message(lang))
        return EXIT_USAGE
    except BrokenPipeError:  # `labgrade check --format json | head`: the reader left
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except OSError as exc:  # an output that cannot be written, a folder that cannot be read
        say(t("usage.os_error", lang, path=exc.filename or "",
              reason=os_reason(exc).render(lang)))
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as exc:  # a bug of ours: one line for the user, the detail on request
        if os.environ.get(DEBUG_ENV):
            raise
        say(t("usage.internal", lang, error=f"{type(exc).__name__}: {exc}", env=DEBUG_ENV))
        return EXIT_INTERNAL


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that flushing it at exit raises nothing more."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


