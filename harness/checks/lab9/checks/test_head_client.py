"""Laboratorio 9, exercise 2: a TCP client that sends an HTTP HEAD request to a web server and
shows the response.

The guide asks for the request and its printout; the template adds a URL (argument, or a line
read with ``input()``): how the URL is used is judged by ``default_path_and_port`` alone, never
as a precondition of the other checks. Every run gives the URL both ways and offers three
grader-owned web servers on the virtual network:

- ``url``: the URL's host at the URL's port (the template's contract);
- ``host80``: the URL's host at port 80 when the URL names another port (the port ignored);
- ``other``: any other host on port 80 (``webcode.me``, ``localhost``, ``www.google.com``, an
  address: a hard-coded server is routed, not refused).

Where the request arrived is the grader's own observation. The host the program named (what it
passed to ``connect``) is read from its virtual network's record; the Host header it sent is
compared with it through the grader's own virtual DNS (a name and its address are the same
host). That record is a fact of the student's own process; forging it earns nothing, since the
Host header must then match the forged name, which connecting to that name (also routed here)
gives for free. Every response carries a header value chosen for this run.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from harness.api import (
    CLIENT_WINDOW,
    DOC_NETS,
    RUN_HEADER,
    Finished,
    Probe,
    RawRequest,
    Student,
    VNet,
    WebServer,
    abnormal_end,
    random_int,
    say,
    show,
    token,
)

from .common import tried

TASK = "lab9.head_client"
REQUEST_LINE = re.compile(r"^HEAD (\S+) HTTP/1\.[01]$")
HOST_VALUE = re.compile(r"^(\[[^\]]*\]|[^:]+)(?::(\d+))?$")
URL_PORT = 8080
ROLES = ("url", "host80", "other")


@dataclass
class HeadRun:
    url: str
    host: str
    """The URL's host (random per run)."""
    url_port: int
    path: str
    finished: Finished
    request: RawRequest | None
    role: str | None
    """Which server the request reached (see the module docstring), None when none did."""
    named: tuple[str, int] | None
    """The host and port the program connected to, as it wrote them."""
    run_token: str
    vnet: VNet
    """The run's virtual network (its DNS is what the Host header is compared through)."""

    def note(self, probe: Probe) -> None:
        probe.note(url=self.url, server=say(f"lab9.head_client.reached_{self.role or 'none'}"),
                   host=f"{self.named[0]}:{self.named[1]}" if self.named else "—")
        if self.request is not None:
            probe.sent(self.request.raw, "student")
        probe.output(self.finished)


def url_host() -> tuple[str, str]:
    """A host name for this run's URL and its address in this run's virtual DNS.

    The address is in 198.18.0.0/15 (RFC 2544, never routed), where no other name lands: a
    name without a record gets one of the 762 documentation-range addresses, so the URL's
    host left to that rule shared its address with a hard-coded ``webcode.me`` or
    ``www.google.com`` one run in 762, and such a program then reached the URL's servers
    (told that it ignored the port instead of the URL; with the URL's port, passed)."""
    address = f"198.{random_int(18, 19)}.{random_int(0, 255)}.{random_int(1, 254)}"
    return f"www-{token(6).lower()}.example.com", address


def head_network(host: str, address: str, port: int, fakes: dict[str, int]) -> VNet:
    """The run's virtual network: ``host`` at ``address``, its ``port`` to the ``url`` web
    server, port 80 of it to ``host80`` (when ``port`` is another), any other host on port 80
    to ``other`` (``fakes``: role -> real port)."""
    vnet = VNet().record(host, [address])
    vnet.route("tcp", host, port, ("127.0.0.1", fakes["url"]))
    if "host80" in fakes:
        vnet.route("tcp", host, 80, ("127.0.0.1", fakes["host80"]))
    return vnet.route("tcp", "*", 80, ("127.0.0.1", fakes["other"]))


def run_against(student: Student, *, url_port: int | None, path: str | None,
                keep_alive: bool = False) -> HeadRun:
    host, address = url_host()
    port = url_port or 80
    fakes = {role: WebServer(idle_timeout=10.0) for role in ROLES
             if role != "host80" or port != 80}
    try:
        for fake in fakes.values():
            fake.start()
            # any path is served: a hard-coded "/" is judged like the URL's path
            fake.set_route("*", b"<html><body>labgrade</body></html>\n", close=not keep_alive)
        vnet = head_network(host, address, port, {r: f.port for r, f in fakes.items()})
        url = f"http://{host}" + (f":{url_port}" if url_port else "") + (path or "")
        finished = student.run(args=[url], stdin=url + "\n", vnet=vnet, timeout=CLIENT_WINDOW)
        role = next((r for r, fake in fakes.items() if fake.requests), None)
        request = fakes[role].requests[0] if role else None
        named: tuple[str, int] | None = None
        if role == "url":
            named = (host, port)
        elif role == "host80":
            named = (host, 80)
        elif role == "other":
            named = connected_to(finished, 80)
        token_value = fakes[role or "url"].run_token
        return HeadRun(url, host, port, path or "/", finished, request, role, named,
                       token_value, vnet)
    finally:
        for fake in fakes.values():
            fake.stop()


def connected_to(finished: Finished, port: int) -> tuple[str, int] | None:
    """The last TCP destination on ``port`` the program connected to, as it wrote it."""
    for event in reversed(finished.events):
        address = event.get("address")
        if event.get("ev") == "connect" and event.get("proto") == "tcp" and \
                isinstance(address, list) and len(address) == 2 and address[1] == str(port):
            return str(address[0]), port
    return None


def shared(student: Student) -> HeadRun:
    path = f"/{token(6, mixed_case=True)}/pagina.html"
    return student.cached("port", lambda: run_against(student, url_port=URL_PORT, path=path))


def need_request(run: HeadRun, probe: Probe, file: str) -> RawRequest:
    run.note(probe)
    if run.request is None:
        crash = abnormal_end(run.finished, file)
        if crash is not None:
            raise crash
        raise probe.fail("lab9.head_client.no_request", url=run.url, tried=tried(run.finished))
    return run.request


def test_request_line(student: Student, probe: Probe) -> None:
    run = shared(student)
    request = need_request(run, probe, student.file)
    line = request.raw.split(b"\n", 1)[0].rstrip(b"\r").decode("latin-1")
    probe.note(expected="HEAD /… HTTP/1.1")
    match = REQUEST_LINE.match(line)
    target = match.group(1) if match else ""
    probe.expect(target.startswith(("/", "http://")), "lab9.head_client.request_line",
                 got=show(line), expected="HEAD /… HTTP/1.1")


def host_matches(value: str, named: tuple[str, int], vnet: VNet) -> bool:
    """The Host header names the host the program connected to (by name or by address, the
    grader's virtual DNS decides) and its port when it is not 80."""
    match = HOST_VALUE.match(value.strip().lower())
    if match is None:
        return False
    name, port = match.group(1), int(match.group(2) or 80)
    if port != named[1] or (named[1] != 80 and match.group(2) is None):
        return False
    if name == named[0].lower():
        return True
    if outside_virtual_dns(named[0]):
        return bool(name)  # which name a hard-coded real address has is not ours to say
    try:
        return vnet.resolve(name) == vnet.resolve(named[0])
    except ValueError:
        return False


def outside_virtual_dns(host: str) -> bool:
    """A hard-coded address the virtual DNS never gives (93.184.216.34, not loopback)."""
    try:
        ipaddress.IPv4Address(host)
    except ValueError:
        return False
    return not host.startswith(("127.", *(net + "." for net in DOC_NETS)))


def expected_host(named: tuple[str, int]) -> str:
    return named[0] if named[1] == 80 else f"{named[0]}:{named[1]}"


def test_host_header(student: Student, probe: Probe) -> None:
    run = shared(student)
    request = need_request(run, probe, student.file)
    host = request.header("Host")
    expected = expected_host(run.named) if run.named else "—"
    probe.note(expected=f"Host: {expected}")
    if host is None:
        raise probe.fail("lab9.head_client.no_host")
    probe.expect(run.named is not None and host_matches(host, run.named, run.vnet),
                 "lab9.head_client.wrong_host", got=show(host), expected=expected)


def test_well_formed(student: Student, probe: Probe) -> None:
    run = shared(student)
    raw = need_request(run, probe, student.file).raw
    probe.note(expected=say("lab9.evidence.well_formed_request"))
    bare_lf = re.search(rb"(?<!\r)\n", raw)
    if bare_lf is not None:
        raise probe.fail("lab9.head_client.bare_lf", got=show(raw))
    end = raw.find(b"\r\n\r\n")
    if end < 0:
        raise probe.fail("lab9.head_client.no_blank_line", got=show(raw))
    probe.expect(raw[end + 4:] == b"", "lab9.head_client.has_body", got=show(raw[end + 4:]))


def test_prints_response(student: Student, probe: Probe) -> None:
    run = shared(student)
    need_request(run, probe, student.file)
    out = run.finished.stdout
    expected = f"HTTP/1.1 200 OK … {RUN_HEADER}: {run.run_token}"
    probe.note(expected=expected)
    probe.expect(run.run_token in out, "lab9.head_client.not_printed", expected=expected,
                 got=show(out[-400:]))
    probe.expect(STATUS.search(out) is not None, "lab9.head_client.status_not_printed",
                 got=show(out[-400:]))


STATUS = re.compile(r"HTTP/1\.[01] 200\b|\b200 OK\b")
"""The status line as the server sent it, or its code and reason as ``http.client`` and
``requests`` give them (``print(r.status, r.reason)``: ``200 OK``)."""


def judge_url_use(run: HeadRun, probe: Probe, file: str) -> None:
    """The request went to the URL's host and port, for the URL's path."""
    request = need_request(run, probe, file)
    where = f"{run.named[0]}:{run.named[1]}" if run.named else "—"
    if run.role == "other":
        raise probe.fail("lab9.head_client.url_ignored", url=run.url, named=where)
    if run.role == "host80":
        raise probe.fail("lab9.head_client.port_ignored", url=run.url, used=80)
    target = request.target
    probe.note(expected=f"HEAD {run.path} HTTP/1.1")
    if run.path == "/":
        probe.expect(target == "/", "lab9.head_client.default_path", url=run.url,
                     got=show(target))
    else:
        probe.expect(run.path in (target, request.path),
                     "lab9.head_client.wrong_path", url=run.url, got=show(target),
                     expected=run.path)


def test_default_path_and_port(student: Student, probe: Probe) -> None:
    """Beyond the guide: the URL's host, port (explicit or 80) and path (or "/") are used."""
    judge_url_use(shared(student), probe, student.file)
    judge_url_use(run_against(student, url_port=None, path=None), probe, student.file)


def test_exits_promptly(student: Student, probe: Probe) -> None:
    run = run_against(student, url_port=None, path="/", keep_alive=True)
    run.note(probe)
    f = run.finished
    if f.timed_out:
        raise probe.fail("lab9.head_client.hangs", seconds=student.window(CLIENT_WINDOW))
    if f.exit_code != 0:
        raise abnormal_end(f, student.file) or probe.fail("lab9.head_client.bad_exit",
                                                          code=f.exit_code)
