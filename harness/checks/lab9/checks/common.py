"""Judging shared by the lab9 echo servers and clients (TCP and UDP alike)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from harness.api import (
    ClientRun,
    Finished,
    Probe,
    Server,
    Student,
    abnormal_end,
    echo,
    last_error_line,
    run_clients,
    show,
    token,
)

PORT = 21567
TCP_PREFIX = b"Resp: "
UDP_PREFIX = b"Res: "
UTF8_TEXT = "ñandú, canción, 日本語 → "


def judge_port(server: Server, probe: Probe) -> None:
    probe.note(bound={"asked": server.asked_port, "real": server.real_port})
    probe.expect(server.asked_port == PORT, "lab9.server.wrong_port",
                 port=server.asked_port, expected=PORT)
    probe.expect(server.child.alive, "lab9.server.died")


def echo_done(payload: bytes, expected: bytes | None = None) -> Callable[[bytes], bool]:
    """When a TCP reply is complete (``tcp_ask``'s ``done``): it ends with the payload, or,
    with ``expected``, it is as long as that or already differs from it."""
    def done(data: bytes) -> bool:
        if data.endswith(payload):
            return True
        return expected is not None and (len(data) >= len(expected)
                                         or not expected.startswith(data))

    return done


def judge_prefix(reply: bytes | None, prefix: bytes, payload: bytes, probe: Probe) -> None:
    expected = prefix + payload
    probe.note(expected=show(expected))
    if reply is None or reply == b"":
        raise probe.fail("lab9.server.no_reply", sent=show(payload), expected=show(expected))
    probe.expect(reply == expected, "lab9.server.wrong_reply", sent=show(payload),
                 got=show(reply), expected=show(expected))


def judge_payload(reply: bytes | None, payload: bytes, probe: Probe) -> None:
    """The payload came back intact at the end of the reply (prefix judged elsewhere)."""
    probe.note(expected="… + " + show(payload))
    if not reply:
        raise probe.fail("lab9.server.no_reply", sent=show(payload), expected="… " + show(payload))
    probe.expect(reply.endswith(payload), "lab9.server.payload_mangled", sent=show(payload),
                 got=show(reply))


def utf8_payload() -> bytes:
    return (UTF8_TEXT + token(6, mixed_case=True)).encode("utf-8")


# ------------------------------------------------------------------ clients

def prefix_of(proto: str) -> bytes:
    return TCP_PREFIX if proto == "tcp" else UDP_PREFIX


def echo_runs(student: Student, proto: str, *lines: str) -> list[ClientRun]:
    """Runs of a student echo client against the grader's own echo server (the statement's
    prefix), one per line typed at its ``input()``, all at once (one shared window). Any host
    on the statement's port reaches the grader's server: a classroom address (192.168.1.108)
    or the machine's name is routed, not refused."""
    return run_clients(student, *(
        {"proto": proto, "host": "localhost", "port": PORT, "any_host": True,
         "answer": echo(prefix_of(proto)), "stdin": line + "\n"} for line in lines))


def line_of(run: ClientRun) -> str:
    """The line the client was given."""
    return run.stdin.removesuffix("\n")


def tried(finished: Finished) -> str:
    """The refused destinations, for the message of a request that reached nobody."""
    seen = [f"{e['address'][0]}:{e['address'][1]}" for e in finished.events
            if e.get("ev") == "refused" and isinstance(e.get("address"), list)
            and len(e["address"]) == 2]
    return ", ".join(dict.fromkeys(seen)) or "—"


def judge_sends(run: ClientRun, probe: Probe) -> None:
    run.note(probe)
    expected = line_of(run).encode("utf-8")
    probe.note(expected=show(expected))
    if run.first is None:
        raise abnormal_end(run.finished, run.file) or \
            probe.fail("lab9.client.nothing_sent", port=PORT, proto=run.proto.upper(),
                                 tried=tried(run.finished))
    probe.expect(run.first == expected, "lab9.client.wrong_bytes", got=show(run.first),
                 expected=show(expected))


def judge_prints(run: ClientRun, probe: Probe, text: str) -> None:
    run.note(probe)
    expected = prefix_of(run.proto).decode() + text
    probe.note(expected=expected)
    probe.expect(expected in run.finished.stdout, "lab9.client.reply_not_printed",
                 expected=show(expected), got=show(run.finished.stdout[-300:]))


def judge_utf8(run: ClientRun, ascii_run: ClientRun, probe: Probe) -> None:
    """Non-ASCII text goes out as UTF-8 and, where the reply is printed, is decoded as UTF-8.
    Whether the bytes are exactly the line and whether the reply is printed at all are judged
    by ``sends_input`` and ``prints_reply``; a crash that only non-ASCII text causes (decoding
    the reply as ASCII) fails here, and a client that prints the ASCII reply must print this
    one too."""
    run.note(probe)
    encoded = line_of(run).encode("utf-8")
    probe.note(expected=show(encoded))
    crash = abnormal_end(run.finished, run.file)
    if run.first is None:
        raise crash or probe.fail("lab9.client.nothing_sent", port=PORT, proto=run.proto.upper(),
                                 tried=tried(run.finished))
    probe.expect(encoded in run.first, "lab9.client.not_utf8", got=show(run.first),
                 expected=show(encoded))
    if crash is not None and abnormal_end(ascii_run.finished, ascii_run.file) is None:
        raise probe.fail("lab9.client.utf8_crashed", error=crash.params.get("error", ""))
    prefix = prefix_of(run.proto).decode()
    out = run.finished.stdout
    if prefix + line_of(ascii_run) in ascii_run.finished.stdout or prefix in out:
        probe.expect(prefix + line_of(run) in out, "lab9.client.reply_not_decoded",
                     expected=prefix + line_of(run), got=show(out[-300:]))


def judge_exits(run: ClientRun, probe: Probe) -> None:
    run.note(probe)
    f = run.finished
    if f.timed_out:
        raise probe.fail("lab9.client.hangs", seconds=run.window)
    if "EOFError" in last_error_line(f.stderr):
        raise probe.fail("lab9.client.input_twice", line=line_of(run))
    if f.exit_code != 0:
        raise abnormal_end(f, run.file) or probe.fail(
            "lab9.client.bad_exit", code=f.exit_code,
            error=(f.stderr.strip().splitlines() or [""])[-1][:200])


def client_checks(proto: str) -> tuple[Callable[..., None], ...]:
    """The four checks of a lab9 echo client (TCP and UDP alike), for a task module to bind:
    ``runs, ascii_run, test_sends_input, test_prints_reply, test_utf8, test_exits``."""

    @pytest.fixture
    def runs(student: Student) -> tuple[ClientRun, ClientRun]:
        """The client run twice at once: an ASCII line, and one with non-ASCII text."""
        ascii_run, utf8_run = student.cached("runs", lambda: echo_runs(
            student, proto, f"hola-{token(10, mixed_case=True)}",
            UTF8_TEXT + token(6, mixed_case=True)))
        return ascii_run, utf8_run

    @pytest.fixture
    def ascii_run(runs: tuple[ClientRun, ClientRun]) -> ClientRun:
        return runs[0]

    def test_sends_input(ascii_run: ClientRun, probe: Probe) -> None:
        judge_sends(ascii_run, probe)

    def test_prints_reply(ascii_run: ClientRun, probe: Probe) -> None:
        judge_prints(ascii_run, probe, line_of(ascii_run))

    def test_utf8(runs: tuple[ClientRun, ClientRun], probe: Probe) -> None:
        judge_utf8(runs[1], runs[0], probe)

    def test_exits(ascii_run: ClientRun, probe: Probe) -> None:
        judge_exits(ascii_run, probe)

    return runs, ascii_run, test_sends_input, test_prints_reply, test_utf8, test_exits
