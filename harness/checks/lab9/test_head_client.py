"""Laboratorio 9, exercise 2: ``python head_client.py URL`` sends an HTTP HEAD request to the
URL's host and port for its path, prints the response headers and exits.

The web server is the grader's fake on the virtual network: the URL's host name resolves to it,
its responses carry a header value chosen for this run, and it records the raw request bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from harness.checks.student import Student
from harness.checks.support import Probe, say, show, token
from harness.fakes import RUN_HEADER, RawRequest, WebServer
from harness.sandbox.runner import Finished
from harness.vnet.rules import VNet

TASK = "lab9.head_client"
HOST = "www.example.com"
WINDOW = 3.0
REQUEST_LINE = re.compile(r"^HEAD (\S+) HTTP/1\.[01]$")


@dataclass
class HeadRun:
    url: str
    path: str
    finished: Finished
    request: RawRequest | None
    port_used: int | None
    run_token: str

    def note(self, probe: Probe) -> None:
        probe.note(url=self.url)
        if self.request is not None:
            probe.sent(self.request.raw, "student")
        probe.output(self.finished)


def run_against(student: Student, *, url_port: int | None, path: str | None,
                keep_alive: bool = False) -> HeadRun:
    """Run the client with a URL; fakes wait on port 80 and on the URL's port (if any)."""
    ports = sorted({80, url_port or 80})
    fakes = {p: WebServer(idle_timeout=10.0) for p in ports}
    vnet = VNet()
    try:
        for p, fake in fakes.items():
            fake.start()
            fake.set_route(path or "/", b"<html><body>labgrade</body></html>\n",
                           close=not keep_alive)
            vnet.route("tcp", HOST, p, ("127.0.0.1", fake.port))
        url = f"http://{HOST}" + (f":{url_port}" if url_port else "") + (path or "")
        finished = student.run(args=[url], vnet=vnet, timeout=WINDOW)
        request, used = None, None
        for p, fake in fakes.items():
            if fake.requests:
                request, used = fake.requests[0], p
                break
        token_value = fakes[used or url_port or 80].run_token
        return HeadRun(url, path or "/", finished, request, used, token_value)
    finally:
        for fake in fakes.values():
            fake.stop()


def shared(student: Student) -> HeadRun:
    path = f"/{token(6)}/pagina.html"
    return student.cached("port", lambda: run_against(student, url_port=8080, path=path))


def need_request(run: HeadRun, probe: Probe) -> RawRequest:
    run.note(probe)
    if run.request is None:
        raise probe.fail("lab9.head_client.no_request", url=run.url)
    return run.request


def test_request_line(student: Student, probe: Probe) -> None:
    run = shared(student)
    request = need_request(run, probe)
    line = request.raw.split(b"\n", 1)[0].rstrip(b"\r").decode("latin-1")
    expected = f"HEAD {run.path} HTTP/1.1"
    probe.note(expected=expected)
    match = REQUEST_LINE.match(line)
    probe.expect(match is not None and match.group(1) == run.path,
                 "lab9.head_client.request_line", got=show(line), expected=expected)


def test_host_header(student: Student, probe: Probe) -> None:
    run = shared(student)
    request = need_request(run, probe)
    host = request.header("Host")
    probe.note(expected=f"Host: {HOST}:8080")
    if host is None:
        raise probe.fail("lab9.head_client.no_host")
    probe.expect(host.strip().lower() in (HOST, f"{HOST}:8080"), "lab9.head_client.wrong_host",
                 got=show(host), expected=f"{HOST}:8080")


def test_well_formed(student: Student, probe: Probe) -> None:
    run = shared(student)
    raw = need_request(run, probe).raw
    probe.note(expected=say("evidence.well_formed_request"))
    bare_lf = re.search(rb"(?<!\r)\n", raw)
    if bare_lf is not None:
        raise probe.fail("lab9.head_client.bare_lf", got=show(raw))
    end = raw.find(b"\r\n\r\n")
    if end < 0:
        raise probe.fail("lab9.head_client.no_blank_line", got=show(raw))
    probe.expect(raw[end + 4:] == b"", "lab9.head_client.has_body", got=show(raw[end + 4:]))


def test_prints_response(student: Student, probe: Probe) -> None:
    run = shared(student)
    run.note(probe)
    out = run.finished.stdout
    expected = f"HTTP/1.1 200 OK … {RUN_HEADER}: {run.run_token}"
    probe.note(expected=expected)
    ok = "HTTP/1.1 200" in out and run.run_token in out
    probe.expect(ok, "lab9.head_client.not_printed", expected=expected, got=show(out[-400:]))


def test_default_path_and_port(student: Student, probe: Probe) -> None:
    explicit = shared(student)
    probe.note(url=explicit.url)
    if explicit.request is None or explicit.port_used != 8080:
        raise probe.fail("lab9.head_client.port_ignored", url=explicit.url,
                         used=explicit.port_used or "—")
    bare = run_against(student, url_port=None, path=None)
    bare.note(probe)
    if bare.request is None:
        raise probe.fail("lab9.head_client.no_request", url=bare.url)
    probe.expect(bare.request.target == "/", "lab9.head_client.default_path", url=bare.url,
                 got=show(bare.request.target))


def test_exits_promptly(student: Student, probe: Probe) -> None:
    run = run_against(student, url_port=None, path="/", keep_alive=True)
    run.note(probe)
    f = run.finished
    if f.timed_out:
        raise probe.fail("lab9.head_client.hangs", seconds=WINDOW)
    probe.expect(f.exit_code == 0, "lab9.head_client.bad_exit", code=f.exit_code)
