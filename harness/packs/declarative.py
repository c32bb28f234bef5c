"""Request/response exercises declared in TOML: no Python needed for the common case.

One file per task, in the pack's ``checks/``::

    task = "udp_server"        # a task of pack.toml
    program = "server"         # server: the grader sends, the student's program answers
                               # client: the student's program sends, the grader answers
    proto = "udp"              # udp | tcp
    port = 21567               # server: the port of the statement; client: where it sends
    host = "localhost"         # client: the host it names (routed to the grader)
    repeat = 3                 # every check is judged on this many fresh draws of [values]
                               # (a server's check may set its own repeat)
    stdin = "{n}"              # client: the line(s) fed to input() (a newline is added)
    answer = "{n|bases}"       # client: what the grader's server answers

    [values]                   # drawn at random for each repetition
    n = { int = [0, 255] }     # also: { word = 8 }, { choice = ["a", "b"] }, or a fixed "text"

    [[check]]
    name = "hexadecimal"       # check id <pack>.<task>.<name>; points in pack.toml
    send = "{n}"               # server: what the grader sends
    reply = { contains = "{n|hex}" }
    fail = "bases2023.udp_server.no_hex"   # message key in i18n/es.json and en.json

A check has exactly one of ``listens = true`` (server: binds ``port`` and stays up),
``reply = {...}`` (server: the reply to ``send``), ``sent = {...}`` (client: what it sent),
``stdout = {...}`` (client: what it printed), ``exits = true`` (client: ended by itself,
status 0). An expectation is ``{ equals = T }``, ``{ contains = T }`` or ``{ regex = T }``,
with ``strip = true`` (ignore surrounding whitespace) and ``ignore_case = true``. Templates
insert values as ``{name}`` or ``{name|transform|...}`` (:mod:`harness.packs.templates`). A server's
expectations also know ``{sent}`` (``reply = { equals = "{sent|upper}" }``); a client's know
``{answer}`` and ``{sent}``. In a ``regex`` the inserted values are escaped. A failure
message gets ``sent``, ``got``, ``expected``, ``port`` and every value as parameters.
"""

from __future__ import annotations

import tomllib
import types
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.api import (
    ClientRun,
    Probe,
    Student,
    random_choice,
    random_int,
    random_word,
    run_client,
    show,
    tcp_ask,
    udp_ask,
)
from harness.api.net import CLIENT_WINDOW, WINDOW
from harness.packs.model import PackError
from harness.packs.templates import TRANSFORMS, Expectation, render

KINDS = ("listens", "reply", "sent", "stdout", "exits")
SERVER_KINDS = ("listens", "reply")
CLIENT_KINDS = ("sent", "stdout", "exits")


@dataclass(frozen=True)
class DeclaredCheck:
    name: str
    kind: str
    fail: str
    send: str = ""
    expect: Expectation | None = None
    repeat: int | None = None
    """This check's own number of repetitions (server checks; default: the exercise's)."""


@dataclass(frozen=True)
class Exercise:
    path: Path
    task: str
    """The full task id."""
    program: str
    proto: str
    port: int
    host: str
    repeat: int
    window: float
    values: dict[str, Any]
    stdin: str
    args: tuple[str, ...]
    answer: str
    checks: tuple[DeclaredCheck, ...]

    def draw(self) -> dict[str, Any]:
        """Fresh values for one repetition."""
        out: dict[str, Any] = {}
        for name, spec in self.values.items():
            if isinstance(spec, dict) and "int" in spec:
                out[name] = random_int(int(spec["int"][0]), int(spec["int"][1]))
            elif isinstance(spec, dict) and "word" in spec:
                out[name] = random_word(int(spec["word"]))
            elif isinstance(spec, dict) and "choice" in spec:
                out[name] = random_choice(list(spec["choice"]))
            else:
                out[name] = spec
        if self.program == "client":
            out["answer"] = render(self.answer, out)
        return out


def load(path: Path, pack: str) -> Exercise:
    """Read and validate one exercise file (every template is tried on sample values)."""
    rel = f"checks/{path.name}"

    def bad(what: str) -> PackError:
        return PackError(f"course pack {path.parent.parent}: {rel}: {what}")

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise bad(str(exc)) from exc
    allowed = {"task", "program", "proto", "port", "host", "repeat", "window", "values",
               "stdin", "args", "answer", "check"}
    unknown = set(data) - allowed
    if unknown:
        raise bad(f"unknown keys {sorted(unknown)}; allowed: {', '.join(sorted(allowed))}")
    program, proto = data.get("program"), data.get("proto")
    if program not in ("server", "client"):
        raise bad(f"program = {program!r}: choose \"server\" or \"client\"")
    if proto not in ("udp", "tcp"):
        raise bad(f"proto = {proto!r}: choose \"udp\" or \"tcp\"")
    port = data.get("port")
    if not isinstance(port, int) or not 0 < port < 65536:
        raise bad(f"port = {port!r}: the port of the statement, 1-65535")
    task = data.get("task")
    if not isinstance(task, str):
        raise bad("task = \"<task of pack.toml>\" is missing")
    values = data.get("values") or {}
    for name, spec in values.items():
        ok = isinstance(spec, (str, int)) or (isinstance(spec, dict) and len(spec) == 1 and (
            ("int" in spec and isinstance(spec["int"], list) and len(spec["int"]) == 2)
            or ("word" in spec and isinstance(spec["word"], int) and spec["word"] > 0)
            or ("choice" in spec and isinstance(spec["choice"], list) and spec["choice"])))
        if not ok or name == "answer":
            raise bad(f"values.{name}: give {{ int = [LOW, HIGH] }}, {{ word = N }}, "
                      "{ choice = [...] } or a fixed text (and do not name a value answer)")
    repeat = data.get("repeat", 1)
    if not isinstance(repeat, int) or not 1 <= repeat <= 50:
        raise bad(f"repeat = {repeat!r}: 1 to 50")
    checks = tuple(_check(c, program, bad) for c in data.get("check") or [])
    if not checks:
        raise bad("no [[check]]: declare at least one")
    names = [c.name for c in checks]
    if len(set(names)) != len(names):
        raise bad(f"two checks with the same name in {names}")
    ex = Exercise(path=path, task=f"{pack}.{task}", program=program, proto=proto, port=port,
                  host=str(data.get("host", "localhost")), repeat=repeat,
                  window=float(data.get("window", WINDOW if program == "server"
                                         else CLIENT_WINDOW)),
                  values=values, stdin=str(data.get("stdin", "")),
                  args=tuple(str(a) for a in data.get("args", [])),
                  answer=str(data.get("answer", "")), checks=checks)
    if program == "client" and not ex.answer:
        raise bad("answer = \"...\": what the grader's server answers the client")
    _try_templates(ex, bad)
    return ex


def _check(c: Any, program: str, bad: Callable[[str], PackError]) -> DeclaredCheck:
    if not isinstance(c, dict) or not isinstance(c.get("name"), str):
        raise bad("every [[check]] has a name")
    where = f"check {c['name']!r}"
    kinds = [k for k in KINDS if k in c]
    if len(kinds) != 1:
        raise bad(f"{where}: give exactly one of {', '.join(KINDS)}")
    kind = kinds[0]
    allowed_kinds = SERVER_KINDS if program == "server" else CLIENT_KINDS
    if kind not in allowed_kinds:
        raise bad(f"{where}: {kind} is not for a {program}; use one of "
                  f"{', '.join(allowed_kinds)}")
    unknown = set(c) - {"name", "fail", "send", "repeat", kind}
    if unknown:
        raise bad(f"{where}: unknown keys {sorted(unknown)}")
    if not isinstance(c.get("fail"), str):
        raise bad(f"{where}: fail = \"<message key>\" (in i18n/es.json and en.json) is "
                  "missing")
    expectation = None
    if kind in ("reply", "sent", "stdout"):
        spec = c[kind]
        modes = [m for m in ("equals", "contains", "regex") if isinstance(spec, dict) and m in spec]
        if len(modes) != 1 or set(spec) - {modes[0], "strip", "ignore_case"}:
            raise bad(f"{where}: {kind} = {{ equals|contains|regex = \"...\" }} (with optional "
                      "strip, ignore_case)")
        expectation = Expectation(modes[0], str(spec[modes[0]]), bool(spec.get("strip")),
                                  bool(spec.get("ignore_case")))
    elif c[kind] is not True:
        raise bad(f"{where}: {kind} = true")
    if kind == "reply" and not isinstance(c.get("send"), str):
        raise bad(f"{where}: send = \"...\": what the grader sends")
    repeat = c.get("repeat")
    if repeat is not None and (program != "server" or not isinstance(repeat, int)
                               or not 1 <= repeat <= 50):
        raise bad(f"{where}: repeat = 1 to 50, for a server's check (a client's runs are "
                  "shared by its checks: set repeat at the top)")
    return DeclaredCheck(name=c["name"], kind=kind, fail=c["fail"], send=c.get("send", ""),
                         expect=expectation, repeat=repeat)


def _try_templates(ex: Exercise, bad: Callable[[str], PackError]) -> None:
    sample = ex.draw()
    templates = [("stdin", ex.stdin)] + ([("answer", ex.answer)] if ex.answer else [])
    for c in ex.checks:
        templates.append((f"check {c.name!r} send", c.send))
        if c.expect:
            templates.append((f"check {c.name!r} {c.kind}", c.expect.template))
    for where, template in templates:
        try:
            render(template, {**sample, "sent": ""})
        except KeyError as exc:
            raise bad(f"{where}: unknown value {{{exc.args[0]}}}; known: "
                      f"{', '.join(sorted(sample)) or '—'}") from exc
        except LookupError as exc:
            raise bad(f"{where}: unknown transform |{exc.args[0]}; known: "
                      f"{', '.join(TRANSFORMS)}") from exc
        except (ValueError, TypeError) as exc:
            raise bad(f"{where}: {exc}") from exc


# ------------------------------------------------------------------ the checks

def module(ex: Exercise) -> types.ModuleType:
    """A check module for the grading run: ``TASK`` and one ``test_<name>`` per check."""
    mod = types.ModuleType(f"labgrade_pack_{ex.task.replace('.', '_')}")
    mod.__file__ = str(ex.path)
    mod.TASK = ex.task  # type: ignore[attr-defined]
    for c in ex.checks:
        fn = _server_check(ex, c) if ex.program == "server" else _client_check(ex, c)
        fn.__name__ = fn.__qualname__ = f"test_{c.name}"
        fn.__module__ = mod.__name__
        setattr(mod, f"test_{c.name}", fn)
    return mod


def _completes(expect: Expectation, values: dict[str, Any]) -> Callable[[bytes], bool]:
    return lambda data: expect.complete(data, values)


def _replies(answer: bytes) -> Callable[[bytes], bytes]:
    return lambda _data: answer


def _params(values: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {**{k: str(v) for k, v in values.items()}, **more}


def _server_check(ex: Exercise, c: DeclaredCheck) -> Callable[[Student, Probe], None]:
    def check(student: Student, probe: Probe) -> None:
        server = student.serve(ex.proto)
        if c.kind == "listens":
            probe.note(bound={"asked": server.asked_port, "real": server.real_port})
            if server.asked_port != ex.port or not server.child.alive:
                raise probe.fail(c.fail, port=ex.port, got=server.asked_port,
                                 expected=ex.port, sent="—")
            return
        assert c.expect is not None
        for _ in range(c.repeat or ex.repeat):
            values = ex.draw()
            payload = render(c.send, values)
            data = payload.encode()
            values["sent"] = payload
            expect = c.expect
            if ex.proto == "udp":
                reply = udp_ask(server.address, data, probe, window=ex.window,
                                owner=server.uid)
            else:
                reply = tcp_ask(server.address, data, probe, window=ex.window,
                                done=_completes(expect, values))
            got = reply.decode("utf-8", "replace") if reply is not None else ""
            probe.note(expected=expect.expected(values))
            if reply is None or not expect.judge(got, values):
                raise probe.fail(c.fail, **_params(values, got=show(reply), port=ex.port,
                                                   expected=expect.expected(values)))
    return check


def _client_check(ex: Exercise, c: DeclaredCheck) -> Callable[[Student, Probe], None]:
    def runs(student: Student) -> list[tuple[dict[str, Any], ClientRun]]:
        out = []
        for _ in range(ex.repeat):
            values = ex.draw()
            stdin = render(ex.stdin, values)
            answer = values["answer"].encode()
            run = run_client(student, proto=ex.proto, host=ex.host, port=ex.port,
                             answer=_replies(answer),
                             stdin=stdin + "\n" if stdin else "", args=list(ex.args),
                             timeout=ex.window)
            out.append((values, run))
        return out

    def check(student: Student, probe: Probe) -> None:
        for drawn, run in student.cached(f"declared:{ex.path.name}", lambda: runs(student)):
            run.note(probe)
            sent = b"".join(run.sent[:1])
            values = {**drawn, "sent": sent.decode("utf-8", "replace")}
            if c.kind == "exits":
                if run.finished.timed_out or run.finished.exit_code != 0:
                    raise run.ended_badly() or probe.fail(
                        c.fail, **_params(values, got=str(run.finished.exit_code),
                                          expected="0", port=ex.port))
                continue
            assert c.expect is not None
            expected = c.expect.expected(values)
            probe.note(expected=expected)
            if c.kind == "sent":
                if not run.sent:
                    raise run.ended_badly() or probe.fail(
                        c.fail, **_params(values, got="—", expected=expected, port=ex.port))
                ok = c.expect.judge(values["sent"], values)
                got = show(sent)
            else:
                ok = c.expect.judge(run.stdout, values)
                got = show(run.stdout[-300:])
                if not ok and (bad := run.ended_badly()) is not None:
                    raise bad
            if not ok:
                raise probe.fail(c.fail, **_params(values, got=got, expected=expected,
                                                   port=ex.port))
    return check
