"""One task's student file, as the checks see it: run it, start it as a server, call its
functions. Everything runs through the sandbox; failures the student caused become
:class:`CheckFailed` with a message that says what happened."""

from __future__ import annotations

import dataclasses
import re
import signal
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from harness.checks.support import CheckFailed, Probe
from harness.sandbox.runner import Child, Finished, Sandbox
from harness.vnet.rules import VNet

T = TypeVar("T")


@dataclass(frozen=True)
class Alias:
    """Another name a check accepts for a function: the course's (``Codigo/Unidad5_Red``,
    Spanish) or the cookbook's it translates. ``no_args``: that function takes none of the
    check's arguments (it hard-codes them), so it is called with none."""

    name: str
    no_args: bool = False


ALIASES: dict[str, tuple[Alias, ...]] = {
    "get_hostname": (Alias("obtener_info"), Alias("obtener_nombre_equipo"),
                     Alias("print_machine_info")),
    "get_ip": (Alias("obtener_info", no_args=True), Alias("obtener_ip_remota", no_args=True),
               Alias("get_remote_machine_info", no_args=True)),
    "ntp_time": (Alias("print_time"), Alias("imprimir_hora"), Alias("obtener_hora_ntp")),
    "sntp_time": (Alias("sntp_client"), Alias("sntp_cliente"), Alias("cliente_sntp")),
    "lookup": (Alias("obtener_ip"), Alias("get_ip")),
    "http_get": (Alias("obtener"), Alias("fetch")),
    "iss_position": (Alias("seguimiento_estacion_espacial"), Alias("track_space_station")),
}
"""Template name -> the names also accepted, in order of preference."""

COURSE_FIXED: dict[str, tuple[str, ...]] = {
    "ip_to_hex": ("convertir_direccion_ip", "convert_ip4_address"),
    "packed_to_ip": ("convertir_direccion_ip", "convert_ip4_address"),
    "service_name": ("encontrar_nombre_servicio", "find_service_name"),
    "to_network_long": ("convertir_enteros", "convert_integer"),
    "to_host_long": ("convertir_enteros", "convert_integer"),
    "to_network_short": ("convertir_enteros", "convert_integer"),
    "to_host_short": ("convertir_enteros", "convert_integer"),
    "socket_with_timeout": ("probar_socket_timeout", "test_socket_timeout"),
    "set_buffer_sizes": ("modificar_tamaño_buffer", "modify_buff_size"),
    "non_blocking_socket": ("probar_modos_socket", "test_socket_modes"),
    "parse_url": ("abrir_web",),
    "http_get": ("abrir_web",),
}
"""Template name -> the course's functions for that recipe that take none of the values a
check chooses (they print fixed examples): recognised, to say so, but they cannot be
judged."""
START_WINDOW = 5.0  # a server has this long to bind (it usually takes ~50 ms)
EXIT_SETTLE = 0.5  # the event pipe closes a moment before the exit status is collected


@dataclass(frozen=True)
class Opaque:
    """A value the child could only describe by its type (never equal to anything)."""

    type_name: str

    def __eq__(self, other: object) -> bool:
        return False

    def __hash__(self) -> int:
        return hash(self.type_name)


def decode(value: Any) -> Any:
    """The child's plain-JSON description back into plain Python values."""
    if isinstance(value, list):
        return [decode(v) for v in value]
    if isinstance(value, dict):
        if "__tuple__" in value:
            return tuple(decode(v) for v in value["__tuple__"])
        if "__bytes__" in value:
            return bytes.fromhex(value["__bytes__"])
        if "__dict__" in value:
            return {_hashable(decode(k)): decode(v) for k, v in value["__dict__"]}
        if "__socket__" in value:
            return SocketInfo(value["__socket__"])
        if "__type__" in value:
            return Opaque(str(value["__type__"]))
    return value


def _hashable(v: Any) -> Any:
    return tuple(v) if isinstance(v, list) else v


class SocketInfo(dict):  # type: ignore[type-arg]
    """What the child saw of a socket: family, type, timeout, blocking, options, bound."""


def type_name(value: Any) -> str:
    if isinstance(value, Opaque):
        return value.type_name
    if isinstance(value, SocketInfo):
        return "socket.socket"
    return type(value).__name__


@dataclass
class Server:
    child: Child
    asked_port: int | None
    """The port the student's code asked for (the statement's port, if correct)."""
    real_port: int
    """Where it really listens, on 127.0.0.1."""

    proto: str = "udp"
    uid: int | None = None
    """The student's uid, when the isolation gives one: whose sockets are the student's
    (:func:`harness.checks.support.is_reply`)."""
    queued: Callable[[str, int], int | None] | None = None
    """The sandbox's look at a socket's unread bytes (:meth:`Sandbox.queued`)."""

    @property
    def address(self) -> tuple[str, int]:
        return ("127.0.0.1", self.real_port)

    def held_up(self) -> bool:
        """Whether the server has work the machine has not let it do yet: datagrams waiting
        unread in its socket, or a process of it running or waiting for a CPU.
        A window that closes when a server goes quiet asks this first, so that a busy
        machine, which can keep a correct server from running for a second or more, never
        closes it (the grader's own look, from the kernel: nothing the student says)."""
        if not self.child.alive:
            return False
        waiting = self.queued(self.proto, self.real_port) if self.queued else None
        return bool(waiting) or bool(self.child.can_run())


class Student:
    def __init__(self, sandbox: Sandbox, file: str, problem: str | None, probe: Probe, *,
                 cache: dict[tuple[str, str], Any] | None = None,
                 source: bytes | None = None) -> None:
        self.sandbox = sandbox
        self.file = file
        self.problem = problem
        self.probe = probe
        self._children: list[Child] = []
        self._cache = cache if cache is not None else {}
        self._source = source
        self.last_output: Finished | None = None
        """How the child of the last :meth:`calls` ended (what the functions printed)."""
        self.called_as: dict[str, str] = {}
        """Template name -> the accepted alias the last :meth:`calls` used instead."""

    def source(self) -> bytes:
        """The file as submitted (read before any student code ran), for checks that judge
        the code itself, such as its imports."""
        self._ready()
        if self._source is None:
            raise CheckFailed("common.file_problem", file=self.file, problem="—")
        return self._source

    def cached(self, key: str, make: Callable[[], T]) -> T:
        """One observation shared by the checks of this task that judge different properties
        of the same run (whichever check comes first makes it; none depends on another)."""
        self._ready()
        slot = (self.file, key)
        if slot not in self._cache:
            self._cache[slot] = make()
        return cast(T, self._cache[slot])

    def _ready(self) -> None:
        if self.problem is not None:
            raise CheckFailed("common.file_problem", file=self.file, problem=self.problem)

    def run(self, *, args: list[str] | None = None, stdin: str = "", vnet: VNet | None = None,
            timeout: float | None = None, probe: Probe | None = None) -> Finished:
        """Run the program to its end; the evidence (the check's, or ``probe``'s: a run made
        beside others for a later check) gets its argv, stdin and output."""
        self._ready()
        probe = probe or self.probe
        probe.note(argv=[self.file, *(args or [])])
        if stdin:
            probe.note(stdin=stdin)
        finished = clean(self.sandbox.run(self.file, args=args, stdin=stdin, vnet=vnet,
                                          timeout=timeout))
        probe.output(finished)
        return finished

    def window(self, timeout: float | None) -> float:
        """How long a run with the check's ``timeout`` may last: the window, never more than
        the ``wall_s`` limit (``--timeout``). Messages name this, not the window."""
        return self.sandbox.window(timeout)

    def start(self, *, args: list[str] | None = None, stdin: str = "",
              vnet: VNet | None = None) -> Child:
        """Start the program and return at once; it is stopped when the check ends."""
        self._ready()
        self.probe.note(argv=[self.file, *(args or [])])
        child = self.sandbox.spawn(self.file, args=args, stdin=stdin, vnet=vnet)
        self._children.append(child)
        return child

    def serve(self, proto: str, *, args: list[str] | None = None,
              vnet: VNet | None = None) -> Server:
        """Start a server and wait (one window, no polling) until it is ready: listening for
        TCP, bound for UDP. Fails the check when it never gets there."""
        child = self.start(args=args, vnet=vnet)
        if proto == "tcp":
            event = child.listening(START_WINDOW)
            bind = child.bound("tcp", 0.0) if event else None
        else:
            event = bind = child.bound("udp", START_WINDOW)
        if event is None:
            child.wait(EXIT_SETTLE)  # it may have just ended: then it was not stopped
            finished = clean(child.stop())
            self.probe.output(finished)
            if not finished.stopped and abnormal_end(finished, self.file) is None:
                raise CheckFailed("containment.exited_early", file=self.file,
                                  code=finished.exit_code, proto=proto.upper())
            raise self.crashed_or("common.server_not_started", finished, proto=proto.upper())
        real = int(event["real"])
        if self.sandbox.holds(proto, real) is False:  # a forged event: another's port
            child.stop()
            raise CheckFailed("containment.not_its_port", file=self.file, port=real,
                              proto=proto.upper())
        return Server(child=child, asked_port=bind.get("port") if bind else None,
                      real_port=real, proto=proto, uid=self.sandbox.isolation.uid,
                      queued=self.sandbox.queued)

    def crashed_or(self, key: str, finished: Finished, **params: Any) -> CheckFailed:
        """The failure for a program that did not do its part: how it ended, if it ended
        badly (see :func:`abnormal_end`)."""
        return abnormal_end(finished, self.file) or CheckFailed(key, file=self.file, **params)

    def call(self, func: str, *args: Any, vnet: VNet | None = None, timeout: float | None = None,
             describe_args: bool = False, **kwargs: Any) -> Any:
        """Import the file in a child, call ``func`` and return its plain value."""
        return self.calls([(func, list(args), kwargs)], vnet=vnet, timeout=timeout,
                          describe_args=describe_args)[0]

    def calls(self, calls: list[tuple[str, list[Any], dict[str, Any]]], *,
              vnet: VNet | None = None, timeout: float | None = None,
              describe_args: bool = False) -> list[Any]:
        """Several calls in one child (one process start for a table of cases)."""
        self._ready()
        self.called_as = {}
        spec = [{"func": f, "args": a, "kwargs": k, "describe_args": describe_args}
                for f, a, k in calls]
        outcomes, finished = self.sandbox.call(self.file, spec, vnet=vnet, timeout=timeout)
        missing = next((o for o in outcomes if o is not None and o["ev"] == "missing"), None)
        if missing is not None:
            renamed = self._aliases([f for f, _a, _k in calls], missing.get("defined") or [])
            if renamed:
                spec = [{"func": renamed[f].name if f in renamed else f,
                         "args": [] if f in renamed and renamed[f].no_args else a,
                         "kwargs": {} if f in renamed and renamed[f].no_args else k,
                         "describe_args": describe_args} for f, a, k in calls]
                outcomes, finished = self.sandbox.call(self.file, spec, vnet=vnet,
                                                       timeout=timeout)
                self.called_as = {f: alias.name for f, alias in renamed.items()}
        finished = clean(finished)
        self.last_output = finished
        values = []
        for (func, args, _k), outcome in zip(calls, outcomes, strict=True):
            if outcome is None:
                import_error = next((e for e in finished.events if e["ev"] == "import_error"),
                                    None)
                if import_error is not None:
                    self.probe.note(traceback=strip_shim(import_error.get("traceback", "")))
                    raise CheckFailed("common.import_error", file=self.file,
                                      error=f"{import_error.get('type')}: "
                                            f"{import_error.get('message', '')}"[:300])
                self.probe.output(finished)
                raise self.crashed_or("common.no_answer", finished, func=func)
            if outcome["ev"] == "missing":
                raise self._missing(func, [str(d) for d in outcome.get("defined") or []])
            if outcome["ev"] == "raise":
                self.probe.note(traceback=strip_shim(outcome.get("traceback", "")))
                raise CheckFailed("common.function_raised", func=func,
                                  call=call_text(func, args, _k),
                                  error=f"{outcome.get('type')}: {outcome.get('message', '')}")
            if describe_args:
                values.append((decode(outcome["value"]), decode(outcome.get("args", []))))
            else:
                values.append(decode(outcome["value"]))
        return values

    @staticmethod
    def _aliases(funcs: list[str], defined: list[str]) -> dict[str, Alias]:
        """For each template name the file lacks, the first accepted alias it defines."""
        out = {}
        for func in funcs:
            if func in defined:
                continue
            alias = next((a for a in ALIASES.get(func, ()) if a.name in defined), None)
            if alias is not None:
                out[func] = alias
        return out

    def _missing(self, func: str, defined: list[str]) -> CheckFailed:
        """Why ``func`` cannot be called: the course's fixed-example function is there
        instead, or no accepted name is defined (the message lists them)."""
        shown = ", ".join(defined) or "—"
        fixed = next((c for c in COURSE_FIXED.get(func, ()) if c in defined), None)
        if fixed is not None:
            return CheckFailed("recipes.common.course_function_fixed", file=self.file,
                               func=func, course=fixed, defined=shown)
        aliases = ALIASES.get(func, ())
        if aliases:
            return CheckFailed("recipes.common.missing_any", file=self.file, func=func,
                               aliases=", ".join(f"{a.name}()" for a in aliases),
                               defined=shown)
        return CheckFailed("common.missing_function", file=self.file, func=func,
                           defined=shown)

    def printed(self) -> str:
        """What the functions of the last :meth:`calls` printed (for a course function that
        prints its result instead of returning it)."""
        return self.last_output.stdout if self.last_output is not None else ""

    def stop_all(self) -> None:
        for child in self._children:
            child.stop()


SHIM_FRAME = re.compile(r'^  File "[^"\n]*harness[/\\]vnet[/\\]shim\.py", line \d+, in \w+\n'
                        r'(?:    (?!File ")[^\n]*\n|\s*[~^]+\s*\n)*', re.MULTILINE)


def strip_shim(text: str) -> str:
    """A traceback as the student's code raised it: the frames of the virtual network's shim
    (the socket call the student made, carried out by the harness) taken out, so it ends in
    the student's own line."""
    return SHIM_FRAME.sub("", text) if "shim.py" in text else text


def clean(finished: Finished) -> Finished:
    """``finished`` with the shim's frames taken out of its stderr (see :func:`strip_shim`)."""
    if "shim.py" not in finished.stderr:
        return finished
    return dataclasses.replace(finished, stderr=strip_shim(finished.stderr))


def abnormal_end(finished: Finished, file: str) -> CheckFailed | None:
    """What ended a program badly, named for the student: its time, output or CPU limit, the
    memory limit (``MemoryError``), a signal (a crashed interpreter, a limit of the system),
    or its own uncaught exception; None when it simply exited."""
    last = last_error_line(finished.stderr)
    cause = finished.cause
    if cause in ("timeout", "output_limit", "cpu_limit"):
        # the KeyboardInterrupt of our own SIGINT says nothing; an earlier error may
        own = [e for e in error_lines(finished.stderr) if not e.startswith("KeyboardInterrupt")]
        return CheckFailed(f"common.{cause}", file=file, error=own[-1] if own else "")
    if last.startswith("MemoryError"):
        return CheckFailed("containment.memory_limit", file=file, error=last)
    if cause == "killed" and finished.signal is not None:
        name = _signal_name(finished.signal)
        key = f"containment.{name.lower()}" if name in ("SIGSEGV", "SIGKILL") else \
            "containment.signal"
        return CheckFailed(key, file=file, signal=name, error=last)
    if last:
        return CheckFailed("common.crashed", file=file, error=last)
    return None


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)


def error_lines(stderr: str) -> list[str]:
    """The exception line of every traceback in ``stderr``, in order."""
    out = []
    for block in stderr.split("Traceback (most recent call last):")[1:]:
        # its frames are indented; the first line that is not names the exception
        line = next((ln for ln in block.splitlines() if ln.strip() and not ln[:1].isspace()),
                    "")
        if line:
            out.append(line.strip()[:300])
    return out


def call_text(func: str, args: list[Any], kwargs: dict[str, Any]) -> str:
    """``func(arg, key=value)`` as the student would write the call (bounded)."""
    def show_arg(a: Any) -> str:
        if isinstance(a, dict) and "__new_socket__" in a:
            return "socket.socket()"
        if isinstance(a, dict) and "__bytes__" in a:
            return repr(bytes.fromhex(a["__bytes__"]))
        return repr(a)

    parts = [show_arg(a) for a in args] + [f"{k}={show_arg(v)}" for k, v in kwargs.items()]
    text = f"{func}({', '.join(parts)})"
    return text if len(text) <= 200 else text[:199] + "…"


def last_error_line(stderr: str) -> str:
    """The last line of a traceback (``ValueError: ...``), or ''."""
    lines = [ln for ln in stderr.strip().splitlines() if ln.strip()]
    if not lines or not any(ln.startswith("Traceback") for ln in lines):
        return ""
    return lines[-1].strip()[:300]
