"""The in-child half of the virtual network: a shim over the ``socket`` module.

Loaded by the sandbox launcher inside the student's process, before any student code, from
the standard library only. It is driven by rules the parent chose (see
:class:`harness.vnet.rules.VNet`):

- ``bind((host, PORT))`` really binds ``127.0.0.1:0`` (or a pinned port) and reports
  ``PORT -> real port`` on the event channel; ``listen`` reports readiness.
- ``connect``/``connect_ex``/``sendto`` to ``(name or address, PORT)`` go where the routes say;
  anything unmapped is refused (``ECONNREFUSED``; unmapped datagrams vanish, as UDP does).
- ``getaddrinfo``/``gethostbyname``/``gethostbyname_ex`` answer from a virtual DNS (an
  NXDOMAIN answer is reported on the event channel, so a check knows the name was asked).
- When the rules name a *witness* (a TCP endpoint the grader owns), a refused connection and
  an NXDOMAIN lookup first reach it: the grader records the attempt on its own socket and
  acknowledges, and only then does the student's call fail. Events on the channel only wake
  and route; the witness's record is what proves the attempt (an event is easy to forge, the
  descriptor being open in this process).
- ``time.sleep`` may be virtual: recorded on the channel, not slept.

This is convenience and port isolation, not security: containment lives in the sandbox.
"""

from __future__ import annotations

import errno
import json
import os
import socket as _socket_mod
import time as _time_mod

TYPE_CHECKING = False
if TYPE_CHECKING:  # not imported at run time (see the launcher's imports)
    from typing import Any

_real_socket = _socket_mod.socket
_real_getaddrinfo = _socket_mod.getaddrinfo
_real_sleep = _time_mod.sleep

DOC_NETS = ("192.0.2", "198.51.100", "203.0.113")
LOOPBACK = "127.0.0.1"


class _State:
    def __init__(self, rules: dict[str, Any], fd: int) -> None:
        self.fd = fd
        self.dns: dict[str, list[str] | None] = {
            k.lower().rstrip("."): v for k, v in rules.get("dns", {}).items()
        }
        self.routes: dict[tuple[str, str, int], tuple[str, int]] = {}
        for r in rules.get("routes", []):
            self.routes[(r["proto"], r["host"], int(r["port"]))] = (r["to"][0], int(r["to"][1]))
        self.pins: dict[str, int] = {k: int(v) for k, v in rules.get("pins", {}).items()}
        self.reverse: dict[tuple[str, int], tuple[str, int]] = {}
        self.heard_from: set[tuple[str, int] | None] = set()
        self.hostname = _socket_mod.gethostname().lower()
        self.salt = str(rules.get("salt") or "")
        witness = rules.get("witness")
        self.witness: tuple[str, int] | None = (str(witness[0]), int(witness[1])) \
            if witness else None

    def emit(self, **event: Any) -> None:
        try:
            line = (json.dumps(event, separators=(",", ":")) + "\n").encode()
            os.write(self.fd, line)
        except (OSError, TypeError, ValueError):
            pass


_state: _State | None = None
WITNESS_WINDOW = 10.0  # seconds the grader has to acknowledge an attempt (it takes ~1 ms)


def _tell_witness(**fact: Any) -> None:
    """Report an attempt to the grader's witness and wait for its acknowledgement, so the
    grader has it on record before the student's call fails. Nothing happens without one."""
    assert _state is not None
    if _state.witness is None:
        return
    try:
        with _real_socket(_socket_mod.AF_INET, _socket_mod.SOCK_STREAM) as sock:
            sock.settimeout(WITNESS_WINDOW)
            _real_socket.connect(sock, _state.witness)
            sock.sendall((json.dumps(fact, separators=(",", ":")) + "\n").encode())
            _real_socket.recv(sock, 16)
    except (OSError, TypeError, ValueError):
        pass


def _is_ip(text: str) -> bool:
    try:
        _socket_mod.inet_aton(text)
    except OSError:
        return False
    return text.count(".") == 3


def virtual_address(name: str, salt: str = "") -> str:
    """The deterministic documentation-range address of a name with no explicit record
    (with a per-run ``salt``, one nobody can know before the run)."""
    import hashlib  # here: 5 ms of a process's start, for a name few programs look up

    digest = hashlib.sha256((salt + name).encode("utf-8", "replace")).digest()
    if salt:  # 198.18.0.0/15 (RFC 2544, never routed): too many to print them all
        return f"198.{18 + digest[0] % 2}.{digest[1]}.{1 + digest[2] % 254}"
    return f"{DOC_NETS[digest[0] % 3]}.{1 + digest[1] % 254}"


def resolve(host: Any) -> list[str]:
    """Virtual DNS: the IPv4 addresses of ``host``; raise ``gaierror`` for NXDOMAIN."""
    assert _state is not None
    if host is None or host == "":
        return [LOOPBACK]
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    name = str(host).lower().rstrip(".")
    if name in _state.dns:
        addrs = _state.dns[name]
        if not addrs:
            _state.emit(ev="nxdomain", name=name)  # wakes the grader; the witness proves it
            _tell_witness(ev="nxdomain", name=name)
            raise _socket_mod.gaierror(_socket_mod.EAI_NONAME, "Name or service not known")
        return list(addrs)
    if _is_ip(name):
        return [name]
    if name in ("localhost", "localhost.localdomain", "ip6-localhost", "::1", _state.hostname):
        return [LOOPBACK]
    if name.endswith(".localhost"):
        return [LOOPBACK]
    if not name or len(name) > 253 or any(c.isspace() for c in name):
        raise _socket_mod.gaierror(_socket_mod.EAI_NONAME, "Name or service not known")
    return [virtual_address(name, _state.salt)]


def _proto(sock_type: int) -> str:
    return "udp" if sock_type & _socket_mod.SOCK_DGRAM else "tcp"


def _route(proto: str, address: Any) -> tuple[str, int] | None:
    """Where ``(host, port)`` really goes, or None when nothing is there."""
    assert _state is not None
    if not isinstance(address, tuple) or len(address) < 2:
        return None
    host, port = address[0], address[1]
    try:
        port = int(port)
    except (TypeError, ValueError):
        return None
    ip = resolve(host)[0]
    target = _state.routes.get((proto, ip, port)) or _state.routes.get((proto, "*", port))
    if target is not None:
        _state.reverse[target] = (ip, port)
    return target


class VSocket(_real_socket):
    """``socket.socket`` on the virtual network (AF_INET and AF_INET6 calls are remapped)."""

    def __init__(self, family: int = -1, type: int = -1, proto: int = -1,
                 fileno: int | None = None) -> None:
        if fileno is None and family in (-1, _socket_mod.AF_INET6):
            family = _socket_mod.AF_INET  # the virtual network is IPv4 only
        super().__init__(family, type, proto, fileno)

    def _inet(self) -> bool:
        return self.family == _socket_mod.AF_INET

    def bind(self, address: Any) -> None:
        if not self._inet() or not isinstance(address, tuple):
            return super().bind(address)
        assert _state is not None
        port = int(address[1])
        proto = _proto(self.type)
        real = _state.pins.get(f"{proto}:{port}", 0) if port else 0
        super().bind((LOOPBACK, real))
        _state.emit(ev="bind", proto=proto, host=str(address[0]), port=port,
                    real=self.getsockname()[1])
        return None

    def listen(self, *backlog: int) -> None:
        super().listen(*backlog)
        assert _state is not None
        _state.emit(ev="listen", real=self.getsockname()[1],
                    backlog=backlog[0] if backlog else None)

    def accept(self) -> Any:
        conn, peer = super().accept()
        assert _state is not None
        _state.emit(ev="accept", real=self.getsockname()[1])  # wakes the grader, proves nothing
        return conn, peer

    def connect(self, address: Any) -> None:
        if not self._inet():
            return super().connect(address)
        target = _route(_proto(self.type), address)
        assert _state is not None
        if target is None:
            _state.emit(ev="refused", proto=_proto(self.type), address=_show(address))
            _tell_witness(ev="refused", proto=_proto(self.type), address=_show(address))
            raise ConnectionRefusedError(errno.ECONNREFUSED, os.strerror(errno.ECONNREFUSED))
        _state.emit(ev="connect", proto=_proto(self.type), address=_show(address))
        return super().connect(target)

    def connect_ex(self, address: Any) -> int:
        try:
            self.connect(address)
        except BlockingIOError:
            return errno.EINPROGRESS
        except OSError as exc:
            return exc.errno or errno.ECONNREFUSED
        return 0

    def sendto(self, data: Any, *args: Any) -> int:
        if not self._inet() or not args:
            return super().sendto(data, *args)
        address = args[-1]
        if _state is not None and _peer_key(address) in _state.heard_from:
            return super().sendto(data, *args[:-1], address)  # type: ignore[call-overload]
        target = _route(_proto(self.type), address)
        if target is None:
            return len(memoryview(data))  # nobody there: the datagram vanishes
        return super().sendto(data, *args[:-1], target)  # type: ignore[call-overload]

    def recvfrom(self, *args: Any) -> Any:
        data, peer = super().recvfrom(*args)
        return data, self._heard(peer)

    def recvfrom_into(self, *args: Any) -> Any:
        n, peer = super().recvfrom_into(*args)
        return n, self._heard(peer)

    def _heard(self, peer: Any) -> Any:
        """Remember an unrouted sender so replies reach it; show routed ones by their
        virtual address."""
        shown = self._unmap(peer)
        if shown is peer and _state is not None and isinstance(peer, tuple):
            _state.heard_from.add(_peer_key(peer))
        return shown

    def getpeername(self) -> Any:
        return self._unmap(super().getpeername())

    def _unmap(self, peer: Any) -> Any:
        assert _state is not None
        if isinstance(peer, tuple) and len(peer) >= 2:
            return _state.reverse.get((peer[0], peer[1]), peer)
        return peer


def _peer_key(address: Any) -> tuple[str, int] | None:
    if isinstance(address, tuple) and len(address) >= 2:
        try:
            return (str(address[0]), int(address[1]))
        except (TypeError, ValueError):
            return None
    return None


def _show(address: Any) -> Any:
    if isinstance(address, tuple):
        return [str(a) for a in address[:2]]
    return str(address)


def getaddrinfo(host: Any, port: Any, family: int = 0, type: int = 0,  # noqa: PLR0917
                proto: int = 0, flags: int = 0) -> list[Any]:
    if family not in (0, _socket_mod.AF_UNSPEC, _socket_mod.AF_INET):
        if family == _socket_mod.AF_INET6:
            raise _socket_mod.gaierror(_socket_mod.EAI_NONAME, "Name or service not known")
        return _real_getaddrinfo(host, port, family, type, proto, flags)
    addrs = resolve(host)
    if isinstance(port, str):
        port = int(port) if port.isdigit() else _socket_mod.getservbyname(port)
    port = int(port or 0)
    kinds = [(type, proto)] if type else [
        (_socket_mod.SOCK_STREAM, _socket_mod.IPPROTO_TCP),
        (_socket_mod.SOCK_DGRAM, _socket_mod.IPPROTO_UDP),
        (_socket_mod.SOCK_RAW, 0),
    ]
    out = []
    for addr in addrs:
        for typ, pro in kinds:
            out.append((_socket_mod.AF_INET, _socket_mod.SocketKind(typ), pro, "", (addr, port)))
    return out


def gethostbyname(host: Any) -> str:
    return resolve(host)[0]


def gethostbyname_ex(host: Any) -> tuple[str, list[str], list[str]]:
    addrs = resolve(host)
    return (str(host), [], addrs)


_DEFAULT_TIMEOUT: Any = getattr(_socket_mod, "_GLOBAL_DEFAULT_TIMEOUT", object())


def create_connection(address: Any, timeout: Any = _DEFAULT_TIMEOUT,
                      source_address: Any = None, **_kw: Any) -> VSocket:
    host, port = address[0], address[1]
    err: OSError | None = None
    for af, socktype, proto, _c, sa in getaddrinfo(host, port, 0, _socket_mod.SOCK_STREAM):
        sock = VSocket(af, socktype, proto)
        try:
            if timeout is not _DEFAULT_TIMEOUT:
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sa)
            return sock
        except OSError as exc:
            err = exc
            sock.close()
    raise err or OSError("getaddrinfo returns an empty list")


def _virtual_sleep(seconds: float) -> None:
    assert _state is not None
    _state.emit(ev="sleep", s=float(seconds))


def install(rules: dict[str, Any], fd: int) -> None:
    """Patch ``socket`` (and ``time.sleep`` when asked) for this process."""
    global _state
    _state = _State(rules, fd)
    _socket_mod.socket = VSocket  # type: ignore[misc,assignment]
    _socket_mod.SocketType = VSocket  # type: ignore[misc,assignment]
    _socket_mod.getaddrinfo = getaddrinfo  # type: ignore[assignment]
    _socket_mod.gethostbyname = gethostbyname  # type: ignore[assignment]
    _socket_mod.gethostbyname_ex = gethostbyname_ex  # type: ignore[assignment]
    _socket_mod.create_connection = create_connection  # type: ignore[assignment]
    _socket_mod.has_ipv6 = False
    if rules.get("virtual_sleep"):
        _time_mod.sleep = _virtual_sleep  # type: ignore[assignment]
