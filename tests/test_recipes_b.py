"""Recipes r10–r18 graded both ways: the reference earns every point, the template none, and
each deliberately broken recipe loses exactly the checks of its bug and keeps the rest.

To stay fast, the broken variants are graded in a few submissions: each submission carries
at most one broken variant per task (every task has its own file), so one grading run
judges several variants at once, and the runs go in parallel.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from harness.engine import grade
from harness.results import SubmissionResult
from tests.conftest import REFERENCE, TEMPLATE, failing, make_submission

TASKS = ["r10_reuse_address", "r11_ntp_time", "r12_sntp_client", "r13_tcp_echo_server",
         "r13_tcp_echo_client", "r14_udp_echo_server", "r14_udp_echo_client", "r15_dns_lookup",
         "r16_raw_http", "r17_rest_json", "r18_http_server"]
ONLY = [f"recipes.{t}" for t in TASKS]

R10 = "recipes/r10_reuse_address.py"
R11 = "recipes/r11_ntp_time.py"
R12 = "recipes/r12_sntp_client.py"
R13S = "recipes/r13_tcp_echo_server.py"
R13C = "recipes/r13_tcp_echo_client.py"
R14S = "recipes/r14_udp_echo_server.py"
R14C = "recipes/r14_udp_echo_client.py"
R15 = "recipes/r15_dns_lookup.py"
R16 = "recipes/r16_raw_http.py"
R17 = "recipes/r17_rest_json.py"
R18 = "recipes/r18_http_server.py"

REUSE = "        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"

NTP_BY_HAND = '''"""ntp_time() written with a raw socket instead of ntplib."""
import socket
import struct
import time


def ntp_time(server="pool.ntp.org"):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(5)
        sock.sendto(b"\\x1b" + 47 * b"\\0", (server, 123))
        data, _ = sock.recvfrom(1024)
    t = struct.unpack("!12I", data[:48])
    return t[10] - 2208988800 + t[11] / 2**32


if __name__ == "__main__":
    print(time.ctime(ntp_time()))
'''


def patch(path: str, *changes: tuple[str, str]) -> dict[str, Any]:
    return {"patch": {path: list(changes)}}


# name: (task, changes, exactly the checks that must fail)
VARIANTS: dict[str, tuple[str, dict[str, Any], set[str]]] = {
    # --- r10
    "r10 echoes upper case": ("r10_reuse_address", patch(
        R10, ("conn.sendall(data)", "conn.sendall(data.upper())")), {"echo"}),
    "r10 without SO_REUSEADDR": ("r10_reuse_address", patch(R10, (REUSE, "")),
                                 {"restarts_while_time_wait"}),
    # --- r11
    "r11 ntp_time returns ctime text": ("r11_ntp_time", patch(
        R11, ("return response.tx_time", "return time.ctime(response.tx_time)"),
        ("print(time.ctime(ntp_time()))", "print(ntp_time())")), {"fake_time"}),
    "r11 SNTP by hand instead of ntplib": ("r11_ntp_time", {"files": {R11: NTP_BY_HAND}},
                                           {"uses_ntplib"}),
    "r11 prints the raw float": ("r11_ntp_time", patch(
        R11, ("print(time.ctime(ntp_time()))", "print(ntp_time())")), {"prints_ctime"}),
    # --- r12
    "r12 forgets 2208988800": ("r12_sntp_client", patch(
        R12, ("return t[10] - TIME1970 + t[11] / 2**32", "return t[10] + t[11] / 2**32")),
        {"fake_time"}),
    "r12 sends a 40-byte packet": ("r12_sntp_client", patch(
        R12, ('request = b"\\x1b" + 47 * b"\\0"', 'request = b"\\x1b" + 39 * b"\\0"')),
        {"request_packet"}),
    "r12 imports ntplib": ("r12_sntp_client", patch(
        R12, ("import socket\n", "import socket\n\nimport ntplib  # noqa: F401\n")),
        {"standard_library_only"}),
    # --- r13 server
    "r13 server reverses the data": ("r13_tcp_echo_server", patch(
        R13S, ("conn.sendall(data)", "conn.sendall(data[::-1])")), {"echo"}),
    "r13 server listen() without backlog": ("r13_tcp_echo_server", patch(
        R13S, ("server.listen(BACKLOG)", "server.listen()")), {"backlog"}),
    "r13 server without SO_REUSEADDR": ("r13_tcp_echo_server", patch(R13S, (REUSE, "")),
                                        {"restart"}),
    # --- r13 client
    "r13 client adds a newline": ("r13_tcp_echo_client", patch(
        R13C, ('payload = message.encode("utf-8")', 'payload = (message + "\\n").encode()')),
        {"sends_message"}),
    "r13 client one recv instead of a loop": ("r13_tcp_echo_client", patch(
        R13C, ("        while len(received) < len(payload):\n"
               "            data = sock.recv(BUFSIZ)\n"
               "            if not data:\n"
               "                break\n"
               "            received += data\n",
               "        received = sock.recv(BUFSIZ)\n")), {"prints_echo"}),
    "r13 client prints the message it sent": ("r13_tcp_echo_client", patch(
        R13C, ('print(f"Eco recibido: {echo}")', 'print(f"Eco recibido: {args.message}")')),
        {"prints_echo"}),
    "r13 client lets the error escape": ("r13_tcp_echo_client", patch(
        R13C, ("except ConnectionRefusedError:", "except ValueError:"),
        ("except OSError as exc:", "except KeyError as exc:")), {"handles_refused"}),
    # --- r14 server
    "r14 server adds a newline": ("r14_udp_echo_server", patch(
        R14S, ("server.sendto(data, addr)", 'server.sendto(data + b"\\n", addr)')), {"echo"}),
    "r14 server replies to the first client": ("r14_udp_echo_server", patch(
        R14S, ("        while True:\n", "        first = None\n        while True:\n"),
        ("server.sendto(data, addr)",
         "first = first or addr\n            server.sendto(data, first)")),
        {"replies_to_sender"}),
    # --- r14 client
    "r14 client adds a newline": ("r14_udp_echo_client", patch(
        R14C, ('message.encode("utf-8")', '(message + "\\n").encode("utf-8")')),
        {"sends_message"}),
    "r14 client prints the message it sent": ("r14_udp_echo_client", patch(
        R14C, ('print(f"Eco recibido: {echo}")', 'print(f"Eco recibido: {args.message}")')),
        {"prints_echo"}),
    "r14 client prints only the size": ("r14_udp_echo_client", patch(
        R14C, ('print(f"Eco recibido: {echo}")', 'print(f"Eco recibido: {len(echo)} bytes")')),
        {"prints_echo"}),
    # --- r15
    "r15 only the first address": ("r15_dns_lookup", patch(
        R15, ("    return addresses\n", "    return addresses[:1]\n")), {"all_addresses"}),
    "r15 drops loopback": ("r15_dns_lookup", patch(
        R15, ("if address not in addresses:",
              'if address not in addresses and not address.startswith("127."):')),
        {"localhost"}),
    # --- r16
    "r16 parse_url drops the query": ("r16_raw_http", patch(
        R16, ('    if parts.query:\n        path += "?" + parts.query\n', "")), {"parse_url"}),
    "r16 asks for HTTP/2.0": ("r16_raw_http", patch(
        R16, ('f"GET {path} HTTP/1.1', 'f"GET {path} HTTP/2.0')), {"request_line"}),
    "r16 without Host": ("r16_raw_http", patch(R16, ("Host: {host}\\r\\n", "")),
                         {"host_header"}),
    "r16 reads three times only": ("r16_raw_http", patch(
        R16, ("while True:  # el servidor cierra", "for _ in range(3):  # el servidor cierra"),
        ('return body.decode("utf-8")', 'return body.decode("utf-8", errors="ignore")')),
        {"reads_all_chunks"}),
    "r16 decodes each piece apart": ("r16_raw_http", patch(
        R16, ("chunks.append(data)",
              'chunks.append(data.decode("utf-8", errors="replace").encode("utf-8"))')),
        {"utf8_body"}),
    "r16 returns the bytes undecoded": ("r16_raw_http", patch(
        R16, ('return body.decode("utf-8")', "return body")), {"utf8_body"}),
    # --- r17
    "r17 swaps latitude and longitude": ("r17_rest_json", patch(
        R17, ('return float(position["latitude"]), float(position["longitude"])',
              'return float(position["longitude"]), float(position["latitude"])')),
        {"parses_position"}),
    "r17 loops nine times": ("r17_rest_json", patch(R17, ("range(10)", "range(9)")),
                             {"loop_ten"}),
    # --- r18
    "r18 answers text/plain": ("r18_http_server", patch(
        R18, ('"Content-Type: text/html; charset=utf-8\\r\\n"',
              '"Content-Type: text/plain; charset=utf-8\\r\\n"')), {"status_200_html"}),
    "r18 uptime frozen at start": ("r18_http_server", patch(
        R18, ("        while True:\n            conn, addr",
              "        frozen = time.monotonic() - start\n"
              "        while True:\n            conn, addr"),
        ("build_response(time.monotonic() - start)", "build_response(frozen)")),
        {"uptime_grows"}),
    "r18 answers after one recv": ("r18_http_server", patch(
        R18, ("if read_request(conn):", "if conn.recv(BUFSIZ):")), {"reads_all_headers"}),
    "r18 serves two connections": ("r18_http_server", patch(
        R18, ("        while True:\n            conn, addr",
              "        for _ in range(2):\n            conn, addr")), {"serves_many"}),
    # --- cascades removed: one bug (or one template extra left out) costs one check
    "r10 accepts and reads but never echoes": ("r10_reuse_address", patch(
        R10, ("conn.sendall(data)", "pass")), {"echo"}),
    "r13 client without --message (fixed text)": ("r13_tcp_echo_client", patch(
        R13C, ('    parser.add_argument("--message", default="Mensaje de prueba", '
               'help="mensaje a enviar")\n', ""),
              ("echo_client(args.port, args.message)",
               'echo_client(args.port, "Mensaje de prueba")')), {"message_option"}),
    "r14 client without --message (fixed text)": ("r14_udp_echo_client", patch(
        R14C, ('    parser.add_argument("--message", default="Mensaje de prueba", '
               'help="mensaje a enviar")\n', ""),
              ("echo_client(args.port, args.message)",
               'echo_client(args.port, "Mensaje de prueba")')), {"message_option"}),
    "r13 client --message ignored": ("r13_tcp_echo_client", patch(
        R13C, ("echo_client(args.port, args.message)",
               'echo_client(args.port, "Mensaje de prueba")')),
        {"message_option"}),
    "r13 client requires --message": ("r13_tcp_echo_client", patch(
        R13C, ('parser.add_argument("--message", default="Mensaje de prueba", ',
               'parser.add_argument("--message", required=True, ')), set()),
    "r18 page without a status line": ("r18_http_server", patch(
        R18, ('    return headers.encode("ascii") + body', "    return body")),
        {"status_200_html"}),
    # --- endpoints by role: any NTP host, any address on UDP 123
    "r11 asks time.google.com": ("r11_ntp_time", patch(
        R11, ("client.request(server, version=3)",
              'client.request("time.google.com", version=3)')), set()),
    "r12 asks a hard-coded address": ("r12_sntp_client", patch(
        R12, ("sock.sendto(request, (server, NTP_PORT))",
              'sock.sendto(request, ("162.159.200.123", NTP_PORT))')), set()),
    # --- the course's names and shapes: a function named and printing as the course does
    "r12 as the course's sntp_client() printing the time": ("r12_sntp_client", patch(
        R12, ('def sntp_time(server: str = "es.pool.ntp.org") -> float:',
              'def sntp_client(server: str = "es.pool.ntp.org") -> None:'),
             ("    return t[10] - TIME1970 + t[11] / 2**32",
              '    print(f"Dia y hora = {time.ctime(t[10] - TIME1970)}")'),
             ("print(time.ctime(sntp_time()))", "sntp_client()")), set()),
    "r12 sntp_client() printing the local clock": ("r12_sntp_client", patch(
        R12, ('def sntp_time(server: str = "es.pool.ntp.org") -> float:',
              'def sntp_client(server: str = "es.pool.ntp.org") -> None:'),
             ("    return t[10] - TIME1970 + t[11] / 2**32",
              '    print(f"Dia y hora = {time.ctime()}")'),
             ("print(time.ctime(sntp_time()))", "sntp_client()")), {"fake_time"}),
    "r17 as the course's seguimiento_estacion_espacial() printing": ("r17_rest_json", patch(
        R17, ("def iss_position(url: str = URL) -> tuple[float, float]:",
              "def posicion(url: str = URL) -> tuple[float, float]:"),
             ("        lat, lon = iss_position()", "        lat, lon = posicion()"),
             ("def main() -> None:", "def seguimiento_estacion_espacial() -> None:"),
             ("    main()", "    seguimiento_estacion_espacial()")), set()),
    "r17 seguimiento_estacion_espacial() printing made-up numbers": ("r17_rest_json", patch(
        R17, ("def iss_position(url: str = URL) -> tuple[float, float]:",
              "def posicion(url: str = URL) -> tuple[float, float]:"),
             ("        lat, lon = iss_position()",
              "        posicion()\n        lat, lon = 1.5, 2.5"),
             ("def main() -> None:", "def seguimiento_estacion_espacial() -> None:"),
             ("    main()", "    seguimiento_estacion_espacial()")),
        {"parses_position", "loop_ten"}),
}


def groups() -> list[list[str]]:
    """Variant names in submissions with at most one variant per task."""
    out: list[list[str]] = []
    for name, (task, _changes, _expected) in VARIANTS.items():
        slot = next((g for g in out if all(VARIANTS[n][0] != task for n in g)), None)
        if slot is None:
            slot = []
            out.append(slot)
        slot.append(name)
    return out


def merged(names: list[str]) -> dict[str, Any]:
    files: dict[str, str] = {}
    patches: dict[str, list[tuple[str, str]]] = {}
    for name in names:
        changes = VARIANTS[name][1]
        files.update(changes.get("files", {}))
        for path, edits in changes.get("patch", {}).items():
            patches.setdefault(path, []).extend(edits)
    return {"files": files, "patch": patches}


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, SubmissionResult]:
    """Every variant's result (by variant name), the reference's and the template's."""
    root = tmp_path_factory.mktemp("recipes_b")
    jobs: dict[str, tuple[Path, list[str]]] = {"reference": (REFERENCE, ONLY),
                                               "template": (TEMPLATE, ONLY)}
    members: dict[str, list[str]] = {}
    for i, names in enumerate(groups()):
        sub = make_submission(root / f"group{i}", **merged(names))
        jobs[f"group{i}"] = (sub, sorted({f"recipes.{VARIANTS[n][0]}" for n in names}))
        members[f"group{i}"] = names
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        futures = {key: pool.submit(grade, path, only=only,
                                    lang="es" if key == "template" else "en")
                   for key, (path, only) in jobs.items()}
        results = {key: f.result() for key, f in futures.items()}
    out = {"reference": results["reference"], "template": results["template"]}
    for key, names in members.items():
        for name in names:
            out[name] = results[key]
    return out


def test_reference_full_marks(graded: dict[str, SubmissionResult]) -> None:
    r = graded["reference"]
    assert {c.task for c in r.checks} == set(ONLY)
    assert failing(r) == set(), [(c.id, c.message) for c in r.checks if c.status != "passed"]
    assert r.score == r.max_score > 0


def test_template_scores_zero_without_harness_errors(
        graded: dict[str, SubmissionResult]) -> None:
    r = graded["template"]
    assert {c.task for c in r.checks} == set(ONLY)
    assert r.score == 0
    assert {c.status for c in r.checks} == {"failed"}, \
        [(c.id, c.status, c.message) for c in r.checks if c.status != "failed"]
    assert all(c.message and "Traceback" not in c.message for c in r.checks)
    assert not [c.message for c in r.checks if c.message.startswith(("recipes.", "common."))]


@pytest.mark.parametrize("name", list(VARIANTS))
def test_broken_variant_loses_exactly_its_checks(
        name: str, graded: dict[str, SubmissionResult]) -> None:
    task, _changes, expected = VARIANTS[name]
    result = graded[name]
    mine = [c for c in result.checks if c.task == f"recipes.{task}"]
    assert mine, f"recipes.{task} was not graded"
    assert {c.status for c in mine} <= {"passed", "failed"}, \
        [(c.id, c.message) for c in mine if c.status == "error"]
    got = {c.id.removeprefix(f"recipes.{task}.") for c in mine if c.status != "passed"}
    assert got == expected, [(c.id, c.status, c.message) for c in mine]
    for c in mine:  # every message comes from the catalogue, with all its fields filled
        assert not c.message.startswith(("recipes.", "common.")), c.message


def test_every_check_has_a_breaking_variant(graded: dict[str, SubmissionResult]) -> None:
    broken = {f"recipes.{task}.{check}" for task, _c, checks in VARIANTS.values()
              for check in checks}
    assert {c.id for c in graded["reference"].checks} == broken


def test_restart_probe_really_left_a_time_wait(graded: dict[str, SubmissionResult]) -> None:
    """The reference passes the restart checks with a TIME_WAIT connection on the pinned
    port (where /proc shows it); without SO_REUSEADDR the restart's bind is refused."""
    ref = {c.id: c for c in graded["reference"].checks}
    for check_id in ("recipes.r10_reuse_address.restarts_while_time_wait",
                     "recipes.r13_tcp_echo_server.restart"):
        evidence = ref[check_id].evidence
        if Path("/proc/net/tcp").exists():
            real = evidence["pinned"]["real"]
            assert evidence["time_wait"], evidence
            assert all(e.startswith(f"127.0.0.1:{real} ") for e in evidence["time_wait"])
    broken = next(c for c in graded["r10 without SO_REUSEADDR"].checks
                  if c.id == "recipes.r10_reuse_address.restarts_while_time_wait")
    assert "Address already in use" in broken.message and "SO_REUSEADDR" in broken.message


def test_loop_ten_runs_on_virtual_time(graded: dict[str, SubmissionResult]) -> None:
    check = next(c for c in graded["reference"].checks
                 if c.id == "recipes.r17_rest_json.loop_ten")
    assert check.evidence["requests"] == 10
    assert check.evidence["printed_positions"] == 10
    assert check.evidence["sleeps"] == [1.0] * 10
    assert check.duration_s < 3.0  # ten real one-second sleeps would take ten


def test_messages_say_what_was_expected(graded: dict[str, SubmissionResult]) -> None:
    def message(variant: str, check_id: str) -> str:
        return next(c.message for c in graded[variant].checks if c.id == check_id)

    epoch = message("r12 forgets 2208988800", "recipes.r12_sntp_client.fake_time")
    assert "2208988800" in epoch
    early = message("r18 answers after one recv", "recipes.r18_http_server.reads_all_headers")
    assert "blank line" in early and "GET / HT" in early
    utf8 = message("r16 decodes each piece apart", "recipes.r16_raw_http.utf8_body")
    assert "\ufffd" in utf8 and "decode once" in utf8


def test_check_modules_use_catalogue_keys() -> None:
    """Every ``f"{TASK}.key"`` a check module raises exists in both languages."""
    import re

    from harness.checks import builtin_roots
    from harness.i18n import messages

    folder = builtin_roots()[1] / "checks"  # the recipes pack's checks
    for task in TASKS:
        source = (folder / f"test_{task}.py").read_text(encoding="utf-8")
        keys = {f"recipes.{task}.{k}" for k in re.findall(r'f"\{TASK\}\.(\w+)"', source)}
        for lang in ("es", "en"):
            assert keys <= messages(lang).keys(), sorted(keys - messages(lang).keys())
        titles = {f"check.recipes.{task}.{name}"
                  for name in re.findall(r"^def test_(\w+)\(", source, re.MULTILINE)}
        for lang in ("es", "en"):
            assert titles <= messages(lang).keys(), sorted(titles - messages(lang).keys())



# --- the pieces behind fairness, one by one ----------------------------------------------------


def test_witness_has_the_attempt_on_record_before_the_call_fails() -> None:
    """The shim's report reaches the grader's own socket and is acknowledged before the
    student's call goes on: no waiting, no window, and no event on the channel involved."""
    import os

    from harness.vnet import shim
    from harness.vnet.rules import Witness

    read_fd, write_fd = os.pipe()
    saved = shim._state
    try:
        with Witness() as witness:
            shim._state = shim._State({"witness": list(witness.address)}, write_fd)
            shim._tell_witness(ev="refused", proto="tcp", address=["localhost", "4321"])
            assert witness.refused(4321) and not witness.refused(4322)
            shim._tell_witness(ev="nxdomain", name="no-existe.example.net")
            assert witness.looked_up("No-Existe.example.net.")
            assert not witness.looked_up("otro.example.net")
    finally:
        shim._state = saved
        os.close(read_fd)
        os.close(write_fd)


def test_a_forged_line_on_the_witness_is_just_another_attempt() -> None:
    """Junk on the witness is ignored; the grader keeps serving."""
    import socket as socket_mod

    from harness.vnet.rules import Witness

    with Witness() as witness:
        with socket_mod.create_connection(witness.address, timeout=2) as s:
            s.sendall(b"[" * 5000 + b"\n")
            assert s.recv(16) == b"ok\n"
        assert witness.seen == []


def test_salted_names_resolve_alike_in_grader_and_child() -> None:
    from harness.vnet.rules import VNet
    from harness.vnet.shim import virtual_address

    a, b = VNet(salt="uno"), VNet(salt="dos")
    assert a.resolve("www.python.org") == virtual_address("www.python.org", "uno")
    assert a.resolve("www.python.org") != b.resolve("www.python.org")
    assert VNet().resolve("www.python.org") == virtual_address("www.python.org")


def test_roles_route_any_host_on_the_port() -> None:
    from harness.vnet.rules import VNet

    vnet = VNet().ntp(("127.0.0.1", 1)).web(("127.0.0.1", 2))
    assert [(r["proto"], r["host"], r["port"]) for r in vnet.routes] == \
        [("udp", "*", 123), ("tcp", "*", 80)]
    named = VNet().route("tcp", "www.example.org", 8080, ("127.0.0.1", 3))
    assert named.answers() == "www.example.org:8080/tcp"


def test_student_tracebacks_end_in_the_student_code() -> None:
    from harness.checks.student import strip_shim

    text = ('Traceback (most recent call last):\n'
            '  File "recipes/r13_tcp_echo_client.py", line 13, in cliente_eco\n'
            '    sock.connect(direccion_servidor)\n'
            '  File "/opt/x/harness/vnet/shim.py", line 170, in connect\n'
            '    raise ConnectionRefusedError(errno.ECONNREFUSED, os.strerror(111))\n'
            '    ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n'
            'ConnectionRefusedError: [Errno 111] Connection refused\n')
    cleaned = strip_shim(text)
    assert "shim.py" not in cleaned
    assert cleaned.splitlines()[-2].strip() == "sock.connect(direccion_servidor)"
    assert cleaned.endswith("ConnectionRefusedError: [Errno 111] Connection refused\n")


def test_printed_echo_is_read_from_bytes_literals_too() -> None:
    from harness.checks import builtin_roots
    from harness.packs.collect import pack_module

    clients = pack_module(builtin_roots()[1], "echo_clients")
    printed_bytes, swapper = clients.printed_bytes, clients.swapper

    out = "Recibido: b'Mensa'\nRecibido: b'je de pr'\nRecibido: b\"ueba \\xc3\\xb1\"\n"
    assert printed_bytes(out) == "Mensaje de prueba ñ".encode()
    swap = swapper()
    text = b"Mensaje de prueba. Se hara eco de esto"
    assert len(swap(text)) == len(text) and swap(text).lower() == text.lower()
    assert swap(text[:10]) + swap(text[10:]) == swap(text)  # piece by piece, same answer


def test_r16_splits_text_into_its_ascii_and_non_ascii_characters() -> None:
    """The raw HTTP client's body is judged on its ASCII markers and on its multi-byte
    characters apart: each part keeps exactly the characters below (or from) U+0080, in
    order, whatever the mix (random texts over the whole of Unicode)."""
    import random

    from harness.checks import builtin_roots
    from harness.packs.collect import pack_module

    recipes = next(root for root in builtin_roots() if root.name == "recipes")
    module = pack_module(recipes, "test_r16_raw_http")
    rng = random.Random(16)
    for _ in range(500):
        text = "".join(chr(rng.choice((rng.randrange(128), rng.randrange(128, 0xD800))))
                       for _ in range(rng.randrange(60)))
        assert module.ascii_part(text) == "".join(c for c in text if ord(c) < 128)
        assert module.non_ascii_part(text) == "".join(c for c in text if ord(c) >= 128)
