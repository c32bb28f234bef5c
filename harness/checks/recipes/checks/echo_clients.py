"""Echo clients of recipes r13 and r14 (``--port P``, the template's ``--message M``) run
against the grader's echo fakes, and the judging of what they sent and printed.

The course's clients take ``--port`` only and send a fixed message; ``--message`` goes beyond
the guide and is judged by its own check (``message_option``), never as a precondition.
"""

from __future__ import annotations

import ast
import re
import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from harness.api import (
    CLIENT_WINDOW,
    CheckFailed,
    ClientRun,
    Finished,
    Probe,
    Student,
    echo,
    quoted,
    run_client,
    say,
    show,
    token,
)

from .servers import random_port

ECHO_CLIENT_TIMEOUT = CLIENT_WINDOW + 1.0
"""How long a recipe's echo client may run (r13, r14, and r13's refused run): one second more
than the API's ``CLIENT_WINDOW``, the 4 s these recipes have always given. The grader's TCP
echo answers in 6-byte pieces 50 ms apart, so the whole echo takes a few hundred ms to come
back rather than arriving at once; and r13's ``hangs`` message names this window, so keeping
it keeps what students read."""


@dataclass
class EchoRun:
    """One run (:class:`ClientRun`) of a student echo client against the grader's echo fake,
    routed at ``localhost:P``. First with ``--port P --message M`` (the template's contract);
    when the program rejects ``--message`` (argparse, status 2: the course's own clients have
    a fixed "Mensaje de prueba"), with ``--port P`` only, the fake then answering a per-run variant
    of the message (some letters' case swapped), so only a client that prints what came back
    passes. ``--message`` is judged by its own check (``message_option``), never here."""

    run: ClientRun
    port: int
    message: str | None
    """The ``--message`` text, or None for the run without it."""
    reply: bytes | None
    """What the fake sent back (the echo, or its per-run variant)."""
    rejected_option: bool = False
    """The program refused ``--message`` (the run judged is then the one without it)."""

    @property
    def finished(self) -> Finished:
        return self.run.finished

    @property
    def received(self) -> bytes | None:
        """What the fake received from the client (None: nothing)."""
        return self.run.first

    def note(self, probe: Probe) -> None:
        probe.note(argv_used=["--port", str(self.port)] +
                   (["--message", self.message] if self.message is not None else []))
        self.run.note(probe)


VOWELS = "aeiouAEIOU"


def swapper() -> Callable[[bytes], bytes]:
    """A per-run variant of a text of the same length: the case of every vowel and of about
    half the other ASCII letters (chosen for this run) swapped. The vowels always are, so a
    message with one ("Mensaje de prueba") always comes back changed: with every letter left to
    chance, a client that prints the message it sent instead of the echo passed whenever no
    letter of its message was drawn (one run in 2048 for "Mensaje de prueba", in 16 for
    "Hola")."""
    chosen = set(VOWELS) | {c for c in string.ascii_letters
                            if c not in VOWELS and secrets.randbelow(2)}
    table = bytes(ord(chr(b).swapcase()) if chr(b) in chosen else b for b in range(128)) + \
        bytes(range(128, 256))
    return lambda data: data.translate(table)


def _client_once(student: Student, proto: str, port: int, message: str | None,
                 transform: Callable[[bytes], bytes] | None) -> EchoRun:
    args = ["--port", str(port)] + (["--message", message] if message is not None else [])
    # a TCP echo that answers in 6-byte pieces, 50 ms apart: one recv() gets only the first
    run = run_client(student, proto=proto, host="localhost", port=port,
                     answer=echo(transform=transform), args=args, timeout=ECHO_CLIENT_TIMEOUT,
                     piece=6, delay=0.05)
    received = run.first
    reply = None if received is None else (transform(received) if transform else received)
    return EchoRun(run, port, message, reply)


def rejects_option(finished: Finished, received: bytes | None, option: str) -> bool:
    """argparse refused ``option`` (status 2, the option named on stderr) and nothing was
    sent."""
    return received is None and finished.exit_code == 2 and option in finished.stderr


def echo_client_run(student: Student, proto: str) -> EchoRun:
    port = random_port()
    message = f"Mensaje de prueba ñandú {token(10)}"
    # the echo comes back as a per-run variant in both modes: a client that prints the
    # message it sent instead of what came back never prints the echo (with --message the
    # echo was exact, and such a client passed prints_echo)
    run = _client_once(student, proto, port, message, swapper())
    if rejects_option(run.finished, run.received, "--message"):
        run = _client_once(student, proto, port, None, swapper())
        run.rejected_option = True
    return run


def client_failure(student: Student, finished: Finished, task: str, key: str,
                   **params: Any) -> CheckFailed:
    """The failure for a client that did not do its part: its crash or limit if it had one,
    its exit status and last error line if it exited non-zero (``argparse`` rejecting an
    option exits 2 with no traceback), else ``key``."""
    failure = student.crashed_or(key, finished, **params)
    if failure.key == key and finished.exit_code not in (0, None) and finished.stderr.strip():
        last = finished.stderr.strip().splitlines()[-1][:300]
        return CheckFailed(f"{task}.exited", file=student.file, code=finished.exit_code,
                           error=last)
    return failure


def judge_sends(run: EchoRun, probe: Probe, task: str, student: Student) -> None:
    """The message sent. With ``--message M`` taken into account (M is in what was sent):
    exactly M in UTF-8. Otherwise (the course's fixed message, or an option accepted and
    ignored, which ``message_option`` judges): a non-empty UTF-8 text."""
    run.note(probe)
    if run.received is None:
        raise client_failure(student, run.finished, task, f"{task}.nothing_sent",
                             port=run.port)
    if run.message is None or run.message.encode("utf-8") not in run.received:
        probe.note(expected=say("recipes.r1x.some_text"))
        try:
            ok = bool(run.received.decode("utf-8").strip())
        except UnicodeDecodeError:
            ok = False
        probe.expect(ok, f"{task}.not_text", got=show(run.received))
        return
    expected = run.message.encode("utf-8")
    probe.note(expected=show(expected))
    probe.expect(run.received == expected, f"{task}.wrong_message", got=show(run.received),
                 expected=show(expected))


BYTES_LITERAL = re.compile(r"""b(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")""")


def printed_bytes(stdout: str) -> bytes:
    """Every ``b'...'`` literal the output shows, evaluated and joined in order (a client
    that prints each piece it receives as ``print("Recibido:", datos)``)."""
    out = b""
    for literal in BYTES_LITERAL.findall(stdout):
        try:
            value = ast.literal_eval(literal)
        except (ValueError, SyntaxError):
            continue
        if isinstance(value, bytes):
            out += value
    return out


def judge_prints(run: EchoRun, probe: Probe, task: str, student: Student) -> None:
    run.note(probe)
    if run.reply is None:
        raise client_failure(student, run.finished, task, f"{task}.nothing_sent",
                             port=run.port)
    expected = run.reply.decode("utf-8", "replace")
    probe.note(expected=expected)
    out = run.finished.stdout
    if expected in out or run.reply in printed_bytes(out):
        return
    raise client_failure(student, run.finished, task, f"{task}.echo_not_printed",
                         expected=quoted(expected), got=quoted(out))


def judge_message_option(run: EchoRun, probe: Probe, task: str, student: Student) -> None:
    """Beyond the guide: ``--message M`` chooses the text sent (M is in what was sent)."""
    run.note(probe)
    if run.rejected_option:
        raise probe.fail(f"{task}.no_message_option")
    if run.received is None:
        raise client_failure(student, run.finished, task, f"{task}.nothing_sent",
                             port=run.port)
    assert run.message is not None
    probe.note(expected=run.message)
    probe.expect(run.message.encode("utf-8") in run.received, f"{task}.message_ignored",
                 got=show(run.received), expected=show(run.message))
