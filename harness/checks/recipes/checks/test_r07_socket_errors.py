"""Receta 7: ``python r07_socket_errors.py --host H --port P --file F`` sends
``GET F HTTP/1.0`` to H:P, prints the reply, and reports every socket error in one clear line
with exit status 1 and no traceback.

- ``usage``: ``--help`` (argparse) exits 0 and its text names ``--host``, ``--port`` and
  ``--file``. (Whether --host/--port are required is the student's choice: not judged.)
- ``happy_path``: the grader's web server, at a host name and port chosen for this run,
  gets ``GET F HTTP/1.x`` and the program prints the reply (its per-run header value and body
  marker) and exits 0.
- ``refused`` (nothing routed: the virtual network refuses), ``unknown_host`` (an NXDOMAIN
  record) and ``reset_by_peer`` (a server that aborts with RST): the program did try (the
  refused connection, the lookup of the name, the connection are on record), shows no
  ``Traceback`` anywhere, exits with status 1, and reports the error: when it writes to
  stderr, in exactly one non-empty line; when it writes errors to stdout, stderr stays empty
  and stdout has a non-empty line.

Proof of the attempts comes from the grader's side: a refused connection and an NXDOMAIN
lookup reach the grader's :class:`~harness.vnet.rules.Witness` before the student's call
fails; the reset is on the reset server's own record. Events the student's process writes
only say when to look (writing ``refused`` on the event channel earns nothing).
"""

from __future__ import annotations

import random
import re

from harness.api import (
    RUN_HEADER,
    Finished,
    Probe,
    ResetServer,
    Student,
    VNet,
    WebServer,
    Witness,
    last_error_line,
    quoted,
    say,
    show,
    token,
)

TASK = "recipes.r07_socket_errors"
RUN_WINDOW = 5.0
OPTIONS = ("--host", "--port", "--file")
REQUEST_LINE = re.compile(r"^GET (\S+) HTTP/1\.[01]$")
ERROR_EXPECTED = say("recipes.evidence.error_case")


def argv(host: str, port: int, path: str) -> list[str]:
    return ["--host", host, "--port", str(port), "--file", path]


def virtual_port() -> int:
    return random.randint(8000, 9999)


def host_network(host: str, port: int, to: tuple[str, int]) -> VNet:
    """The run's virtual network: ``host:port`` reaches the grader's server at ``to``, and
    nothing else answers. ``host`` has its own record in 198.18.0.0/15 (RFC 2544, never
    routed), where no other name lands: left to the virtual DNS's rule for names without a
    record it got one of 762 documentation-range addresses, so a program that ignores
    ``--host`` (a hard-coded ``www.example.com``) shared it and reached the server one run in
    762."""
    address = f"198.{random.randint(18, 19)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
    return VNet().record(host, [address]).route("tcp", host, port, to)


def test_usage(student: Student, probe: Probe) -> None:
    probe.note(expected=say("recipes.evidence.usage", options=", ".join(OPTIONS)))
    finished = student.run(args=["--help"], timeout=RUN_WINDOW)
    need_ended(student, probe, finished)
    if finished.exit_code != 0:
        error = last_error_line(finished.stderr) or _last_line(finished.stderr)
        raise probe.fail("recipes.r07_socket_errors.help_failed", file=student.file,
                         code=finished.exit_code, error=error)
    text = finished.stdout + finished.stderr
    missing = [o for o in OPTIONS if o not in text]
    probe.expect(not missing, "recipes.r07_socket_errors.help_incomplete", file=student.file,
                 missing=", ".join(missing))


def test_happy_path(student: Student, probe: Probe, web_server: WebServer) -> None:
    host, port = f"www-{token(6).lower()}.example.org", virtual_port()
    path, marker = f"/{token(6, mixed_case=True)}/index.html", token(12)
    web_server.set_route(path, f"<html><body>labgrade {marker}</body></html>\n".encode(),
                         close=True)
    vnet = host_network(host, port, ("127.0.0.1", web_server.port))
    finished = student.run(args=argv(host, port, path), vnet=vnet, timeout=RUN_WINDOW)
    request = web_server.requests[0] if web_server.requests else None
    expected_line = f"GET {path} HTTP/1.0"
    probe.note(expected=f"{expected_line}\n… {RUN_HEADER}: {web_server.run_token} … {marker}")
    if request is None:
        raise student.crashed_or("recipes.r07_socket_errors.no_request", finished, host=host,
                                 port=port, answers=vnet.answers())
    probe.sent(request.raw, "student")
    line = request.raw.split(b"\n", 1)[0].rstrip(b"\r").decode("latin-1")
    match = REQUEST_LINE.match(line)
    probe.expect(match is not None and match.group(1) == path,
                 "recipes.r07_socket_errors.request_line", got=show(line),
                 expected=expected_line)
    out = finished.stdout
    probe.expect(web_server.run_token in out and marker in out,
                 "recipes.r07_socket_errors.reply_not_printed",
                 expected=f"{RUN_HEADER}: {web_server.run_token} … {marker}",
                 got=quoted(out))
    need_ended(student, probe, finished)
    probe.expect(finished.exit_code == 0, "recipes.r07_socket_errors.happy_exit",
                 code=finished.exit_code, error=last_error_line(finished.stderr))


def test_refused(student: Student, probe: Probe) -> None:
    host, port = "localhost", virtual_port()
    with Witness() as witness:
        finished = student.run(args=argv(host, port, "/"), vnet=VNet().witnessed(witness),
                               timeout=RUN_WINDOW)
        tried = bool(witness.refused(port))
    judge_error(student, probe, finished, case=f"ConnectionRefusedError ({host}:{port})",
                tried=tried, not_tried="recipes.r07_socket_errors.not_connected",
                host=host, port=port)


def test_unknown_host(student: Student, probe: Probe) -> None:
    host, port = f"no-existe-{token(6).lower()}.example.net", 80
    probe.note(dns={host: "NXDOMAIN"})
    with Witness() as witness:
        vnet = VNet().record(host, None).witnessed(witness)
        finished = student.run(args=argv(host, port, "/"), vnet=vnet, timeout=RUN_WINDOW)
        tried = witness.looked_up(host)
    judge_error(student, probe, finished, case=f"socket.gaierror ({host})", tried=tried,
                not_tried="recipes.r07_socket_errors.not_resolved", host=host, port=port)


def test_reset_by_peer(student: Student, probe: Probe, reset_server: ResetServer) -> None:
    host, port = f"reset-{token(6).lower()}.example.org", virtual_port()
    vnet = host_network(host, port, ("127.0.0.1", reset_server.port))
    finished = student.run(args=argv(host, port, "/"), vnet=vnet, timeout=RUN_WINDOW)
    connected = any(e["ev"] == "connect" and _port_of(e) == port for e in finished.events)
    # the verdict is the server's own record; the shim's event only says whether to wait for it
    tried = reset_server.wait_for_connections(1, timeout=1.0) if connected else \
        bool(reset_server.received)
    if tried and reset_server.received[0]:
        probe.sent(reset_server.received[0], "student")
    judge_error(student, probe, finished, case=f"ConnectionResetError ({host}:{port})",
                tried=tried, not_tried="recipes.r07_socket_errors.not_connected", host=host,
                port=port)


def judge_error(student: Student, probe: Probe, finished: Finished, *, case: str, tried: bool,
                not_tried: str, host: str, port: int) -> None:
    """The error ``case`` was met and reported as the contract says."""
    probe.note(expected=ERROR_EXPECTED)
    need_ended(student, probe, finished)
    if not tried:
        raise student.crashed_or(not_tried, finished, host=host, port=port)
    text = finished.stdout + finished.stderr
    if "Traceback" in text:
        error = last_error_line(finished.stderr) or last_error_line(finished.stdout)
        raise probe.fail("recipes.r07_socket_errors.traceback", case=case, error=error or "—")
    probe.expect(finished.exit_code == 1, "recipes.r07_socket_errors.exit_code", case=case,
                 code=finished.exit_code)
    err = _lines(finished.stderr)
    if err:
        probe.expect(len(err) == 1, "recipes.r07_socket_errors.several_lines", case=case,
                     n=len(err), got=quoted(finished.stderr, 400))
    else:
        probe.expect(bool(_lines(finished.stdout)), "recipes.r07_socket_errors.silent",
                     case=case)


def need_ended(student: Student, probe: Probe, finished: Finished) -> None:
    """The program ended by itself (not stopped at the end of its window, nor by a limit)."""
    if finished.cause == "timeout":
        raise probe.fail("recipes.r07_socket_errors.hangs", file=student.file,
                         seconds=student.window(RUN_WINDOW))
    if finished.cause is not None:
        raise student.crashed_or("common.killed", finished)


def _lines(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if ln.strip()]


def _last_line(text: str) -> str:
    lines = _lines(text)
    return lines[-1].strip()[:200] if lines else ""


def _port_of(event: dict[str, object]) -> int | None:
    address = event.get("address")
    if isinstance(address, list) and len(address) >= 2:
        try:
            return int(str(address[1]))
        except ValueError:
            return None
    return None
