"""Unidad 5, recipes r01 to r09, graded both ways: the reference earns every point, the
template none (and never a harness error), and each deliberately broken recipe loses exactly
the checks of its bug and keeps the other checks of its task."""

from __future__ import annotations

from typing import Any

import pytest

from harness.engine import grade
from harness.i18n import t
from harness.results import CheckResult, SubmissionResult
from tests.conftest import REFERENCE, TEMPLATE, failing, make_submission

TASKS = ["r01_hostname", "r02_host_ip", "r03_ipv4_convert", "r04_service_name",
         "r05_byte_order", "r06_socket_timeout", "r07_socket_errors", "r08_buffer_size",
         "r09_blocking_mode"]
ONLY = [f"recipes.{task}" for task in TASKS]
CHECKS = {
    "recipes.r01_hostname": {"returns_hostname", "prints_hostname"},
    "recipes.r02_host_ip": {"resolves_name", "localhost"},
    "recipes.r03_ipv4_convert": {"to_hex", "from_packed", "roundtrip"},
    "recipes.r04_service_name": {"well_known_tcp", "udp_protocol"},
    "recipes.r05_byte_order": {"long", "short"},
    "recipes.r06_socket_timeout": {"timeout_set", "tcp_socket"},
    "recipes.r07_socket_errors": {"usage", "happy_path", "refused", "unknown_host",
                                  "reset_by_peer"},
    "recipes.r08_buffer_size": {"send_buffer", "recv_buffer", "nodelay"},
    "recipes.r09_blocking_mode": {"non_blocking", "bound"},
}
"""The catalogue's check ids (DESIGN.md), the contract these tests hold the suite to."""


@pytest.fixture(scope="module")
def reference_result():  # type: ignore[no-untyped-def]
    return grade(REFERENCE, only=ONLY, lang="en")


def test_reference_full_marks(reference_result) -> None:  # type: ignore[no-untyped-def]
    r = reference_result
    assert {c.id for c in r.checks} == {f"{task}.{c}" for task, cs in CHECKS.items()
                                        for c in cs}
    assert failing(r) == set(), [(c.id, c.message) for c in r.checks if c.status != "passed"]
    assert r.score == r.max_score > 0


def test_template_scores_zero_without_harness_errors() -> None:
    r = grade(TEMPLATE, only=ONLY, lang="es")
    assert r.score == 0
    assert {c.status for c in r.checks} == {"failed"}, \
        [(c.id, c.status, c.message) for c in r.checks if c.status != "failed"]
    assert all(c.message and "Traceback" not in c.message for c in r.checks)
    assert all("NotImplementedError" in c.message for c in r.checks)


R01 = "recipes/r01_hostname.py"
R02 = "recipes/r02_host_ip.py"
R03 = "recipes/r03_ipv4_convert.py"
R04 = "recipes/r04_service_name.py"
R05 = "recipes/r05_byte_order.py"
R06 = "recipes/r06_socket_timeout.py"
R07 = "recipes/r07_socket_errors.py"
R08 = "recipes/r08_buffer_size.py"
R09 = "recipes/r09_blocking_mode.py"

LYING_STR = '''
class Text(str):
    """Equal to everything: a check must not be fooled by it."""

    def __eq__(self, other):
        return True

    __hash__ = str.__hash__

'''

LYING_INT = '''
class Number(int):
    """Equal to everything: a check must not be fooled by it."""

    def __eq__(self, other):
        return True

    __hash__ = int.__hash__

'''


def lying(path: str, anchor: str, old: str, new: str,
          *more: tuple[str, str]) -> dict[str, Any]:
    """A patch that defines a lying class before ``anchor`` and returns it instead of ``old``
    (``more``: further changes to the same file)."""
    cls = LYING_STR if "Text" in new else LYING_INT
    return {"patch": {path: [(anchor, cls + anchor), (old, new), *more]}}


COURSE_R01 = """import socket


def obtener_info():
    nombre_equipo = socket.gethostname()
    print(f"Nombre de Host: {nombre_equipo}")
    print(f"Dirección IP: {socket.gethostbyname(nombre_equipo)}")


if __name__ == '__main__':
    obtener_info()
"""
COURSE_R02 = """import socket


def obtener_info():
    nombre_equipo = 'www.python.org'
    direccion_ip = socket.gethostbyname(nombre_equipo)
    print(f"Dirección IP de {nombre_equipo} es {direccion_ip}")


if __name__ == '__main__':
    obtener_info()
"""
GUESSING_R02 = """def obtener_info():
    for a in range(256):
        print(f"Dirección IP de www.python.org es 198.18.{a}.7")


if __name__ == '__main__':
    obtener_info()
"""

# (task, changes, exactly the checks that must fail)
VARIANTS: dict[str, tuple[str, dict[str, Any], set[str]]] = {
    # --- r01_hostname
    "r01 hard-coded name": ("recipes.r01_hostname", {"patch": {R01: [
        ("return socket.gethostname()", 'return "mi-portatil"'),
        ("name = get_hostname()", "name = socket.gethostname()")]}}, {"returns_hostname"}),
    "r01 prints a label only": ("recipes.r01_hostname", {"patch": {R01: [
        ('print(f"Nombre del equipo: {name}")', 'print("Nombre del equipo:")')]}},
        {"prints_hostname"}),
    "r01 lying str": ("recipes.r01_hostname",
                      lying(R01, "def get_hostname", "return socket.gethostname()",
                            'return Text("otro")',
                            ("name = get_hostname()", "name = socket.gethostname()")),
                      {"returns_hostname"}),
    # --- r02_host_ip
    "r02 hard-coded address": ("recipes.r02_host_ip", {"patch": {R02: [
        ("return socket.gethostbyname(host)", 'return "127.0.0.1"')]}}, {"resolves_name"}),
    "r02 ignores the name": ("recipes.r02_host_ip", {"patch": {R02: [
        ("return socket.gethostbyname(host)",
         "return socket.gethostbyname(socket.gethostname())")]}}, {"resolves_name"}),
    "r02 localhost as ::1": ("recipes.r02_host_ip", {"patch": {R02: [
        ("    return socket.gethostbyname(host)",
         '    if host == "localhost":\n        return "::1"\n'
         "    return socket.gethostbyname(host)")]}}, {"localhost"}),
    "r02 lying str": ("recipes.r02_host_ip",
                      lying(R02, "def get_ip", "return socket.gethostbyname(host)",
                            'return Text("0.0.0.0")'), {"resolves_name", "localhost"}),
    # --- the course's names and shapes (Codigo/Unidad5_Red look-alikes)
    "r01 as the course's obtener_info() printing": ("recipes.r01_hostname", {"files": {
        R01: COURSE_R01}}, set()),
    "r02 as the course's obtener_info() printing": ("recipes.r02_host_ip", {"files": {
        R02: COURSE_R02}}, {"localhost"}),
    "r02 obtener_info() printing a list of guesses": ("recipes.r02_host_ip", {"files": {
        R02: GUESSING_R02}}, {"resolves_name", "localhost"}),
    "r02 obtener_info() printing another name's address": ("recipes.r02_host_ip", {"files": {
        R02: COURSE_R02.replace("socket.gethostbyname(nombre_equipo)",
                                'socket.gethostbyname("pypi.org")')}},
        {"resolves_name", "localhost"}),
    # --- r03_ipv4_convert
    "r03 uppercase hex": ("recipes.r03_ipv4_convert", {"patch": {R03: [
        ('hexlify(packed).decode("ascii")', 'hexlify(packed).decode("ascii").upper()')]}},
        {"to_hex"}),
    "r03 0x prefix": ("recipes.r03_ipv4_convert", {"patch": {R03: [
        ('return binascii.hexlify(packed).decode("ascii")',
         'return "0x" + binascii.hexlify(packed).decode("ascii")')]}}, {"to_hex"}),
    "r03 hex as bytes": ("recipes.r03_ipv4_convert", {"patch": {R03: [
        ('return binascii.hexlify(packed).decode("ascii")',
         "return binascii.hexlify(packed)")]}}, {"to_hex"}),
    "r03 packed_to_ip returns bytes": ("recipes.r03_ipv4_convert", {"patch": {R03: [
        ("return socket.inet_ntoa(packed)", "return socket.inet_ntoa(packed).encode()")]}},
        {"from_packed"}),
    "r03 hex without leading zeros": ("recipes.r03_ipv4_convert", {"patch": {R03: [
        ('return binascii.hexlify(packed).decode("ascii")',
         'return format(int.from_bytes(packed, "big"), "x")')]}}, {"roundtrip"}),
    "r03 lying str": ("recipes.r03_ipv4_convert",
                      lying(R03, "def packed_to_ip", "return socket.inet_ntoa(packed)",
                            'return Text("1.2.3.4")'), {"from_packed", "roundtrip"}),
    # --- r04_service_name
    "r04 ignores protocol": ("recipes.r04_service_name", {"patch": {R04: [
        ("return socket.getservbyport(port, protocol)",
         "return socket.getservbyport(port)")]}}, {"udp_protocol"}),
    "r04 always tcp": ("recipes.r04_service_name", {"patch": {R04: [
        ("return socket.getservbyport(port, protocol)",
         'return socket.getservbyport(port, "tcp")')]}}, {"udp_protocol"}),
    "r04 udp by default": ("recipes.r04_service_name", {"patch": {R04: [
        ('protocol: str = "tcp"', 'protocol: str = "udp"')]}}, {"well_known_tcp"}),
    # --- r05_byte_order
    "r05 short with htonl": ("recipes.r05_byte_order", {"patch": {R05: [
        ("return socket.htons(value)", "return socket.htonl(value)")]}}, {"short"}),
    "r05 to_host_long identity": ("recipes.r05_byte_order", {"patch": {R05: [
        ("return socket.ntohl(value)", "return value")]}}, {"long"}),
    "r05 lying int": ("recipes.r05_byte_order",
                      lying(R05, "def to_network_long", "return socket.htonl(value)",
                            "return Number(0)"), {"long"}),
    # --- r06_socket_timeout
    "r06 timeout never set": ("recipes.r06_socket_timeout", {"patch": {R06: [
        ("    sock.settimeout(timeout)\n", "")]}}, {"timeout_set"}),
    "r06 timeout rounded": ("recipes.r06_socket_timeout", {"patch": {R06: [
        ("sock.settimeout(timeout)", "sock.settimeout(int(timeout))")]}}, {"timeout_set"}),
    "r06 udp socket": ("recipes.r06_socket_timeout", {"patch": {R06: [
        ("socket.SOCK_STREAM)", "socket.SOCK_DGRAM)")]}}, {"tcp_socket"}),
    "r06 closed by a with block": ("recipes.r06_socket_timeout", {"patch": {R06: [
        ("    sock.settimeout(timeout)\n    return sock",
         "    with sock:\n        sock.settimeout(timeout)\n    return sock")]}},
        {"timeout_set", "tcp_socket"}),
    # --- r07_socket_errors
    "r07 no --help": ("recipes.r07_socket_errors", {"patch": {R07: [
        ('argparse.ArgumentParser(description="Pide un archivo a un servidor HTTP.")',
         'argparse.ArgumentParser(description="Pide un archivo.", add_help=False)')]}},
        {"usage"}),
    "r07 requests / instead of --file": ("recipes.r07_socket_errors", {"patch": {R07: [
        ('f"GET {args.file} HTTP/1.0', 'f"GET / HTTP/1.0')]}}, {"happy_path"}),
    "r07 prints only the status line": ("recipes.r07_socket_errors", {"patch": {R07: [
        ('print(b"".join(chunks).decode("utf-8", errors="replace"))',
         'print(b"".join(chunks).decode("utf-8", errors="replace").splitlines()[0])')]}},
        {"happy_path"}),
    "r07 traceback on refused": ("recipes.r07_socket_errors", {"patch": {R07: [
        ("    except ConnectionRefusedError:\n        fail(",
         "    except ConnectionRefusedError:\n        raise\n        fail(")]}}, {"refused"}),
    "r07 exit 0 on refused": ("recipes.r07_socket_errors", {"patch": {R07: [
        ("    except ConnectionRefusedError:\n        fail(",
         "    except ConnectionRefusedError:\n        print('rechazada')\n"
         "        sys.exit(0)\n        fail(")]}}, {"refused"}),
    "r07 two lines on unknown host": ("recipes.r07_socket_errors", {"patch": {R07: [
        ('no se pudo resolver {args.host!r} ({exc})")',
         'no se pudo resolver\\n{args.host!r} ({exc})")')]}}, {"unknown_host"}),
    "r07 silent on reset": ("recipes.r07_socket_errors", {"patch": {R07: [
        ("    except ConnectionResetError:\n        fail(",
         "    except ConnectionResetError:\n        sys.exit(1)\n        fail(")]}},
        {"reset_by_peer"}),
    "r07 exit 1 without trying": ("recipes.r07_socket_errors", {"patch": {R07: [
        ("    args = parser.parse_args()\n",
         "    args = parser.parse_args()\n    fail('Error de conexión')\n")]}},
        {"happy_path", "refused", "unknown_host", "reset_by_peer"}),
    # --- r08_buffer_size
    "r08 no SO_SNDBUF": ("recipes.r08_buffer_size", {"patch": {R08: [
        ("    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, send_size)\n", "")]}},
        {"send_buffer"}),
    "r08 no SO_RCVBUF": ("recipes.r08_buffer_size", {"patch": {R08: [
        ("    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, recv_size)\n", "")]}},
        {"recv_buffer"}),
    "r08 no TCP_NODELAY": ("recipes.r08_buffer_size", {"patch": {R08: [
        ("    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)\n", "")]}},
        {"nodelay"}),
    # --- r09_blocking_mode
    "r09 blocking socket": ("recipes.r09_blocking_mode", {"patch": {R09: [
        ("    sock.setblocking(False)\n", "")]}}, {"non_blocking"}),
    "r09 unbound socket": ("recipes.r09_blocking_mode", {"patch": {R09: [
        ('    sock.bind(("localhost", 0))  # puerto 0: el sistema elige uno libre\n', "")]}},
        {"bound"}),
}


def batches() -> list[list[str]]:
    """Variants graded together: the n-th variant of every task in one submission (each
    variant changes only its own task's file, and tasks are graded independently)."""
    per_task: dict[str, list[str]] = {}
    for name, (task, _c, _e) in VARIANTS.items():
        per_task.setdefault(task, []).append(name)
    depth = max(len(names) for names in per_task.values())
    return [[names[i] for names in per_task.values() if i < len(names)] for i in range(depth)]


BATCH_OF = {name: i for i, batch in enumerate(batches()) for name in batch}


@pytest.fixture(scope="module")
def variant_results(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """``variant_results(name)``: the graded checks of that variant's task (each batch is
    graded once, on first use)."""
    graded: dict[int, SubmissionResult] = {}

    def result_of(name: str) -> list[CheckResult]:
        task = VARIANTS[name][0]
        i = BATCH_OF[name]
        if i not in graded:
            files: dict[str, str] = {}
            patch: dict[str, list[tuple[str, str]]] = {}
            for member in batches()[i]:
                changes = VARIANTS[member][1]
                files.update(changes.get("files", {}))
                patch.update(changes.get("patch", {}))
            sub = make_submission(tmp_path_factory.mktemp(f"batch{i}") / "sub", files=files,
                                  patch=patch)
            graded[i] = grade(sub, only=sorted({VARIANTS[m][0] for m in batches()[i]}),
                              lang="en")
        return [c for c in graded[i].checks if c.task == task]

    return result_of


@pytest.mark.parametrize("name", list(VARIANTS))
def test_broken_variant_loses_exactly_its_checks(name: str, variant_results) -> None:  # type: ignore[no-untyped-def]
    task, _changes, expected = VARIANTS[name]
    checks = variant_results(name)
    assert {c.id for c in checks} == {f"{task}.{c}" for c in CHECKS[task]}
    assert {c.status for c in checks} <= {"passed", "failed"}, \
        [(c.id, c.message, c.traceback) for c in checks if c.status == "error"]
    got = {c.id.removeprefix(task + ".") for c in checks if c.status != "passed"}
    assert got == expected, [(c.id, c.message) for c in checks]
    assert all(c.score == (c.max_score if c.status == "passed" else 0) for c in checks)


def test_every_check_has_a_variant_that_fails_only_it() -> None:
    alone = {f"{task}.{next(iter(checks))}" for task, _c, checks in VARIANTS.values()
             if len(checks) == 1}
    every = {f"{task}.{check}" for task, checks in CHECKS.items() for check in checks}
    assert every - alone == set()


def test_lying_values_fail_by_their_type_name(variant_results) -> None:  # type: ignore[no-untyped-def]
    for check in variant_results("r02 lying str"):
        assert "Text" in check.message and "plain str" in check.message, check.message
        assert "<r02_host_ip.Text>" in check.evidence["observed"]


def test_function_evidence_shows_calls_expected_and_observed(variant_results) -> None:  # type: ignore[no-untyped-def]
    check = next(c for c in variant_results("r03 uppercase hex") if c.id.endswith(".to_hex"))
    assert "ip_to_hex('127.0.0.1') → '7f000001'" in check.evidence["expected"]
    assert "ip_to_hex('127.0.0.1') → '7F000001'" in check.evidence["observed"]
    assert "'7F000001'" in check.message and "'7f000001'" in check.message


def test_error_cases_name_the_error_and_show_the_output(variant_results) -> None:  # type: ignore[no-untyped-def]
    checks = variant_results("r07 traceback on refused")
    check = next(c for c in checks if c.id.endswith(".refused"))
    assert "ConnectionRefusedError" in check.message and "traceback" in check.message
    assert "Traceback" in check.evidence["stderr"]
    assert check.evidence["exit"]["code"] == 1
    assert check.evidence["argv"][1:3] == ["--host", "localhost"]


def test_skip_reason_comes_from_the_catalogue_in_the_run_language() -> None:
    """r04 skips with ``harness.api.skip`` (a key of the pack's catalogue); the engine says
    it in the run's language, worded as before the recipes were a pack ("Skipped: ...")."""
    from harness.api import CheckSkipped, skip
    from harness.engine import _message

    with pytest.raises(CheckSkipped) as info:
        skip("recipes.r04_service_name.no_services")
    outcome = {"id": "recipes.r04_service_name.well_known_tcp", "status": "skipped",
               "key": info.value.key, "params": info.value.params}
    assert _message(outcome, "en").startswith("Skipped: this machine has no services database")
    assert _message(outcome, "es").startswith("Omitido: este equipo no tiene base")


def test_catalogues_define_every_title_in_both_languages() -> None:
    for lang in ("es", "en"):
        for task, checks in CHECKS.items():
            for check in checks:
                assert t(f"check.{task}.{check}", lang)


def test_r06_every_timeout_it_can_ask_for_reads_back_as_set() -> None:
    """Python keeps a socket's timeout in nanoseconds rounded up (``settimeout(2.14)`` reads
    back 2.140000001): for every timeout the check can choose, a real socket given it is
    judged right, and one given that timeout rounded or truncated is judged wrong."""
    import socket

    from harness.checks.recipes.checks.test_r06_socket_timeout import same_timeout

    asked = sorted({round(whole + cents / 100, 2) for whole in range(1, 60)
                    for cents in range(1, 100)})
    wrong = []
    with socket.socket() as sock:
        for timeout in asked:
            sock.settimeout(timeout)
            if not same_timeout(sock.gettimeout(), timeout):
                wrong.append((timeout, sock.gettimeout()))
            assert not same_timeout(int(timeout), timeout)
            assert not same_timeout(float(round(timeout)), timeout)
    assert wrong == []
    assert not same_timeout(True, 1.0) and not same_timeout(None, 1.0)


def test_r06_chooses_only_fractional_timeouts() -> None:
    """A program that rounds the timeout can never pass by drawing a whole number."""
    from harness.checks.recipes.checks.test_r06_socket_timeout import random_timeout

    drawn = {random_timeout() for _ in range(5000)}
    assert all(1 < t < 60 and t != int(t) for t in drawn)
    assert len(drawn) > 1000


def test_r02_reads_an_address_wherever_a_sentence_puts_it() -> None:
    """The course's program prints a sentence: an address at its end, before the period, is
    read; a longer dotted number is not an address."""
    from harness.checks.recipes.checks.test_r02_host_ip import IPV4

    for text in ("La dirección IP de www.python.org es 198.18.5.7.",
                 "IP: 198.18.5.7", "198.18.5.7\n", "(198.18.5.7), listo",
                 "es 198.18.5.7.\nfin"):
        assert IPV4.findall(text) == ["198.18.5.7"], text
    for text in ("198.18.5.7.1", "1198.18.5.7", "198.18.5", "v1.198.18.5.7"):
        assert IPV4.findall(text) == [], text
