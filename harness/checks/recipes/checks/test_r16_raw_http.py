"""Receta 16: ``parse_url(url) -> (host, path)`` and ``http_get(url) -> str``, a GET request
written by hand on a TCP socket to port 80, reading until the server closes.

One call of ``http_get`` serves four checks. The grader's web server answers on the URL's
host, port 80, with a 60 KB UTF-8 body sent in 1 KB pieces a few milliseconds apart, and
closes the connection when done; every piece boundary splits a multi-byte character.

- ``request_line`` and ``host_header`` judge the request bytes the server received;
- ``reads_all_chunks`` judges the ASCII characters of the returned text (the whole body,
  nothing else: a per-piece decoding mistake does not change them);
- ``utf8_body`` judges the non-ASCII characters of the returned text (each one the server
  sent, in order, none replaced: a body cut short is judged by ``reads_all_chunks``).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import pytest

from harness.api import (
    CheckFailed,
    Probe,
    RawRequest,
    Student,
    VNet,
    WebServer,
    brief,
    quoted,
    say,
    show,
    token,
    type_name,
)

TASK = "recipes.r16_raw_http"
BODY_SIZE = 60 * 1024
PIECE = 1024
PIECE_DELAY = 0.004
"""Seconds between two pieces of the body (60 pieces: about a quarter of a second)."""
WINDOW = 8.0
SPLIT = "ñ€😀日é—ü"
"""Multi-byte characters (2, 3 and 4 bytes) placed across the piece boundaries."""
FILLER = "canción ñandú pingüino €uro 日本語 "
REQUEST_LINE = re.compile(r"^GET (\S+) HTTP/1\.[01]$")
REPLACEMENT = "\ufffd"


def parse_cases() -> list[tuple[str, tuple[str, str]]]:
    host = f"{token(6).lower()}.example.org"
    path = f"/{token(5, mixed_case=True)}/pagina.html"
    query = f"q={token(4, mixed_case=True)}&n=2"
    return [
        ("http://www.example.com/a/b?c=1", ("www.example.com", "/a/b?c=1")),
        ("http://www.example.com", ("www.example.com", "/")),
        ("http://www.example.com/", ("www.example.com", "/")),
        (f"http://{host}{path}", (host, path)),
        (f"http://{host}{path}?{query}", (host, f"{path}?{query}")),
    ]


def test_parse_url(student: Student, probe: Probe) -> None:
    cases = parse_cases()
    results = student.calls([("parse_url", [u], {}) for u, _e in cases])
    probe.note(cases=[{"url": u, "expected": list(e), "returned": _plain(r)}
                      for (u, e), r in zip(cases, results, strict=True)])
    for (url, expected), got in zip(cases, results, strict=True):
        if not (isinstance(got, tuple | list) and tuple(got) == expected):
            shown = tuple(got) if isinstance(got, list | tuple) else got
            raise probe.fail(f"{TASK}.parse_url", url=url, got=brief(shown),
                             expected=brief(expected))


def _plain(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value if isinstance(
        value, (str, int, float, list, type(None))) else type_name(value)


def utf8_body(tag: str) -> str:
    """About 60 KB of text whose every 1 KB boundary falls inside a multi-byte character;
    each piece starts with an ASCII marker ``<k:tag>``."""
    parts: list[str] = []
    size = 0  # bytes so far
    k = 0
    while size < BODY_SIZE:
        last = (k + 1) * PIECE - 1  # where the character split by boundary k+1 starts
        parts.append(f"<{k:02d}:{tag}> ")
        size += len(parts[-1])
        for char in itertools.cycle(FILLER):
            width = len(char.encode())
            if size + width >= last:
                break
            parts.append(char)
            size += width
        parts.append("." * (last - size))  # ASCII up to one byte before the boundary
        parts.append(SPLIT[k % len(SPLIT)])  # starts there: split between two pieces
        size = last + len(parts[-1].encode())
        k += 1
    return "".join(parts)


@dataclass
class GetRun:
    url: str
    host: str
    path: str
    body: str
    value: object
    failure: CheckFailed | None
    request: RawRequest | None
    evidence: dict[str, object]

    def note(self, probe: Probe) -> None:
        probe.note(url=self.url, served=f"{len(self.body.encode())} bytes en trozos de "
                   f"{PIECE} B cada {PIECE_DELAY * 1000:g} ms", **self.evidence)
        if self.request is not None:
            probe.sent(self.request.raw, "student")

    def text(self, probe: Probe, *, bytes_ok: bool = False) -> str:
        """The returned body; ``bytes_ok``: undecoded bytes are read leniently (whether all
        of the body was read does not depend on decoding it, which ``utf8_body`` judges)."""
        self.note(probe)
        if self.failure is not None:
            raise self.failure
        if bytes_ok and isinstance(self.value, bytes):
            return self.value.decode("utf-8", errors="replace")
        probe.expect(isinstance(self.value, str), f"{TASK}.not_text",
                     got=type_name(self.value))
        assert isinstance(self.value, str)
        return self.value


def make_run(student: Student, probe: Probe) -> GetRun:
    host = f"www.{token(6).lower()}.example.com"
    path = f"/{token(6, mixed_case=True)}/datos.txt"
    body = utf8_body(token(6))
    with WebServer(idle_timeout=WINDOW) as fake:
        fake.set_route(path, body.encode(), content_type="text/plain; charset=utf-8",
                       chunk_size=PIECE, chunk_delay=PIECE_DELAY, close=True)
        vnet = VNet().web(("127.0.0.1", fake.port))  # any host on port 80: the web server
        url = f"http://{host}{path}"
        value: object = None
        failure = None
        try:
            value = student.call("http_get", url, vnet=vnet, timeout=WINDOW)
        except CheckFailed as exc:
            failure = exc
        request = fake.requests[0] if fake.requests else None
        if request is None and fake.incomplete:
            peer, raw = fake.incomplete[0]
            request = RawRequest(raw, "", "", "", [], peer)
    evidence = {k: v for k, v in probe.evidence.items() if k == "traceback"}
    return GetRun(url, host, path, body, value, failure, request, evidence)


@pytest.fixture
def run(student: Student, probe: Probe) -> GetRun:
    return student.cached("get", lambda: make_run(student, probe))


def need_request(run: GetRun, probe: Probe) -> RawRequest:
    run.note(probe)
    if run.request is None:
        if run.failure is not None:
            raise run.failure
        raise probe.fail(f"{TASK}.no_request", url=run.url)
    return run.request


def test_request_line(run: GetRun, probe: Probe) -> None:
    raw = need_request(run, probe).raw
    line = raw.split(b"\n", 1)[0].rstrip(b"\r").decode("latin-1")
    expected = f"GET {run.path} HTTP/1.1"
    probe.note(expected=expected)
    match = REQUEST_LINE.match(line)
    probe.expect(match is not None and match.group(1) == run.path, f"{TASK}.request_line",
                 got=show(line), expected=expected)


def test_host_header(run: GetRun, probe: Probe) -> None:
    request = need_request(run, probe)
    probe.note(expected=f"Host: {run.host}")
    host = request.header("Host")
    if host is None:
        raise probe.fail(f"{TASK}.no_host")
    probe.expect(host.strip().lower() in (run.host, f"{run.host}:80"), f"{TASK}.wrong_host",
                 got=show(host), expected=run.host)


NON_ASCII = re.compile(r"[^\x00-\x7f]+")
ASCII = re.compile(r"[\x00-\x7f]+")


def ascii_part(text: str) -> str:
    return NON_ASCII.sub("", text)


def non_ascii_part(text: str) -> str:
    return ASCII.sub("", text)


def test_reads_all_chunks(run: GetRun, probe: Probe) -> None:
    text = run.text(probe, bytes_ok=True)
    got, want = ascii_part(text), ascii_part(run.body)
    probe.note(returned_chars=len(text),
               expected=say("recipes.evidence.whole_body", chars=len(run.body),
                            size=len(run.body.encode())))
    if got == want:
        return
    if want in got:
        raise probe.fail(f"{TASK}.extra_text", got=quoted(text[:160]))
    if want.startswith(got):
        raise probe.fail(f"{TASK}.body_cut", got=len(text), expected=len(run.body))
    raise probe.fail(f"{TASK}.wrong_body", got=quoted(text[:160]),
                     expected=quoted(run.body[:160]))


def test_utf8_body(run: GetRun, probe: Probe) -> None:
    text = run.text(probe)
    got, want = non_ascii_part(text), non_ascii_part(run.body)
    if len(text) < len(run.body) and got.endswith(REPLACEMENT):
        got = got[:-1]  # the last character of a body cut short: judged by reads_all_chunks
    probe.note(expected=say("recipes.evidence.utf8_chars", sample=quoted(want[:12])))
    if not got:
        raise probe.fail(f"{TASK}.no_utf8", got=quoted(text[:160]))
    n = min(len(got), len(want))
    if got[:n] != want[:n]:  # where they first differ (compared in C first: 30 000 chars)
        i = next(i for i, (a, b) in enumerate(zip(got, want, strict=False)) if a != b)
        raise probe.fail(f"{TASK}.utf8_broken", got=quoted(got[max(0, i - 5):i + 10]),
                         expected=quoted(want[max(0, i - 5):i + 10]))
    probe.expect(len(got) <= len(want), f"{TASK}.utf8_broken", got=quoted(got[len(want):][:20]),
                 expected=quoted(want[-10:]))
