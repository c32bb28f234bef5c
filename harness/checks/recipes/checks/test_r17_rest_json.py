"""Receta 17: ``iss_position(url=...) -> (lat, lon)`` with requests, from an open-notify
style JSON API; running the file loops 10 times, printing each position, 1 s apart.

The grader's API answers at ``api.open-notify.org:80`` with a new position per request
(latitude and longitude as JSON strings, as the live API). ``loop_ten`` runs with virtual
time: each ``time.sleep`` is recorded, not slept, so the ten iterations take milliseconds.
"""

from __future__ import annotations

import re

from harness.api import IssApi, Probe, Student, VNet, brief, quoted, say, type_name

TASK = "recipes.r17_rest_json"
HOST = "api.open-notify.org"
LOOPS = 10
SLEEP = 1.0
WINDOW = 8.0
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
MIN_DECIMALS = 2
"""Decimals each printed number of the course's function must have (``parses_position``): a
grid of rounded guesses cannot pass."""


def prints_with_decimals(value: float) -> bool:
    """Every correct printout of ``value`` (a coordinate the API sends as text with 4
    decimals) shows at least :data:`MIN_DECIMALS` decimals: the text itself, the float read
    from it (no trailing zeros: ``12.3`` for ``"12.3000"``), and that float rounded to 2 or 3
    decimals (``12.3`` for ``round(12.3001, 2)``). About one coordinate in ten fails this."""
    return not f"{value:.4f}".endswith("000") and not f"{round(value, 2):.2f}".endswith("0")


def decimal_position(lat: float, lon: float) -> bool:
    """The positions ``parses_position`` sends: both coordinates pass
    :func:`prints_with_decimals`, so whether a course function that prints the position with
    ``print(lat, lon)`` or ``round(lat, 2)`` passes never depends on the draw (``12.3000``
    printed as ``12.3`` has one decimal: that failed one grading in 500), while
    ``f"{lat:.1f}"`` always fails; and never a latitude equal to the longitude, so a
    function that swaps them always fails."""
    return prints_with_decimals(lat) and prints_with_decimals(lon) and lat != lon


def api_vnet(fake: IssApi, *, virtual_sleep: bool = False) -> VNet:
    """Any host on port 80 reaches the JSON API (the recipe names ``api.open-notify.org``;
    a program that writes another host of the API is judged on what it does with the
    answer)."""
    vnet = VNet().web(("127.0.0.1", fake.port))
    vnet.virtual_sleep = virtual_sleep
    return vnet


def test_parses_position(student: Student, probe: Probe) -> None:
    with IssApi(accept=decimal_position) as fake:
        # virtual time: the course's function loops ten times with sleep(1) and prints
        value = student.call("iss_position", vnet=api_vnet(fake, virtual_sleep=True),
                             timeout=WINDOW)
        served = list(fake.served)
    probe.note(served=[{"latitude": f"{a:.4f}", "longitude": f"{b:.4f}"} for a, b in served])
    if not served:
        raise probe.fail(f"{TASK}.no_request", host=HOST)
    lat, lon = served[0]
    expected = (float(f"{lat:.4f}"), float(f"{lon:.4f}"))
    if value is None and "iss_position" in student.called_as:
        # the course's function prints the positions instead of returning one: its first
        # printed position must be the first one served (per-run values)
        printed = student.printed()
        probe.note(function=f"{student.called_as['iss_position']}()", printed=quoted(printed),
                   expected=repr(expected))
        # at least 2 decimals per number: a grid of rounded guesses cannot pass
        probe.expect(positions_in_order(printed, served[:1], min_decimals=MIN_DECIMALS) == 1,
                     f"{TASK}.not_printed",
                     func=student.called_as["iss_position"], expected=repr(expected),
                     got=quoted(printed))
        return
    probe.note(returned=repr(value), expected=repr(expected))
    ok_shape = isinstance(value, tuple | list) and len(value) == 2
    if not ok_shape or not all(type(v) is float for v in value):  # type: ignore[union-attr]
        raise probe.fail(f"{TASK}.not_floats", got=brief(value),
                         kind=type_name(value), expected=repr(expected))
    assert isinstance(value, tuple | list)
    probe.expect(tuple(value) == expected, f"{TASK}.wrong_position", got=repr(tuple(value)),
                 expected=repr(expected))


def positions_in_order(stdout: str, served: list[tuple[float, float]], *,
                       min_decimals: int = 0) -> int:
    """How many of the served positions the output shows, in order: the two numbers of a
    position next to each other, in either order (which comes first is judged by
    ``parses_position``), each equal to the served value to the decimals it is printed with
    (``12.35`` shows ``12.3456``); numbers with fewer than ``min_decimals`` decimals do not
    count (see :func:`decimal_position` for why that never depends on the draw)."""
    numbers = [(float(n), 0.5 * 10.0 ** -len(n.partition(".")[2]) + 1e-9)
               for n in NUMBER.findall(stdout) if len(n.partition(".")[2]) >= min_decimals]
    found = i = 0
    for position in served:
        while i + 1 < len(numbers) and not _same(numbers[i], numbers[i + 1], position):
            i += 1
        if i + 1 >= len(numbers):
            break
        found += 1
        i += 2
    return found


Printed = tuple[float, float]
"""A printed number and how far it may be from the value it shows (half its last digit)."""


def _same(x: Printed, y: Printed, position: tuple[float, float]) -> bool:
    a, b = position

    def close(p: Printed, v: float) -> bool:
        return abs(p[0] - v) <= p[1]

    return (close(x, a) and close(y, b)) or (close(x, b) and close(y, a))


def test_loop_ten(student: Student, probe: Probe) -> None:
    with IssApi() as fake:
        finished = student.run(vnet=api_vnet(fake, virtual_sleep=True), timeout=WINDOW)
        served = list(fake.served)
    sleeps = [e.get("s") for e in finished.events if e["ev"] == "sleep"]
    printed = positions_in_order(finished.stdout, served)
    probe.note(requests=len(served), printed_positions=printed, sleeps=sleeps,
               served=[f"{a:.4f}, {b:.4f}" for a, b in served],
               expected=say("recipes.evidence.loop_ten", n=LOOPS, sleep=f"{SLEEP:g}"))
    if finished.timed_out:
        raise probe.fail(f"{TASK}.hangs", seconds=student.window(WINDOW))
    if len(served) != LOOPS:
        raise student.crashed_or(f"{TASK}.request_count", finished, got=len(served),
                                 expected=LOOPS)
    probe.expect(printed == LOOPS, f"{TASK}.printed_count", got=printed, expected=LOOPS,
                 stdout=quoted(finished.stdout))
    one_second = [s for s in sleeps if isinstance(s, int | float) and abs(s - SLEEP) < 1e-6]
    probe.expect(len(one_second) == len(sleeps) and len(sleeps) in (LOOPS - 1, LOOPS),
                 f"{TASK}.sleeps", got=", ".join(f"{s:g}" if isinstance(s, int | float)
                                                 else str(s) for s in sleeps) or "—",
                 expected=LOOPS)
