"""Receta 1: ``get_hostname() -> str`` returns the machine's name; running the file prints it.

The child runs on this same machine (the sandbox gives it no UTS namespace of its own), so the
name it must find is the grader's own ``socket.gethostname()``.
"""

from __future__ import annotations

import re
import socket

from harness.api import Probe, Student, brief, quoted

from .calls import CALL_WINDOW, expect_type

TASK = "recipes.r01_hostname"
RUN_WINDOW = 5.0


def name_word(expected: str) -> re.Pattern[str]:
    """The name as a word of its own: "mi-pc" is not in "mi-pc2" nor in "xmi-pc"."""
    return re.compile(rf"(?<![\w.-]){re.escape(expected)}(?![\w-])", re.IGNORECASE)


def test_returns_hostname(student: Student, probe: Probe) -> None:
    expected = socket.gethostname()
    call = "get_hostname()"
    probe.note(call=call, expected=repr(expected))
    value = student.call("get_hostname", timeout=CALL_WINDOW)
    probe.note(observed=brief(value))
    course = student.called_as.get("get_hostname")
    if course is not None and value is None:
        # the course's obtener_info() prints the name instead of returning it
        printed = student.printed()
        probe.note(function=f"{course}()", printed=quoted(printed))
        probe.expect(bool(name_word(expected).search(printed)),
                     "recipes.r01_hostname.function_not_printed", func=f"{course}()",
                     expected=repr(expected), got=quoted(printed))
        return
    expect_type(value, str, call, expected, probe)
    probe.expect(value == expected, "recipes.r01_hostname.wrong_name", got=brief(value),
                 expected=repr(expected))


def test_prints_hostname(student: Student, probe: Probe) -> None:
    expected = socket.gethostname()
    probe.note(expected=expected)
    finished = student.run(timeout=RUN_WINDOW)
    if name_word(expected).search(finished.stdout):
        return
    raise student.crashed_or("recipes.r01_hostname.not_printed", finished,
                             expected=repr(expected), got=quoted(finished.stdout))
