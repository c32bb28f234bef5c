"""Laboratorio 9 graded both ways: the reference earns every point, the template none, and
each deliberately broken program loses exactly the checks of its bug and keeps the rest."""

from __future__ import annotations

import itertools
import random
import re
from pathlib import Path

import pytest

from harness.checks import builtin_roots
from harness.engine import grade
from harness.packs.collect import pack_module
from tests.conftest import REFERENCE, TEMPLATE, failing

LAB9 = builtin_roots()[0]
stats = pack_module(LAB9, "stats")

LAB9_TASKS = ["tcp_server", "tcp_client", "udp_server", "udp_client", "udp_time_server",
              "head_client"]


@pytest.fixture(scope="module")
def reference_result():  # type: ignore[no-untyped-def]
    return grade(REFERENCE, only=["lab9"], lang="en")


def test_reference_full_marks(reference_result) -> None:  # type: ignore[no-untyped-def]
    r = reference_result
    assert r.max_score > 0
    assert {c.task for c in r.checks} == {f"lab9.{t}" for t in LAB9_TASKS}
    assert failing(r) == set(), [(c.id, c.message) for c in r.checks if c.status != "passed"]
    assert r.score == r.max_score


def test_template_scores_zero_without_harness_errors() -> None:
    r = grade(TEMPLATE, only=["lab9"], lang="es")
    assert r.score == 0
    assert {c.status for c in r.checks} == {"failed"}
    assert all(c.message and "Traceback" not in c.message for c in r.checks)


TS = "lab9/tcp_server.py"
TC = "lab9/tcp_client.py"
US = "lab9/udp_server.py"
UC = "lab9/udp_client.py"
TIME = "lab9/udp_time_server.py"
HEAD = "lab9/head_client.py"

SINGLE_EXCHANGE_SERVER = '''import socket
s = socket.socket()
s.bind(("localhost", 21567))
s.listen(5)
while True:
    conn, addr = s.accept()
    data = conn.recv(1024)
    print("primer byte:", data[0])
    conn.sendall(b"Resp: " + data)
    conn.close()
'''

ENDLESS_RECV_SERVER = '''import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("", 21567))
s.listen(5)
while True:
    conn, addr = s.accept()
    while True:
        data = conn.recv(1024)
        conn.send(b"Resp: " + data)
'''

MUTE_SERVER = '''import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("", 21567))
s.listen(5)
while True:
    conn, addr = s.accept()
    print("recibido:", conn.recv(1024))
    conn.close()
'''

TIME_SERVER = '''import random, socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("localhost", 21567))
n = 0
while True:
    data, addr = s.recvfrom(1024)
    n += 1
    if {drop}:
        {log}
        continue
    s.sendto({reply}, addr)
'''


HARD_CODED_HEAD = '''import socket

with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    s.connect(("webcode.me", 80))
    s.sendall(b"HEAD / HTTP/1.1\\r\\nHost: webcode.me\\r\\nAccept: text/html\\r\\n\\r\\n")
    print(str(s.recv(1024), "utf-8"))
'''


def time_server(drop: str, *, log: str = 'print(f"Mensaje de {addr} descartado")',
                reply: str = "time.ctime().encode()") -> dict[str, dict[str, str]]:
    return {"files": {TIME: TIME_SERVER.format(drop=drop, log=log, reply=reply)}}


def kept_from_running(request: int) -> str:
    """A correct time server that, having read request number ``request``, runs 1.6 s
    before it answers it (always: a late answer that the grader had counted as a drop is what
    costs ``logs_discards``): what a busy machine's wait for a CPU looks like."""
    return TIME_SERVER.replace("    n += 1\n", f"""    n += 1
    if n == {request}:
        spin = time.monotonic() + 1.6
        while time.monotonic() < spin:
            pass
""").format(drop=f"n != {request} and random.random() < 0.5",
            log='print(f"Mensaje de {addr} descartado")', reply="time.ctime().encode()")


# (task, changes, exactly the checks that must fail)
VARIANTS = {
    # --- tcp_server
    "tcp wrong port": ("lab9.tcp_server", {"patch": {TS: [("PORT = 21567", "PORT = 21568")]}},
                       {"starts"}),
    "tcp wrong prefix": ("lab9.tcp_server", {"patch": {TS: [('b"Resp: "', 'b"Res: "')]}},
                         {"echo_prefix"}),
    "tcp no utf-8": ("lab9.tcp_server", {"patch": {TS: [(
        'conn.sendall(b"Resp: " + data)',
        'conn.sendall(b"Resp: " + data.decode("latin-1").encode("utf-8"))')]}},
        {"utf8_payload"}),
    "tcp two clients only": ("lab9.tcp_server", {"patch": {TS: [
        ("        while True:\n            conn, addr", "        for _ in range(2):\n"
         "            conn, addr")]}}, {"sequential_clients"}),
    "tcp single client only": ("lab9.tcp_server", {"patch": {TS: [
        ("        while True:\n            conn, addr", "        for _ in range(1):\n"
         "            conn, addr")]}}, {"sequential_clients", "survives_silent_client"}),
    "tcp crashes on silent client": ("lab9.tcp_server", {"files": {TS: SINGLE_EXCHANGE_SERVER}},
                                     {"survives_silent_client"}),
    "tcp server never ends its recv loop": ("lab9.tcp_server", {"files": {TS: ENDLESS_RECV_SERVER}},
                                            {"sequential_clients", "survives_silent_client"}),
    "tcp server that never answers": ("lab9.tcp_server", {"files": {TS: MUTE_SERVER}},
                                      {"echo_prefix", "utf8_payload", "sequential_clients",
                                       "survives_silent_client"}),
    # --- tcp_client
    "tcp client sends newline": ("lab9.tcp_client", {"patch": {TC: [
        ('sock.sendall(msg.encode("utf-8"))', 'sock.sendall((msg + "\\n").encode("utf-8"))')]}},
        {"sends_input"}),
    "tcp client prints what it sent": ("lab9.tcp_client", {"patch": {TC: [
        ('print(data.decode("utf-8"))', 'print("Enviado:", msg)')]}}, {"prints_reply"}),
    "tcp client latin-1": ("lab9.tcp_client", {"patch": {TC: [
        ('msg.encode("utf-8")', 'msg.encode("latin-1", "replace")'),
        ('data.decode("utf-8")', 'data.decode("latin-1")')]}}, {"utf8"}),
    "tcp client loops on input": ("lab9.tcp_client", {"patch": {TC: [
        ('if __name__ == "__main__":\n    main()',
         'if __name__ == "__main__":\n    while True:\n        main()')]}}, {"exits"}),
    "tcp client hard-codes a classroom address (still correct)": ("lab9.tcp_client", {
        "patch": {TC: [('HOST = "localhost"', 'HOST = "192.168.1.108"')]}}, set()),
    "tcp client decodes the reply as ASCII": ("lab9.tcp_client", {"patch": {TC: [
        ('data.decode("utf-8")', 'data.decode("ascii")')]}}, {"utf8"}),
    # --- udp_server
    "udp wrong port": ("lab9.udp_server", {"patch": {US: [("PORT = 21567", "PORT = 21500")]}},
                       {"starts"}),
    "udp wrong prefix": ("lab9.udp_server", {"patch": {US: [('b"Res: "', 'b"Resp: "')]}},
                         {"echo_prefix"}),
    "udp no utf-8": ("lab9.udp_server", {"patch": {US: [(
        'b"Res: " + data', 'b"Res: " + data.decode("latin-1").encode("utf-8")')]}},
        {"utf8_payload"}),
    "udp replies to a fixed address": ("lab9.udp_server", {"patch": {US: [
        ("        while True:\n", "        first = None\n        while True:\n"),
        ('server.sendto(b"Res: " + data, addr)',
         'first = first or addr\n            server.sendto(b"Res: " + data, first)')]}},
        {"replies_to_sender"}),
    "udp three datagrams only": ("lab9.udp_server", {"patch": {US: [
        ("        while True:\n", "        for _ in range(3):\n")]}}, {"keeps_serving"}),
    # --- udp_client
    "udp client sends newline": ("lab9.udp_client", {"patch": {UC: [
        ('msg.encode("utf-8")', '(msg + "\\n").encode("utf-8")')]}}, {"sends_input"}),
    "udp client prints what it sent": ("lab9.udp_client", {"patch": {UC: [
        ('print(data.decode("utf-8"))', 'print("Enviado:", msg)')]}}, {"prints_reply"}),
    "udp client latin-1": ("lab9.udp_client", {"patch": {UC: [
        ('msg.encode("utf-8")', 'msg.encode("latin-1", "replace")'),
        ('data.decode("utf-8")', 'data.decode("latin-1")')]}}, {"utf8"}),
    "udp client loops on input": ("lab9.udp_client", {"patch": {UC: [
        ('if __name__ == "__main__":\n    main()',
         'if __name__ == "__main__":\n    while True:\n        main()')]}}, {"exits"}),
    "udp client hard-codes a classroom address (still correct)": ("lab9.udp_client", {
        "patch": {UC: [('HOST = "localhost"', 'HOST = "10.0.0.7"')]}}, set()),
    "udp client decodes the reply as ASCII": ("lab9.udp_client", {"patch": {UC: [
        ('data.decode("utf-8")', 'data.decode("ascii")')]}}, {"utf8"}),
    # --- udp_time_server
    "time server wrong port": ("lab9.udp_time_server", {"patch": {TIME: [
        ("PORT = 21567", "PORT = 21568")]}}, {"starts"}),
    # no drop observed: the discard lines cannot be shown either (no vacuous pass)
    "time server always answers": ("lab9.udp_time_server", time_server("False"),
                                   {"drop_rate", "drops_random", "logs_discards"}),
    "time server never answers": ("lab9.udp_time_server", time_server("True"),
                                  {"replies_are_datetime", "drop_rate", "drops_random"}),
    "time server answers 30%": ("lab9.udp_time_server", time_server("random.random() < 0.7"),
                                {"drop_rate"}),
    # the "pinger" style: randint(0, 10) < 4 drops 4 in 11 (36 %)
    "time server drops 36%": ("lab9.udp_time_server", time_server("random.randint(0, 10) < 4"),
                              {"drop_rate"}),
    # issue 9 item 8: "answer, answer, drop, drop" repeating
    "time server answer answer drop drop": ("lab9.udp_time_server",
                                            time_server("n % 4 in (3, 0)"), {"drops_random"}),
    "time server crashes on the first request": ("lab9.udp_time_server", time_server(
        "data.split()[5]"), {"replies_are_datetime", "drop_rate", "drops_random",
                             "logs_discards"}),
    "time server strict alternation": ("lab9.udp_time_server", time_server("n % 2 == 0"),
                                       {"drops_random"}),
    "time server no discard lines": ("lab9.udp_time_server",
                                     time_server("random.random() < 0.5", log="pass"),
                                     {"logs_discards"}),
    "time server that pauses mid-stream (still correct)": ("lab9.udp_time_server", {
        "files": {TIME: TIME_SERVER.replace(
            "    n += 1\n", "    n += 1\n    if n == 100:\n        time.sleep(0.6)\n").format(
            drop="random.random() < 0.5", log='print(f"Mensaje de {addr} descartado")',
            reply="time.ctime().encode()")}}, set()),
    # CI, session 13: on a busy machine a correct server may wait over a second for a CPU;
    # a batch's quiet window closed on it, and the late answers cost logs_discards. The
    # machine's part is played here by the program itself: it runs without answering, as a
    # process waiting for a CPU does (state R)
    # mid-batch, with requests unread in its socket; then on the last request of a batch,
    # its socket empty: only the state of its process tells (a review found that look blind
    # in a grading run's PID namespace)
    "time server kept from running mid-batch (still correct)": ("lab9.udp_time_server", {
        "files": {TIME: kept_from_running(150)}}, set()),
    "time server kept from running on a batch's last request (still correct)": (
        "lab9.udp_time_server", {"files": {TIME: kept_from_running(200)}}, set()),
    # a review: the reply sent from a second socket of the server's (the course's clients
    # take it: recvfrom accepts any sender)
    "time server answering from another socket (still correct)": ("lab9.udp_time_server", {
        "files": {TIME: TIME_SERVER.replace("n = 0\n", "n = 0\nr = socket.socket(socket.AF_INET, "
                                            "socket.SOCK_DGRAM)\n").replace(
            "    s.sendto(", "    r.sendto(").format(
            drop="random.random() < 0.5", log='print(f"Mensaje de {addr} descartado")',
            reply="time.ctime().encode()")}}, set()),
    "time server epoch seconds": ("lab9.udp_time_server",
                                  time_server("random.random() < 0.5",
                                              reply="str(time.time()).encode()"),
                                  {"replies_are_datetime"}),
    # --- head_client
    "head GET instead of HEAD": ("lab9.head_client", {"patch": {HEAD: [
        ('f"HEAD {path}', 'f"GET {path}')]}}, {"request_line"}),
    # the headers without the status line (told so, not "no headers")
    "head prints the headers only": ("lab9.head_client", {"patch": {HEAD: [
        ('print(headers.decode("iso-8859-1").replace("\\r\\n", "\\n"))',
         'print(headers.decode("iso-8859-1").split("\\r\\n", 1)[1].replace("\\r\\n", "\\n"))')]}},
        {"prints_response"}),
    "head without Host": ("lab9.head_client", {"patch": {HEAD: [
        ("\\r\\nHost: {host_header}", "")]}}, {"host_header"}),
    "head LF instead of CRLF": ("lab9.head_client", {"patch": {HEAD: [
        ('request = f"HEAD {path} HTTP/1.1\\r\\nHost: {host_header}\\r\\nConnection: '
         'close\\r\\n\\r\\n"',
         'request = f"HEAD {path} HTTP/1.1\\nHost: {host_header}\\nConnection: close\\n\\n"'),
        ('while b"\\r\\n\\r\\n" not in response', 'while True'),
        ('split(b"\\r\\n\\r\\n", 1)[0]', 'strip()')]}}, {"well_formed"}),
    "head prints only the status line": ("lab9.head_client", {"patch": {HEAD: [
        ('print(headers.decode("iso-8859-1").replace("\\r\\n", "\\n"))',
         'print(headers.decode("iso-8859-1").split("\\r\\n")[0])')]}}, {"prints_response"}),
    "head ignores the URL port": ("lab9.head_client", {"patch": {HEAD: [
        ("port = parts.port or 80", "port = 80")]}}, {"default_path_and_port"}),
    "head empty default path": ("lab9.head_client", {"patch": {HEAD: [
        ('path = parts.path or "/"', 'path = parts.path')]}}, {"default_path_and_port"}),
    # issue 8: a URL with port 8080 needs "Host: name:8080"
    "head Host without its port": ("lab9.head_client", {"patch": {HEAD: [
        ('host_header = host if port == 80 else f"{host}:{port}"', "host_header = host")]}},
        {"host_header"}),
    # issue 8: a hard-coded server is routed to the fake and judged; only the URL use is lost
    "head hard-coded webcode.me": ("lab9.head_client", {"files": {HEAD: HARD_CODED_HEAD}},
                                   {"default_path_and_port"}),
    "head hard-coded real address": ("lab9.head_client", {"files": {HEAD: HARD_CODED_HEAD.replace(
        '("webcode.me", 80)', '("93.184.216.34", 80)').replace("webcode.me", "example.com")}},
        {"default_path_and_port"}),
    "head URL path ignored": ("lab9.head_client", {"patch": {HEAD: [
        ('path = parts.path or "/"', 'path = "/"')]}}, {"default_path_and_port"}),
    "head URL read with input() (still correct)": ("lab9.head_client", {"patch": {HEAD: [
        ('url = sys.argv[1] if len(sys.argv) > 1 else input("URL: ")', 'url = input("URL: ")')]}},
        set()),
    "head waits for EOF on keep-alive": ("lab9.head_client", {"patch": {HEAD: [
        ("\\r\\nConnection: close\\r\\n\\r\\n", "\\r\\n\\r\\n"),
        ('while b"\\r\\n\\r\\n" not in response', 'while True')]}}, {"exits_promptly"}),
}


# (variant, check) -> the catalogue message it must be told: the real cause (issue 8)
MESSAGES = {
    "tcp server never ends its recv loop": {
        "sequential_clients": "lab9.tcp_server.stuck_in_previous"},
    "tcp two clients only": {"sequential_clients": "lab9.tcp_server.client_not_served"},
    "tcp single client only": {
        "sequential_clients": "lab9.tcp_server.client_not_served",
        "survives_silent_client": "lab9.tcp_server.ended_after_silent"},
    "tcp server that never answers": {
        "sequential_clients": "lab9.tcp_server.no_first_reply",
        "survives_silent_client": "lab9.tcp_server.silent_unjudged"},
    "tcp crashes on silent client": {"survives_silent_client": "common.crashed"},
    "tcp client loops on input": {"exits": "lab9.client.input_twice"},
    "udp client loops on input": {"exits": "lab9.client.input_twice"},
    "tcp client decodes the reply as ASCII": {"utf8": "lab9.client.utf8_crashed"},
    "udp client decodes the reply as ASCII": {"utf8": "lab9.client.utf8_crashed"},
    "time server always answers": {"logs_discards": "lab9.udp_time_server.no_drops_seen"},
    "time server answer answer drop drop": {"drops_random": "lab9.udp_time_server.periodic"},
    "time server crashes on the first request": {
        check: "common.crashed" for check in ("replies_are_datetime", "drop_rate",
                                              "drops_random", "logs_discards")},
    "head Host without its port": {"host_header": "lab9.head_client.wrong_host"},
    "head prints the headers only": {"prints_response": "lab9.head_client.status_not_printed"},
    "head hard-coded webcode.me": {"default_path_and_port": "lab9.head_client.url_ignored"},
}


def told(message: str, key: str) -> bool:
    """Whether ``message`` is the English catalogue text of ``key`` (any parameters)."""
    from harness.i18n import messages

    parts = re.split(r"\{[a-z_]+\}", messages("en")[key])
    return re.fullmatch(".*?".join(map(re.escape, parts)), message, re.DOTALL) is not None


@pytest.mark.parametrize("name", list(VARIANTS))
def test_broken_variant_loses_exactly_its_checks(name: str, grade_variant) -> None:  # type: ignore[no-untyped-def]
    task, changes, expected = VARIANTS[name]
    result = grade_variant(task, **changes)
    got = {c.id.removeprefix(task + ".") for c in result.checks if c.status != "passed"}
    assert {c.status for c in result.checks} <= {"passed", "failed"}, \
        [(c.id, c.message) for c in result.checks if c.status == "error"]
    assert got == expected, [(c.id, c.message) for c in result.checks]
    for check, key in MESSAGES.get(name, {}).items():
        message = next(c.message for c in result.checks if c.id == f"{task}.{check}")
        assert told(message, key), (check, key, message)
        if key == "common.crashed":  # with the error line of its own traceback
            assert "Error" in message.rsplit(":", 2)[-2], message
    lost = sum(c.max_score for c in result.checks if c.status != "passed")
    assert result.score == pytest.approx(result.max_score - lost)


def test_every_lab9_check_has_a_breaking_variant(reference_result) -> None:  # type: ignore[no-untyped-def]
    broken = {f"{task}.{check}" for task, _c, checks in VARIANTS.values() for check in checks}
    missing = {c.id for c in reference_result.checks} - broken
    assert missing == set()


def test_failure_messages_show_sent_received_expected(grade_variant) -> None:  # type: ignore[no-untyped-def]
    task, changes, _ = VARIANTS["tcp wrong prefix"]
    result = grade_variant(task, **changes)
    check = next(c for c in result.checks if c.id == "lab9.tcp_server.echo_prefix")
    assert "Res: " in check.message and "Resp: " in check.message
    dirs = [e["dir"] for e in check.evidence["exchanges"]]
    assert dirs == ["sent", "received"]


def test_missing_and_broken_files_are_named(tmp_path: Path) -> None:
    from tests.conftest import make_submission

    sub = make_submission(tmp_path / "s", remove=("lab9/tcp_client.py",),
                          files={"lab9/udp_client.py": "def main(:\n    pass\n",
                                 "lab9/tcp_client.txt": "hola"})
    result = grade(sub, only=["lab9.tcp_client", "lab9.udp_client", "lab9.tcp_server"],
                   lang="en")
    messages = {p.file: p.message for p in result.problems}
    assert "not a Python file" in messages["lab9/tcp_client.py"]
    assert "line 1" in messages["lab9/udp_client.py"]
    by_task = {c.task: c for c in result.checks}
    assert by_task["lab9.udp_client"].status == "failed"
    assert "syntax error" in by_task["lab9.udp_client"].message
    assert all(c.status == "passed" for c in result.checks if c.task == "lab9.tcp_server")


# ------------------------------------------------------------------ the drop probe's statistics

@pytest.mark.parametrize("p", [0.30, 0.36, 0.40, 0.60, 0.64])
def test_drop_rate_fails_a_wrong_rate_with_probability_0_999(p: float) -> None:
    passed, failed, _mean = stats.operating_curve(p)
    assert passed + failed == pytest.approx(1.0, abs=1e-9)
    assert passed <= 1e-3, passed


@pytest.mark.parametrize("p", [0.45, 0.48, 0.50, 0.52, 0.55])
def test_drop_rate_passes_about_half_with_probability_0_9999(p: float) -> None:
    _passed, failed, mean = stats.operating_curve(p)
    assert failed <= 1e-4, failed
    if p == 0.50:
        assert mean < 700  # the sequential test keeps a fair coin's probe short


def simulate(p: float, rng: random.Random) -> tuple[str, list[int]]:
    """One probe against a simulated server: replies (1) and drops (0) in send order, batch by
    batch, decided by the same function as the check."""
    pattern: list[int] = []
    while (verdict := stats.RateState(len(pattern), pattern.count(0)).verdict()) is None:
        pattern += [0 if rng.random() < p else 1 for _ in range(stats.BATCH)]
    return verdict, pattern


def test_simulated_probes_agree_with_the_stated_error_rates() -> None:
    rng = random.Random(20261202)
    fair = [simulate(0.5, rng) for _ in range(400)]
    assert all(v == "pass" for v, _ in fair)
    assert all(stats.randomness(pattern).failed is None for _, pattern in fair)
    assert all(simulate(0.36, rng)[0] == "fail" for _ in range(200))  # the "pinger" server
    assert all(simulate(0.64, rng)[0] == "fail" for _ in range(200))


def test_a_fair_coin_passes_the_pattern_tests() -> None:
    rng = random.Random(9)
    assert sum(stats.randomness([rng.getrandbits(1) for _ in range(600)]).failed is not None
               for _ in range(3000)) == 0
    # the stated bound: each lag's Hoeffding bound and the runs test's normal tail
    assert stats.MAX_LAG * stats.LAG_ALPHA + 5e-5 <= 1e-4


def test_every_pattern_with_period_up_to_8_fails_drops_random() -> None:
    for period in range(1, stats.MAX_LAG + 1):
        for bits in itertools.product((0, 1), repeat=period):
            for length in (100, 600, 6000):
                pattern = (list(bits) * length)[:length]
                assert stats.randomness(pattern).failed is not None, (bits, length)


# ------------------------------------------------------------------ the Host header rule

def test_host_header_names_the_host_connected_to_with_its_port_when_not_80() -> None:
    host_matches = pack_module(LAB9, "test_head_client").host_matches
    from harness.vnet.rules import VNet

    vnet = VNet()
    address = vnet.resolve("www.google.com")
    assert host_matches("www.google.com", ("www.google.com", 80), vnet)
    assert host_matches("WWW.Google.com:80", ("www.google.com", 80), vnet)
    assert host_matches("www.google.com", (address, 80), vnet)  # create_connection: by address
    assert host_matches("localhost", ("127.0.0.1", 80), vnet)
    assert host_matches("example.com", ("93.184.216.34", 80), vnet)  # a real address: any name
    assert host_matches("example.com:8080", ("example.com", 8080), vnet)
    assert not host_matches("example.com", ("example.com", 8080), vnet)  # issue 8
    assert not host_matches("example.com:80", ("example.com", 8080), vnet)
    assert not host_matches("webcode.me", ("www.google.com", 80), vnet)
    assert not host_matches("", ("www.google.com", 80), vnet)


def test_a_late_reply_is_judged_against_its_arrival_time() -> None:
    from datetime import datetime, timedelta

    close_to_now = pack_module(LAB9, "test_udp_time_server").close_to_now

    arrived = datetime.now() + timedelta(seconds=30)
    assert close_to_now(arrived - timedelta(seconds=1), arrived)
    assert not close_to_now(arrived - timedelta(seconds=30), arrived)


def test_a_hang_is_told_with_the_time_limit_it_had(tmp_path: Path) -> None:
    """``--timeout 2`` shortens a client's 3 s window: the message names the 2 s it had."""
    from tests.conftest import make_submission

    sub = make_submission(tmp_path / "sub", patch={TC: [
        ("if __name__", "import time\ntime.sleep(3600)\nif __name__")]})
    slow = make_submission(tmp_path / "slow", patch={TC: [
        ("if __name__", "import time\ntime.sleep(3600)\nif __name__")]})
    short = grade(sub, only=["lab9.tcp_client.exits"], lang="en", timeout=2)
    default = grade(slow, only=["lab9.tcp_client.exits"], lang="en")
    (told_short,) = [c.message for c in short.checks]
    (told_default,) = [c.message for c in default.checks]
    assert "in 2.0 s" in told_short, told_short
    assert "in 3.0 s" in told_default, told_default


def test_a_client_s_two_runs_keep_their_own_evidence(reference_result) -> None:  # type: ignore[no-untyped-def]
    """The ASCII run and the UTF-8 run are made at once (one shared window): each check
    still shows the run it judged, with its own input and output."""
    for proto in ("tcp", "udp"):
        checks = {c.id.rsplit(".", 1)[1]: c.evidence for c in reference_result.checks
                  if c.task == f"lab9.{proto}_client"}
        assert set(checks) == {"sends_input", "prints_reply", "utf8", "exits"}
        for name, evidence in checks.items():
            assert evidence["argv"] == [f"lab9/{proto}_client.py"], (proto, name)
            typed = evidence["stdin"].removesuffix("\n")
            assert typed in evidence["stdout"], (proto, name, evidence)
            assert typed.isascii() == (name != "utf8"), (proto, name, typed)
            assert len({e["data"] for e in evidence["exchanges"]}) == 2, evidence


def test_time_replies_are_read_whatever_the_day_with_or_without_leading_zeros() -> None:
    """dd/mm/yyyy HH:MM:SS, padded or not (``f"{d.day}/{d.month}/{d.year}"``), ctime and ISO
    8601 are read as the time they say on every day of a year (a verdict that depended on
    the date would pass on the 12th and fail on the 2nd); text without a time is not."""
    from datetime import datetime, timedelta

    module = pack_module(LAB9, "test_udp_time_server")
    start = datetime(2026, 1, 1, 9, 5, 3)
    for day in range(365):
        when = start + timedelta(days=day, hours=day % 24)
        for text in (when.strftime("%d/%m/%Y %H:%M:%S"),
                     f"{when.day}/{when.month}/{when.year} {when.hour}:{when:%M:%S}",
                     f"Hora: {when.day}/{when.month}/{when.year}, {when:%H:%M:%S}",
                     when.ctime(), when.isoformat()):
            assert module.parse_datetime(text) == when, text
    for text in ("hola", "2/12/2026", "9:05:03", "32/1/2026 9:05:03"):
        assert module.parse_datetime(text) is None, text


def test_discard_messages_that_threads_ran_together_are_counted() -> None:
    """A server with a thread per request: ``print`` writes the text, then the newline, so two
    threads' messages may share a line, and a newline may be lost (seen in the sandbox: 250
    mentions on 248 lines). The mentions count them; the lines still count a line that names
    a discard twice of its own as one."""
    module = pack_module(LAB9, "test_udp_time_server")
    ran_together = ("Mensaje de ('127.0.0.1', 1) descartadoMensaje de ('127.0.0.1', 2) "
                    "descartado\nMensaje de ('127.0.0.1', 3) descartado\n")
    assert (module.discard_lines(ran_together), module.discard_mentions(ran_together)) == (2, 3)
    twice = "Solicitud descartada (descartado al azar)\nhora\n"
    assert (module.discard_lines(twice), module.discard_mentions(twice)) == (1, 2)


def test_discard_lines_counted_as_the_output_grows_equal_a_count_of_the_whole() -> None:
    """The wait loop counts the server's discard lines on an output that grows while it
    looks (lines cut anywhere, ``\\r\\n`` endings, a line still being written): each count
    equals :func:`discard_lines` of the whole output so far, and an output that is not the
    one seen before is counted afresh."""
    module = pack_module(LAB9, "test_udp_time_server")
    rng = random.Random(7)
    words = ["Descartado 3\n", "respondido\n", "drop\r\n", "hora 4\r\n", "DISCARD", "ok"]
    for _ in range(50):
        text = "".join(rng.choice(words) for _ in range(60))
        counter = module.DiscardCounter()
        cuts = [*sorted(rng.sample(range(len(text) + 1), 12)), len(text)]
        for cut in cuts:
            assert counter.count(text[:cut]) == module.discard_lines(text[:cut]), text[:cut]
        assert counter.count("descartado\n") == 1  # another output: afresh
