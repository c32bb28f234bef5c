"""The public check API (harness.api): exchanges record their evidence, the handler fakes,
values, expect/fail, and the statistics with their stated error rates."""

from __future__ import annotations

import ast
import json
import os
import random
import re
import socket
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from harness import api
from harness.api import (
    CheckFailed,
    Opaque,
    Probe,
    RandomnessTest,
    RateTest,
    TcpServer,
    UdpServer,
    binomial_between,
    brief,
    echo,
    expect,
    fail,
    http_request,
    parse_http,
    quoted,
    random_choice,
    random_int,
    random_word,
    tcp_ask,
    two_udp_senders,
    udp_ask,
    udp_exchange,
)
from harness.checks import builtin_roots, support
from harness.fakes import TcpEchoServer, UdpEchoServer, WebServer


def test_the_api_is_the_engine_s_own_machinery_not_a_copy() -> None:
    """Built-in checks move onto harness.api by changing imports: same classes, same fakes."""
    from harness import fakes
    from harness.checks import student, support
    from harness.vnet import rules

    assert api.Probe is support.Probe and api.CheckFailed is support.CheckFailed
    assert api.Student is student.Student and api.Server is student.Server
    assert api.show is support.show and api.token is support.token
    assert api.VNet is rules.VNet and api.WebServer is fakes.WebServer
    assert api.NtpServer is fakes.NtpServer and api.IssApi is fakes.IssApi
    assert sorted(api.__all__) == sorted(set(api.__all__))
    assert all(hasattr(api, name) for name in api.__all__)


def test_expect_and_fail_carry_the_message_key_and_parameters() -> None:
    expect(True, "mypack.never")
    with pytest.raises(CheckFailed) as caught:
        expect(1 + 1 == 3, "mypack.task.wrong_sum", got=2, expected=3)
    assert caught.value.key == "mypack.task.wrong_sum"
    assert caught.value.params == {"got": 2, "expected": 3}
    failure = fail("mypack.task.no_reply", sent="x")
    assert isinstance(failure, CheckFailed) and failure.params == {"sent": "x"}


def test_values_for_this_run_stay_in_their_range() -> None:
    draws = [random_int(3, 5) for _ in range(300)]
    assert set(draws) == {3, 4, 5}
    assert random_int(7, 7) == 7
    with pytest.raises(ValueError):
        random_int(5, 4)
    word = random_word(12)
    assert len(word) == 12 and word.isalnum()
    assert random_choice(["a"]) == "a"
    assert len({random_word(8) for _ in range(20)}) == 20


def test_udp_ask_records_what_was_sent_and_what_came_back() -> None:
    probe = Probe("p.t.c")
    with UdpEchoServer(prefix=b"Res: ") as server:
        reply = udp_ask(server.address, "hola ñ".encode(), probe)
    assert reply == "Res: hola ñ".encode()
    exchanges = probe.evidence["exchanges"]
    assert [(e["dir"], e["peer"]) for e in exchanges] == [("sent", "grader"),
                                                          ("received", "student")]
    assert "hola" in exchanges[0]["data"] and "Res: hola" in exchanges[1]["data"]


def test_udp_ask_without_a_reply_is_none_and_says_so() -> None:
    probe = Probe("p.t.c")
    with UdpServer(lambda data: None) as silent:
        assert udp_ask(silent.address, b"x", probe, window=0.3) is None
        assert silent.datagrams and silent.datagrams[0][1] == b"x"
    assert probe.evidence["exchanges"][1]["data"] == "—"


def test_tcp_ask_stops_as_soon_as_the_reply_is_complete() -> None:
    """A server that keeps the connection open does not cost the window when ``done`` says
    the reply is whole."""
    probe = Probe("p.t.c")
    with TcpEchoServer(prefix=b"Resp: ", idle_timeout=30) as server:
        import time

        started = time.monotonic()
        reply = tcp_ask(server.address, b"abc", probe, window=20,
                        done=lambda d: d.endswith(b"abc"))
        assert time.monotonic() - started < 10
    assert reply == b"Resp: abc"


def test_tcp_server_with_echo_answers_in_pieces_when_asked() -> None:
    """``echo(prefix)`` is the echo fake's answer; ``piece``/``delay`` split each answer, so a
    client that reads once gets only the first piece."""
    with TcpServer(echo(b"Resp: "), piece=4, delay=0.05) as server, \
            socket.create_connection(server.address) as sock:
        sock.sendall(b"abcdef")
        sock.settimeout(5)
        assert sock.recv(100) == b"Resp"
        got = b"Resp"
        while len(got) < len(b"Resp: abcdef"):
            got += sock.recv(100)
        assert got == b"Resp: abcdef"
    assert echo(transform=bytes.upper)(b"ab") == b"AB"
    with pytest.raises(ValueError):
        TcpServer(echo(), piece=0)


def test_one_family_of_formatters_for_messages() -> None:
    assert brief("7f000001") == "'7f000001'"
    assert brief(Opaque("Evil")) == "<Evil>"
    assert brief("x" * 500) == repr("x" * 500)[:200] + "…"
    assert quoted("") == "—"
    assert quoted("dirección\n") == "'dirección\\n'"
    assert quoted("a" * 10 + "fin", limit=3) == "…'fin'"


SEAM_CLASSES = {"ClientRun"}
SEAM_CONSTANTS = {"CLIENT_WINDOW"}
SEAM_FUNCTIONS = {"tcp_ask", "udp_ask", "ask", "_tcp_ask", "_udp_ask", "tcp_exchange",
                  "udp_exchange", "show", "excerpt", "quoted", "brief", "shown", "show_text",
                  "text", "run_client"}


def test_built_in_packs_use_the_api_s_one_helper_family() -> None:
    """No built-in pack defines its own client run, client window, exchange or value
    formatter (read from the syntax tree of every module of its ``checks/``): they are the
    API's, so the packs and an instructor's pack are judged with the same helpers."""
    found = []
    modules = [p for root in builtin_roots() for p in sorted((root / "checks").rglob("*.py"))]
    assert len(modules) > 20
    for path in modules:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found += [f"{path.name}:{node.lineno} {node.name}" for node in ast.walk(tree)
                  if isinstance(node, ast.ClassDef) and node.name in SEAM_CLASSES]
        for node in tree.body:  # module level: a method of the same name is not a helper
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) \
                    and node.name in SEAM_FUNCTIONS:
                found.append(f"{path.name}:{node.lineno} {node.name}")
            targets = node.targets if isinstance(node, ast.Assign) else \
                [node.target] if isinstance(node, ast.AnnAssign) else []
            found += [f"{path.name}:{node.lineno} {t.id}" for t in targets
                      if isinstance(t, ast.Name) and t.id in SEAM_CONSTANTS]
        assert not path.stem.startswith("common_"), f"{path}: name a module by what it holds"
    assert found == []


def test_tcp_ask_to_a_closed_port_is_none() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert tcp_ask(("127.0.0.1", port), b"x", Probe("p.t.c")) is None


def _freed_port() -> int:
    """A loopback port of the ephemeral range nobody holds: a student's server that ended."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_grader_never_takes_its_own_datagram_for_a_reply() -> None:
    """After a student's UDP server ends, the kernel may give the grader's next socket that
    freed port: what it sends the "server" comes back to itself (seen once in CI: a time
    server that crashed "answered" ``hora 72``). Forced here by sending from the port."""
    port = _freed_port()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as own:
        own.bind(("127.0.0.1", port))
        assert udp_exchange(("127.0.0.1", port), b"hora 72", window=0.3, sock=own) is None
        own.sendto(b"hora 73", ("127.0.0.1", port))
        data, peer = own.recvfrom(100)
        assert (data, api.from_itself(own, peer)) == (b"hora 73", True)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as other, \
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server:
        server.bind(("127.0.0.1", 0))
        other.bind(("127.0.0.1", 0))
        other.sendto(b"x", server.getsockname())
        data, peer = server.recvfrom(100)
        assert not api.from_itself(server, peer)  # a real sender is a reply


def test_the_time_server_probe_counts_no_datagram_of_its_own(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The drop probe's reader, with one of its sockets on the freed port of the server."""
    import selectors

    from harness.checks.lab9.checks import test_udp_time_server as timeprobe
    port = _freed_port()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as own, \
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server, \
            selectors.DefaultSelector() as sel:
        own.bind(("127.0.0.1", port))
        server.bind(("127.0.0.1", 0))
        sel.register(own, selectors.EVENT_READ, 0)
        pattern: list[int] = [0]
        replies: list[tuple[bytes, object]] = []
        own.sendto(b"hora 0", ("127.0.0.1", port))
        timeprobe.collect(sel, ("127.0.0.1", port), pattern, replies,  # type: ignore[arg-type]
                          0.3)
        assert (pattern, replies) == ([0], [])
        server.sendto(b"Fri Dec  4 04:08:06 2026", own.getsockname())
        timeprobe.collect(sel, server.getsockname(), pattern, replies,  # type: ignore[arg-type]
                          1.0)
        assert pattern == [1] and replies[0][0] == b"Fri Dec  4 04:08:06 2026"


def _stray_then_reply(server: socket.socket, stray: socket.socket, payload: bytes,
                      reply: bytes) -> None:
    """The server's side of an exchange that a stray datagram overtakes: it waits for the
    grader's datagram, has another socket send the grader something first, then answers."""
    data, peer = server.recvfrom(100)
    assert data == payload
    stray.sendto(b"hora 17", peer)  # e.g. another submission's prober, on a freed port
    server.sendto(reply, peer)


def test_a_stray_datagram_from_another_program_is_no_reply() -> None:
    """Found in CI (a reference graded beside another submission lost 2 points): every
    socket of the machine sends to ports of the ephemeral range, which the kernel hands out
    again once their owner ends, so one of the grader's sockets may receive what another
    program meant for a server gone. Only the server asked may answer."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server, \
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as stray:
        server.bind(("127.0.0.1", 0))
        stray.bind(("127.0.0.1", 0))
        with ThreadPoolExecutor(1) as pool:
            done = pool.submit(_stray_then_reply, server, stray, b"hola", b"Res: hola")
            answer = udp_exchange(server.getsockname(), b"hola", window=2.0, owner=STUDENT)
            done.result()
        assert answer == (b"Res: hola", server.getsockname())
        assert api.is_reply(server, stray.getsockname(), server.getsockname(), STUDENT) is False
        assert api.is_reply(stray, server.getsockname(), ("localhost",
                                                          server.getsockname()[1])) is True


STUDENT = os.geteuid() + 4242
"""The uid of a student in these tests: every socket they open is another user's (the
grader's), so a datagram from one that is not the server's address is a stray."""


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "", "0.0.0.0"])
def test_a_server_that_answers_from_another_socket_of_its_own_is_answered(host: str) -> None:
    """Found by a review: a server may send its reply from a second socket, and the course's
    clients (``recvfrom`` takes any sender) accept it. A datagram from elsewhere than the
    server's address is a stray only when the kernel shows its socket held by another user
    than the student's; here the test's own user is the student."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server, \
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as other:
        server.bind(("127.0.0.1", 0))
        other.bind(("127.0.0.1", 0))

        def answer_from_the_other() -> None:
            data, peer = server.recvfrom(100)
            other.sendto(b"Res: " + data, peer)

        with ThreadPoolExecutor(1) as pool:
            done = pool.submit(answer_from_the_other)
            answer = udp_exchange((host, server.getsockname()[1]), b"hola", window=2.0,
                                  owner=os.geteuid())
            done.result()
        assert answer == (b"Res: hola", other.getsockname())
        assert api.is_reply(server, other.getsockname(), server.getsockname(), None) is True
        assert api.is_reply(server, other.getsockname(), server.getsockname(),
                            STUDENT) is False


def test_an_address_matches_as_the_kernel_gives_it() -> None:
    """The server's address as a check names it, against the one a reply came from."""
    for host, peer, want in (
            ("127.0.0.1", "127.0.0.1", True),
            ("0.0.0.0", "127.0.0.1", True),
            ("", "127.0.0.1", True),
            ("localhost", "127.0.0.1", True),
            ("::ffff:127.0.0.1", "127.0.0.1", True),
            ("127.0.0.1", "::ffff:127.0.0.1", True),
            ("127.0.0.1", "127.0.0.2", False),
            ("::1", "127.0.0.1", False)):
        assert support._same_host(peer, host) is want, (host, peer)


def test_the_servers_address_is_a_reply_whoever_holds_it() -> None:
    """A datagram from the server's address is its reply without asking the kernel who holds
    the socket; one from another port held by another user than the student's is a stray,
    and one from a port nobody holds any more is taken, as a client would take it."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as own, \
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server:
        other = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for s in (own, server, other):
            s.bind(("127.0.0.1", 0))
        address = server.getsockname()
        assert api.is_reply(own, address, address, STUDENT) is True
        assert api.is_reply(own, other.getsockname(), address, STUDENT) is False
        assert api.is_reply(own, other.getsockname(), address, os.geteuid()) is True
        gone = other.getsockname()
        other.close()
        assert api.is_reply(own, gone, address, STUDENT) is True


def test_two_senders_take_no_stray_for_their_reply() -> None:
    """:func:`two_udp_senders` with a stray overtaking each client's reply."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server, \
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as stray:
        server.bind(("127.0.0.1", 0))
        stray.bind(("127.0.0.1", 0))

        def echo_with_strays() -> None:
            got = [server.recvfrom(100) for _ in range(2)]
            for data, peer in got:
                stray.sendto(b"hora 17", peer)
                server.sendto(b"Res: " + data, peer)

        with ThreadPoolExecutor(1) as pool:
            done = pool.submit(echo_with_strays)
            two_udp_senders(server.getsockname(), Probe("p.t.c"), 2.0, "p.t.wrong",
                            owner=STUDENT)
            done.result()


def test_the_time_server_probe_counts_no_stray(monkeypatch: pytest.MonkeyPatch) -> None:
    """The drop probe's reader: a datagram from anything but the server is no reply."""
    import selectors

    from harness.checks.lab9.checks import test_udp_time_server as timeprobe
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as own, \
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server, \
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as stray, \
            selectors.DefaultSelector() as sel:
        for s in (own, server, stray):
            s.bind(("127.0.0.1", 0))
        sel.register(own, selectors.EVENT_READ, 0)
        pattern: list[int] = [0]
        replies: list[tuple[bytes, object]] = []
        stray.sendto(b"hora 72", own.getsockname())
        arrived = timeprobe.collect(sel, server.getsockname(), pattern,
                                    replies, 1.0, owner=STUDENT)  # type: ignore[arg-type]
        assert arrived and (pattern, replies) == ([0], [])


def test_the_grader_never_connects_to_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    """TCP's form of the same: a connection whose local port the kernel chose equal to the
    ended server's connects to itself (simultaneous open) and reads back what it sent.
    Forced by giving the connection that local port."""
    port = _freed_port()
    real = socket.create_connection
    monkeypatch.setattr(socket, "create_connection", lambda address, timeout: real(
        address, timeout=timeout, source_address=("127.0.0.1", port)))
    with pytest.raises(ConnectionRefusedError):
        api.connect(("127.0.0.1", port), 1.0)
    assert tcp_ask(("127.0.0.1", port), b"Resp: x", Probe("p.t.c"), window=0.3) is None
    monkeypatch.setattr(socket, "create_connection", real)
    with TcpEchoServer() as echo:  # a server that is there is connected to
        api.connect(echo.address, 1.0).close()


def test_built_in_packs_connect_through_the_api() -> None:
    """Every connection a built-in check makes goes through :func:`api.connect`, which
    refuses the self-connection above (no ``create_connection`` in their syntax trees)."""
    modules = [p for root in builtin_roots() for p in sorted((root / "checks").rglob("*.py"))]
    found = [f"{path.name}:{node.lineno}" for path in modules
             for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, ast.Attribute) and node.attr == "create_connection"]
    assert found == []


def test_tcp_server_answers_through_the_handler_once_the_message_is_whole() -> None:
    def answer(pending: bytes) -> bytes | None:
        return pending.upper() if pending.endswith(b"\n") else None

    with TcpServer(answer) as server, socket.create_connection(server.address) as sock:
        sock.sendall(b"ho")
        sock.sendall(b"la\n")
        sock.settimeout(5)
        assert sock.recv(100) == b"HOLA\n"
        sock.close()
        assert server.wait_for_connections(1)
        assert server.connections == [b"hola\n"]


def test_http_request_reads_to_content_length_and_parses() -> None:
    probe = Probe("p.t.c")
    with WebServer() as web:
        web.set_route("/", b"<p>hola</p>")
        reply = http_request(web.address, probe, "GET", "/")
        missing = http_request(web.address, probe, "GET", "/nada")
    assert reply is not None and reply.status == 200
    assert reply.text == "<p>hola</p>" and "text/html" in reply.headers["content-type"]
    assert missing is not None and missing.status == 404
    assert parse_http(b"HTTP/1.0 200 OK\r\nX: 1") is None
    bare = parse_http(b"garbage\r\n\r\nbody")
    assert bare is not None and bare.status is None and bare.body == b"body"


# ------------------------------------------------------------------ statistics

def test_rate_test_states_its_error_rates_exactly() -> None:
    test = RateTest.design(200, rate=0.5, false_fail=1e-4)
    assert test.false_fail <= 1e-4
    assert 60 < test.low < 100 < test.high < 140 and test.low + test.high == 200
    assert test.pass_probability(0.5) == pytest.approx(1 - test.false_fail)
    # a program that answers 25 % or 75 % of the time almost never passes
    assert test.pass_probability(0.25) < 1e-3 and test.pass_probability(0.75) < 1e-3
    assert binomial_between(0, 200, 200, 0.3) == pytest.approx(1.0)
    assert test.passes(100) and not test.passes(test.low - 1) and not test.passes(test.high + 1)
    assert test.evidence(100)["interval"] == [test.low, test.high]


def test_rate_test_false_fail_matches_a_simulation() -> None:
    """The stated false-fail rate is what a simulated fair coin sees (fixed seed)."""
    test = RateTest.design(50, rate=0.5, false_fail=0.05)
    rng = random.Random(20240601)
    runs = 20000
    fails = sum(not test.passes(sum(rng.random() < 0.5 for _ in range(50)))
                for _ in range(runs))
    assert fails / runs == pytest.approx(test.false_fail, abs=0.006)


def test_rate_test_rejects_nonsense() -> None:
    for bad in ({"n": 0}, {"n": 10, "rate": 1.0}, {"n": 10, "false_fail": 0.0}):
        with pytest.raises(ValueError):
            RateTest.design(**bad)  # type: ignore[arg-type]


def test_randomness_test_passes_coins_and_catches_patterns() -> None:
    test = RandomnessTest(false_fail=1e-4, max_period=8)
    rng = random.Random(7)
    coin_fails = sum(not test.judge([int(rng.random() < 0.5) for _ in range(200)])[0]
                     for _ in range(300))
    assert coin_fails <= 1
    alternating = [i % 2 for i in range(200)]
    period3 = [int(i % 3 == 0) for i in range(200)]
    blocks = [int((i // 10) % 2 == 0) for i in range(200)]
    for pattern in (alternating, period3, blocks, [1] * 200):
        ok, evidence = test.judge(pattern)
        assert not ok, evidence
    ok, evidence = test.judge([int(rng.random() < 0.5) for _ in range(200)])
    assert set(evidence) >= {"runs_z", "runs_bound", "lag_z_max", "pattern"}


# ------------------------------------------------------------------ a pack written on the API

CHECKS = '''\
from harness.api import (Probe, Student, expect, random_int, random_word, run_client, say,
                         show, skip)

TASK = "apitest.{task}"
'''

CONV_CHECK = CHECKS.format(task="conv") + '''

def test_calls(student: Student, probe: Probe) -> None:
    n = random_int(16, 255)
    got = student.call("to_bases", n)
    probe.note(observed=say("apitest.asked", n=n))
    expect(got == f"{hex(n)} {oct(n)} {bin(n)}", "apitest.wrong", got=show(str(got)))


def test_not_here(probe: Probe) -> None:
    skip("apitest.not_here", why="IPv6")
'''

CLIENT_CHECK = CHECKS.format(task="client") + '''
from .helpers import upper_answer

def test_roundtrip(student: Student, probe: Probe) -> None:
    word = random_word(8)
    run = run_client(student, proto="tcp", host="servidor.example", port=7000,
                     answer=upper_answer, stdin=word + "\\n")
    run.note(probe)
    if not run.sent:
        raise run.ended_badly() or probe.fail("apitest.wrong", got="—")
    expect(run.sent == [word.encode()], "apitest.wrong", got=show(b"".join(run.sent)))
    expect(word.upper() in run.stdout, "apitest.wrong", got=show(run.stdout))
'''

CONV = 'def to_bases(n):\n    return f"{hex(n)} {oct(n)} {bin(n)}"\n'
CLIENT = '''\
import socket

palabra = input()
with socket.create_connection(("servidor.example", 7000)) as s:
    s.sendall(palabra.encode())
    print(s.recv(1024).decode())
'''


def _api_pack(root: Path) -> Path:
    files = {
        "pack.toml": '[pack]\nname = "apitest"\n[tasks.conv]\nfile = "conv.py"\n'
                     'points = { calls = 1, not_here = 1 }\n[tasks.client]\nfile = "client.py"\n'
                     'points = { roundtrip = 2 }\n',
        "checks/test_conv.py": CONV_CHECK, "checks/test_client.py": CLIENT_CHECK,
        "checks/helpers.py": "def upper_answer(data: bytes) -> bytes:\n"
                             "    return data.upper()\n",
        "reference/conv.py": CONV, "reference/client.py": CLIENT,
        "template/conv.py": "def to_bases(n):\n    raise NotImplementedError\n",
        "template/client.py": "raise NotImplementedError\n",
    }
    for lang in ("es", "en"):
        files[f"i18n/{lang}.json"] = json.dumps({
            "task.apitest.conv": "conv", "task.apitest.client": "client",
            "check.apitest.conv.calls": "calls", "check.apitest.client.roundtrip": "roundtrip",
            "check.apitest.conv.not_here": "not here",
            "apitest.not_here": "sin {why}" if lang == "es" else "no {why} here",
            "apitest.asked": "se preguntó {n}" if lang == "es" else "asked for {n}",
            "apitest.wrong": "mal: {got}" if lang == "es" else "wrong: {got}"})
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def test_a_pack_on_the_api_gets_the_engine_s_containment_and_evidence(tmp_path: Path) -> None:
    from harness.engine import grade
    from harness.packs import load
    from harness.packs.lint import lint

    root = _api_pack(tmp_path / "apitest")
    assert lint(load(root)) == []
    ref = grade(root / "reference", courses=[root], lang="en", report=False)
    assert {c.id: c.status for c in ref.checks} == {"apitest.conv.calls": "passed",
                                                    "apitest.conv.not_here": "skipped",
                                                    "apitest.client.roundtrip": "passed"}
    assert next(c.message for c in ref.checks if c.id == "apitest.conv.not_here") == \
        "no IPv6 here"
    calls = next(c for c in ref.checks if c.id == "apitest.conv.calls")
    assert re.fullmatch(r"asked for \d+", calls.evidence["observed"])
    roundtrip = next(c for c in ref.checks if c.id == "apitest.client.roundtrip")
    dirs = [(e["dir"], e["peer"]) for e in roundtrip.evidence["exchanges"]]
    assert dirs == [("sent", "your program"), ("received", "grader")]
    assert roundtrip.evidence["exit"]["code"] == 0
    tpl = grade(root / "template", courses=[root], lang="es", report=False)
    judged = [c for c in tpl.checks if c.status != "skipped"]
    assert tpl.score == 0 and {c.status for c in judged} == {"failed"}
    assert all("NotImplementedError" in c.message for c in judged), [c.message for c in judged]


def test_drain_makes_the_records_complete_without_a_fixed_wait() -> None:
    """What a fire-and-forget client sent before it ended is recorded once drain() returns,
    and the drain's own marker is neither recorded nor answered."""
    answered: list[bytes] = []

    def answer(data: bytes) -> bytes:
        answered.append(data)
        return b"ok"

    with UdpServer(answer) as udp:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            for i in range(20):
                s.sendto(b"d%d" % i, udp.address)
        assert udp.drain()
        assert [d for _, d in udp.datagrams] == [b"d%d" % i for i in range(20)]
    assert answered == [b"d%d" % i for i in range(20)]
    answered.clear()
    with TcpServer(answer) as tcp:
        for i in range(5):
            with socket.create_connection(tcp.address) as c:
                c.sendall(b"c%d" % i)
        assert tcp.drain()
        assert sorted(tcp.connections) == [b"c%d" % i for i in range(5)]
        assert tcp.ended == 5
    assert sorted(answered) == [b"c%d" % i for i in range(5)]


class _BarrierStudent:
    """A stand-in for :class:`Student` whose runs each wait until every run has started:
    runs made one after another would never get past the first."""

    file = "client.py"

    def __init__(self, runs: int) -> None:
        import threading

        self.barrier = threading.Barrier(runs, timeout=10)
        self.probes: list[Probe] = []

    def run(self, *, stdin: str, args: list[str] | None, vnet: object, timeout: float,
            probe: Probe | None = None) -> object:
        from harness.sandbox.runner import Finished

        assert probe is not None
        self.probes.append(probe)
        self.barrier.wait()  # BrokenBarrierError after 10 s when the runs are not at once
        return Finished(exit_code=0, signal=None, timed_out=False, stdout=stdin.upper(),
                        stderr="", stdout_bytes=len(stdin), stderr_bytes=0, duration_s=0.0)

    def window(self, timeout: float) -> float:
        return timeout


def test_run_clients_runs_at_once_and_leaves_the_current_evidence_alone() -> None:
    student = _BarrierStudent(3)
    current = Probe("the check being run")
    asks = ({"proto": "tcp", "host": "localhost", "port": 1, "answer": echo(b"R: "),
             "stdin": f"line {i}\n"} for i in range(3))
    runs = api.run_clients(student, *asks)  # type: ignore[arg-type]
    assert [r.stdout for r in runs] == ["LINE 0\n", "LINE 1\n", "LINE 2\n"]  # in order
    assert current.evidence == {}
    assert current not in student.probes and len(set(map(id, student.probes))) == 3
    runs[1].note(current)  # a check puts in the run it judges, argv included
    assert current.evidence["argv"] == ["client.py"]
    assert current.evidence["stdin"] == "line 1\n" and current.evidence["stdout"] == "LINE 1\n"


class _ChunkyClientStudent(_BarrierStudent):
    """A stand-in whose "program" is a real client in this process: on one connection it
    sends a line in two pieces (each answered), then it opens a second connection."""

    def __init__(self) -> None:
        super().__init__(1)

    def run(self, *, stdin: str, args: list[str] | None, vnet: object, timeout: float,
            probe: Probe | None = None) -> object:
        host, port = vnet.to_json()["routes"][0]["to"]  # type: ignore[attr-defined]
        with socket.create_connection((host, port), timeout=5) as sock:
            for piece in (b"ab", b"cd"):
                sock.sendall(piece)
                sock.recv(100)
        with socket.create_connection((host, port), timeout=5) as sock:
            sock.sendall(b"x")
            sock.recv(100)
        return super().run(stdin=stdin, args=args, vnet=vnet, timeout=timeout, probe=probe)


def test_a_client_s_evidence_pairs_each_connection_with_all_it_was_answered() -> None:
    """A client that sends in pieces gets one answer per piece: the evidence shows each
    connection's bytes beside everything answered on that connection."""
    run = api.run_client(_ChunkyClientStudent(), proto="tcp", host="localhost", port=21567,  # type: ignore[arg-type]
                         answer=echo(b"R:"), stdin="\n", probe=Probe(""))
    assert run.sent == [b"abcd", b"x"]
    assert run.answers == [b"R:abR:cd", b"R:x"]
    probe = Probe("check")
    run.note(probe)
    assert [(e["dir"], e["data"]) for e in probe.evidence["exchanges"]] == [
        ("sent", "abcd"), ("received", "R:abR:cd"), ("sent", "x"), ("received", "R:x")]
