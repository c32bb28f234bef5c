"""Checks that draw random inputs judge a correct program the same way whatever they draw.

Each test here works in the grader's own process (no student code, no sandbox): it takes the
values a check can choose, all of them where that is cheap, a large sample otherwise, and
shows that what a correct program does with them passes and that the bug the check is about
fails, for every value. The first of these was r06's timeout (tests/test_recipes_a.py).
"""

from __future__ import annotations

import ipaddress
import itertools
import math
import os
import random
import string

import pytest

from harness.api import DOC_NETS, VNet
from harness.checks import builtin_roots
from harness.checks.recipes.checks import test_r17_rest_json as r17
from harness.packs.collect import pack_module
from harness.vnet import shim
from harness.vnet.shim import virtual_address


def _decimals(text: str) -> int:
    return len(text.partition(".")[2])


def _coordinates() -> list[float]:
    """Coordinates the API can send (4 decimals, latitude within 51.6, longitude within 180):
    every fractional part with integer parts at zero, one and the ends of the ranges, the
    ends themselves, and a sample of the rest. How many decimals a coordinate prints with
    depends only on its 4 decimals (repr of a float gives the shortest text that reads back as
    it, and these have 7 digits at most)."""
    out = [float(f"{sign * (whole + k / 10000):.4f}") for whole in (0, 1, 51, 179)
           for k in range(10000) for sign in (1, -1)]
    out += [-180.0, 180.0, -51.6, 51.6]
    rng = random.Random(20261202)
    out += [round(rng.uniform(-180.0, 180.0), 4) for _ in range(100_000)]
    return out


def _printouts(lat: float, lon: float) -> list[str]:
    """What a correct course function may print for a position (the API sends the numbers as
    text): the text itself, the floats read from it, rounded to 2 or 3 decimals, formatted
    with 2."""
    return [f"{lat:.4f} {lon:.4f}", f"latitud {lat}, longitud {lon}", str((lat, lon)),
            f"{round(lat, 2)}, {round(lon, 2)}", f"{round(lat, 3)} {round(lon, 3)}",
            f"lat={lat:.2f} lon={lon:.2f}"]


def test_r17_only_positions_every_correct_printout_shows_with_two_decimals() -> None:
    """``parses_position`` counts printed numbers with 2 decimals or more; a float prints
    without trailing zeros (``12.3`` for the API's ``"12.3000"``, ``round(12.3001, 2)`` too),
    so the check serves only coordinates that every correct printout shows with 2 decimals.
    Over every fractional part: each coordinate it may serve has them in every correct
    printout, and each one it does not serve lacks them in one (the reason it is left out)."""
    served = left_out = 0
    for v in _coordinates():
        texts = [f"{v:.4f}", repr(v), repr(round(v, 2)), repr(round(v, 3)), f"{v:.2f}"]
        if r17.prints_with_decimals(v):
            served += 1
            assert all(_decimals(t) >= r17.MIN_DECIMALS for t in texts), (v, texts)
        else:
            left_out += 1
            assert any(_decimals(t) < r17.MIN_DECIMALS for t in texts), (v, texts)
        assert _decimals(f"{v:.1f}") < r17.MIN_DECIMALS
    assert 0.08 < left_out / (served + left_out) < 0.12


def test_r17_the_served_position_is_found_in_every_correct_printout_and_no_rounded_one() -> None:
    """End to end on positions the check's API really draws: the first position is found in
    each correct printout (with a counter before it, as the course prints), never in one with
    a single decimal or none, nor in made-up numbers. The plain API's positions include ones
    the reference's own ``print`` shows with one decimal (the false failure, 1 in 500)."""
    api = r17.IssApi(seed=7, accept=r17.decimal_position)
    for n in range(20_000):
        lat, lon = position = api._next_position()  # what a GET would send
        assert (lon, lat) != position  # a function that swaps them fails parses_position
        for text in _printouts(lat, lon):
            out = f"{n} {text}\n1.5 2.5\n"
            assert r17.positions_in_order(out, [position], min_decimals=2) == 1, out
        for text in (f"{lat:.1f} {lon:.1f}", f"{round(lat)} {round(lon)}", "1.5 2.5"):
            assert r17.positions_in_order(text, [position], min_decimals=2) == 0, text
    plain = r17.IssApi(seed=7)
    drawn = [plain._next_position() for _ in range(20_000)]
    short = [p for p in drawn if not all(r17.prints_with_decimals(v) for v in p)]
    assert short, "the plain API draws positions that print with one decimal"
    assert any(r17.positions_in_order(f"latitud {lat}, longitud {lon}", [(lat, lon)],
                                      min_decimals=2) == 0 for lat, lon in short)


# ---------------------------------------------------------- lab9 head_client: the URL's host

HEAD = pack_module(builtin_roots()[0], "test_head_client")
FAKES = {"url": 1001, "host80": 1002, "other": 1003}
ROLE_OF = {("127.0.0.1", port): role for role, port in FAKES.items()}
HARD_CODED = ("webcode.me", "www.google.com", "example.com", "www.example.com", "localhost",
              "www.python.org", "93.184.216.34", "192.0.2.1", "203.0.113.254")


def _reached(vnet: VNet, host: str, port: int) -> str | None:
    """Which grader web server ``connect((host, port))`` reaches in a child given ``vnet``
    (the shim's own routing, run here with the rules it would get)."""
    saved = shim._state
    with open(os.devnull, "wb") as sink:
        try:
            shim._state = shim._State(vnet.to_json(), sink.fileno())
            target = shim._route("tcp", (host, port))
        finally:
            shim._state = saved
    return ROLE_OF.get(target) if target else None


def _colliding(name: str) -> str:
    """A URL host the check can draw whose address, left to the virtual DNS's rule for
    names without a record, is ``name``'s (one draw in 762)."""
    wanted = virtual_address(name)
    return next(host for i in itertools.count()
                if virtual_address(host := f"www-{i:06d}.example.com") == wanted)


def test_head_url_host_never_shares_its_address_with_a_hard_coded_host() -> None:
    """The URL's host has its own record outside the documentation ranges, so a program that
    hard-codes a host reaches the ``other`` server whatever the draw, and a correct one the
    URL's servers by name or by address. Before, the URL's host left to the rule for names
    without a record shared its address with ``webcode.me`` one run in 762 (shown here)."""
    for name in ("webcode.me", "www.google.com"):
        host = _colliding(name)
        before = VNet().route("tcp", host, 8080, ("127.0.0.1", FAKES["url"])) \
            .route("tcp", host, 80, ("127.0.0.1", FAKES["host80"])) \
            .route("tcp", "*", 80, ("127.0.0.1", FAKES["other"]))
        assert _reached(before, name, 80) == "host80"  # the old collision
        _, address = HEAD.url_host()
        for port, fakes in ((8080, FAKES), (80, {"url": 1001, "other": 1003})):
            vnet = HEAD.head_network(host, address, port, fakes)
            assert _reached(vnet, name, 80) == "other"
            assert _reached(vnet, host, port) == _reached(vnet, address, port) == "url"
            if port != 80:
                assert _reached(vnet, host, 80) == "host80"
    for _ in range(5000):
        host, address = HEAD.url_host()
        assert ipaddress.ip_address(address) in ipaddress.ip_network("198.18.0.0/15")
        assert address.rsplit(".", 1)[1] not in ("0", "255")
        vnet = HEAD.head_network(host, address, 8080, FAKES)
        assert vnet.resolve(host) == address
    assert all(virtual_address(name).startswith(DOC_NETS) for name in HARD_CODED
               if not name[0].isdigit() and name != "localhost")
    vnet = HEAD.head_network(*HEAD.url_host(), 8080, FAKES)
    assert all(_reached(vnet, name, 80) == "other" for name in HARD_CODED)


def test_r07_host_is_reached_only_by_its_name_or_address() -> None:
    """r07's ``happy_path`` and ``reset_by_peer`` route the ``--host`` they give: a program
    that ignores it and connects to a hard-coded host on the right port is refused whatever
    the draw (before, one draw in 762 gave the run's host the hard-coded one's address)."""
    from harness.checks.recipes.checks import test_r07_socket_errors as r07

    to = ("127.0.0.1", FAKES["url"])
    for name in ("www.example.com", "localhost", "webcode.me"):
        host = _colliding(name) if name != "localhost" else "www-abcdef.example.org"
        for _ in range(200):
            port = r07.virtual_port()
            vnet = r07.host_network(host, port, to)
            assert _reached(vnet, name, port) is None
            assert _reached(vnet, host, port) == "url"
            assert _reached(vnet, vnet.resolve(host), port) == "url"
    host = _colliding("www.example.com")
    assert _reached(VNet().route("tcp", host, 8080, to), "www.example.com", 8080) == "url"


# ---------------------------------------------------------- r04: the default protocol

SERVICES = {
    "netbase 6": {("tcp", 21): "ftp", ("udp", 21): "fsp", ("tcp", 22): "ssh",
                  ("tcp", 23): "telnet", ("tcp", 25): "smtp", ("tcp", 80): "http",
                  ("tcp", 110): "pop3", ("tcp", 143): "imap2", ("tcp", 443): "https",
                  ("udp", 443): "https", ("tcp", 993): "imaps", ("tcp", 995): "pop3s"},
    # before netbase 6.0 most of them were listed for UDP as well, under the same name
    "netbase 5": {("tcp", 21): "ftp", ("udp", 21): "fsp", ("tcp", 23): "telnet",
                  ("tcp", 25): "smtp",
                  **{(proto, port): name for port, name in (
                      (22, "ssh"), (80, "http"), (110, "pop3"), (143, "imap2"), (443, "https"),
                      (993, "imaps"), (995, "pop3s")) for proto in ("tcp", "udp")}},
    "one telling port": {**{(proto, port): f"s{port}" for port in (22, 80, 443)
                            for proto in ("tcp", "udp")}, ("tcp", 25): "smtp"},
}


def test_r04_a_udp_default_fails_well_known_tcp_whatever_the_draw(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """For services databases of several shapes, over many draws: the reference (its
    default is "tcp") gives exactly the expected names, and a function whose default is
    "udp" gets at least one wrong wherever a port's UDP answer differs from its TCP one.
    Drawn from all the ports, as before, it passed about one run in two with netbase 5."""
    from harness.checks.recipes.checks import test_r04_service_name as r04

    for shape, table in SERVICES.items():
        monkeypatch.setattr(r04, "lookup", lambda port, protocol, t=table:
                            t.get((protocol or "tcp", port)))
        before = 0
        for _ in range(2000):
            ports = r04.tcp_ports()
            assert len(ports) == len(set(ports)) == min(3, len({p for _, p in table}))
            expected = [table[("tcp", p)] for p in ports]
            protocols = ["udp"] * (len(ports) - 1) + ["tcp"]
            udp_default = [table.get((proto, p)) for proto, p in zip(protocols, ports, strict=True)]
            assert udp_default != expected, (shape, ports)
            drawn = random.sample([p for p in r04.TCP_PORTS if ("tcp", p) in table], 3)
            before += [table.get(("udp", p)) for p in drawn[:-1]] == \
                [table[("tcp", p)] for p in drawn[:-1]]
        if shape == "netbase 5":
            assert 0.35 < before / 2000 < 0.6, before


# ---------------------------------------------------------- r13/r14 clients: the echo's variant

COURSE_MESSAGES = ("Mensaje de prueba", "Mensaje de prueba. Se hara eco de esto",
                   "Mensaje de prueba. Se enviará de vuelta", "Este es el mensaje de prueba.",
                   "Test message. This will be echoed", "Hola", "HOLA", "hi", "eco 1")


def test_echo_variant_always_differs_from_a_message_with_a_vowel() -> None:
    """Without ``--message`` the fake answers a per-run variant of what the client sent, so
    that printing the message sent instead of the echo fails ``prints_echo``. Over many
    draws, every message with a vowel comes back changed (same length, same letters), while
    the variants still differ from run to run. With every letter left to chance (before),
    "Mensaje de prueba" came back unchanged one run in 2048."""
    from harness.checks.recipes.checks import echo_clients

    variants: dict[bytes, set[bytes]] = {}
    for _ in range(3000):
        swap = echo_clients.swapper()
        for message in COURSE_MESSAGES:
            sent = message.encode("utf-8")
            echo = swap(sent)
            assert echo != sent and len(echo) == len(sent) and echo.lower() == sent.lower()
            # what judge_prints looks for is not in the output of a client that printed
            # only what it sent
            assert echo.decode("utf-8") not in f"Enviando {message}\n"
            variants.setdefault(sent, set()).add(echo)
    assert len(variants[b"Mensaje de prueba"]) > 200  # 8 consonants left to chance: 256


# ---------------------------------------------------------- r18: the probe's request

def _page_showing(request: bytes, uptime: float) -> bytes:
    """A correct r18 server's response whose page shows the request it answers, then the
    uptime."""
    body = (f"<html><body><pre>{request.decode('ascii')}</pre>"
            f"<p>Tiempo activo: {uptime:.2f} s</p></body></html>")
    return b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + body.encode()


def test_r18_a_page_that_shows_the_request_is_judged_on_its_uptime_alone() -> None:
    """``uptime_grows`` compares the numbers of two pages place by place. Over many draws of
    the probe's requests, a page that shows the request and an uptime that grew passes, and
    one whose uptime is frozen fails. With the tag drawn from letters and digits (before),
    the numbers of such pages shifted with the draw: the growing one failed in most draws."""
    from harness.checks.recipes.checks import test_r18_http_server as r18

    def judged(first: bytes, second: bytes, up: tuple[float, float]) -> bool:
        return r18.grew(r18.uptimes(r18.Reply(_page_showing(first, up[0]))),
                        r18.uptimes(r18.Reply(_page_showing(second, up[1]))), 0.3, 0.4)

    for _ in range(3000):
        first, second = r18.request_bytes(), r18.request_bytes()
        assert judged(first, second, (0.05, 0.35))
        assert not judged(first, second, (0.05, 0.05))
    rng = random.Random(5)
    before = [b"".join(r18.request_lines("".join(rng.choices(string.ascii_letters + string.digits,
                                                              k=6)))) for _ in range(2000)]
    wrong = sum(not judged(a, b, (0.05, 0.35)) for a, b in itertools.pairwise(before))
    assert wrong > 500, wrong


# ---------------------------------------------------------- words that a change of case changes

def test_mixed_case_words_never_survive_a_change_of_case() -> None:
    """Paths and payloads judged byte for byte are drawn with both cases, so a program that
    lower-cases the URL or upper-cases the data never gets them back unchanged. Plain words
    of 6 letters and digits have no upper-case letter one draw in 26 (a client that sends
    ``url.lower()`` then asked for the right path)."""
    from harness.checks.lab9.checks import common as lab9_common
    from harness.checks.recipes.checks import servers
    from harness.checks.recipes.checks import test_r16_raw_http as r16
    from harness.checks.support import token

    for n in (2, 4, 5, 6, 10, 12):
        for _ in range(5000):
            word = token(n, mixed_case=True)
            assert len(word) == n and word.lower() != word and word.upper() != word
    for _ in range(3000):
        for payload in (lab9_common.utf8_payload(), servers.echo_payload()):
            assert payload.lower() != payload and payload.decode().upper().encode() != payload
        for url, (host, path) in r16.parse_cases()[3:]:
            assert path.lower() != path and url.lower() != url
            assert url.lower().split(host, 1)[1] != path
    plain = [token(6) for _ in range(20_000)]
    assert 0.02 < sum(w.lower() == w for w in plain) / len(plain) < 0.06
    for n, alphabet in ((1, "aB"), (6, "abc123"), (6, "ABC")):
        with pytest.raises(ValueError):
            token(n, alphabet, mixed_case=True)


# ---------------------------------------------------------- lab9 time server: stated error rates

def _runs_tail(n0: int, n1: int, z_max: float) -> float:
    """Exact P(|z| > z_max) of the Wald-Wolfowitz runs statistic given the counts."""
    def log_comb(n: int, k: int) -> float:
        return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)

    n = n0 + n1
    mean = 2 * n0 * n1 / n + 1
    sd = math.sqrt(2 * n0 * n1 * (2 * n0 * n1 - n) / (n * n * (n - 1)))
    total = log_comb(n, n0)
    tail = 0.0
    for runs in range(2, 2 * min(n0, n1) + 2):
        if abs(runs - mean) <= z_max * sd:
            continue
        k = runs // 2
        if runs % 2 == 0:
            terms = [(math.log(2), k - 1, k - 1)]
        else:
            terms = [(0.0, k, k - 1), (0.0, k - 1, k)]
        for extra, a, b in terms:
            if a <= n0 - 1 and b <= n1 - 1:
                tail += math.exp(extra + log_comb(n0 - 1, a) + log_comb(n1 - 1, b) - total)
    return tail


def test_time_server_runs_test_fails_a_fair_coin_as_rarely_as_stated() -> None:
    """``drops_random``'s runs test is stated at 5e-5 for a fair coin by the normal
    approximation; its exact distribution, at lengths where the probe stops for a fair coin
    (500 requests at least), agrees; the counts left out, beyond n/2 +- 80, weigh under 1e-6.
    (The lag tests' Hoeffding bounds are exact bounds; a
    simulation of 200,000 fair-coin probes gave 4 pattern failures and no rate failure.)"""
    stats = pack_module(builtin_roots()[0], "stats")
    for n in (500, 600, 1000):
        false_fail = math.fsum(
            math.comb(n, n1) / 2 ** n * _runs_tail(n - n1, n1, stats.RUNS_Z_MAX)
            for n1 in range(n // 2 - 80, n // 2 + 81))
        assert 3e-5 < false_fail <= 5e-5, (n, false_fail)
    assert stats.operating_curve(0.5)[1] < 1e-12
