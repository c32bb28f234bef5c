"""A hand-written grader in the course's style, the baseline labgrade's speed is compared with.

    python bench/handwritten.py [SUBMISSION] [--repeat 3]

This is how a teaching assistant grades Laboratorio 9 without labgrade: each check starts the
student's program on its fixed port (21567), ``time.sleep(0.5)`` to let the server start, probes
it, kills it. The time server's drop rate is measured with 50 sequential UDP requests, each
with its own 0.5 s timeout; the HEAD client is run against a local ``http.server``. It runs the
programs unsandboxed on the machine's real ports (so port 21567 and 8000 must be free), which
is why labgrade never does this; it is here only to be timed beside labgrade in the same run.

It grades the same properties as a subset of labgrade's lab9 checks (the ones a hand-written
grader typically has) and prints how many passed and the wall time per check.
"""

from __future__ import annotations

import argparse
import contextlib
import http.server
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PORT = 21567
HTTP_PORT = 8000


@contextlib.contextmanager
def program(path: Path, *args: str, stdin: str | None = None) -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen([sys.executable, str(path), *args], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        yield proc
    finally:
        proc.kill()
        proc.communicate()


@contextlib.contextmanager
def server(path: Path) -> Iterator[None]:
    with program(path):
        time.sleep(0.5)  # the course's way to wait for a server
        yield


def tcp_ask(message: bytes) -> bytes:
    with socket.create_connection(("localhost", PORT), timeout=2) as sock:
        sock.sendall(message)
        return sock.recv(1024)


def udp_ask(message: bytes, timeout: float = 0.5) -> bytes | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.sendto(message, ("localhost", PORT))
        try:
            return sock.recvfrom(1024)[0]
        except TimeoutError:
            return None


@contextlib.contextmanager
def peer(kind: int, prefix: bytes) -> Iterator[None]:
    """An echo server on the fixed port, for the client checks."""
    sock = socket.socket(socket.AF_INET, kind)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("localhost", PORT))

    def serve() -> None:
        with contextlib.suppress(OSError):
            if kind == socket.SOCK_STREAM:
                sock.listen(1)
                conn, _ = sock.accept()
                with conn:
                    conn.sendall(prefix + conn.recv(1024))
            else:
                data, addr = sock.recvfrom(1024)
                sock.sendto(prefix + data, addr)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield
    finally:
        sock.close()
        thread.join(timeout=1)


def run_client(path: Path, *args: str, stdin: str = "") -> str:
    done = subprocess.run([sys.executable, str(path), *args], input=stdin, text=True,
                          capture_output=True, timeout=10, check=False)
    return done.stdout


def checks(lab9: Path) -> dict[str, Callable[[], bool]]:
    def tcp_server_echo() -> bool:
        with server(lab9 / "tcp_server.py"):
            return tcp_ask(b"hola") == b"Resp: hola"

    def tcp_server_sequential() -> bool:
        with server(lab9 / "tcp_server.py"):
            return all(tcp_ask(f"m{i}".encode()) == f"Resp: m{i}".encode() for i in range(5))

    def udp_server_echo() -> bool:
        with server(lab9 / "udp_server.py"):
            return udp_ask(b"hola") == b"Res: hola"

    def time_server_drop_rate() -> bool:
        with server(lab9 / "udp_time_server.py"):
            replies = sum(udp_ask(b"hora") is not None for _ in range(50))
            return 15 <= replies <= 35

    def tcp_client_reply() -> bool:
        with peer(socket.SOCK_STREAM, b"Resp: "):
            return "Resp: hola" in run_client(lab9 / "tcp_client.py", stdin="hola\n")

    def udp_client_reply() -> bool:
        with peer(socket.SOCK_DGRAM, b"Res: "):
            return "Res: hola" in run_client(lab9 / "udp_client.py", stdin="hola\n")

    def head_client() -> bool:
        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

        handler = Quiet
        httpd = http.server.ThreadingHTTPServer(("localhost", HTTP_PORT), handler)
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        try:
            time.sleep(0.5)
            out = run_client(lab9 / "head_client.py", f"http://localhost:{HTTP_PORT}/")
            return "HTTP/1.0 200" in out or "HTTP/1.1 200" in out
        finally:
            httpd.shutdown()
            httpd.server_close()

    return {"tcp_server.echo": tcp_server_echo, "tcp_server.sequential": tcp_server_sequential,
            "udp_server.echo": udp_server_echo, "udp_time_server.drop_rate":
            time_server_drop_rate, "tcp_client.reply": tcp_client_reply,
            "udp_client.reply": udp_client_reply, "head_client.response": head_client}


def grade(submission: Path) -> tuple[int, int, float]:
    """(passed, checks, wall seconds) of one hand-written grading of ``submission``."""
    todo = checks(submission / "lab9")
    start = time.perf_counter()
    passed = 0
    for check in todo.values():
        try:
            passed += bool(check())
        except Exception:  # a hand-written grader counts a crash as a failure
            pass
    return passed, len(todo), time.perf_counter() - start


def main() -> None:
    from machine import describe, spread

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("submission", nargs="?", type=Path, default=REPO / "reference")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(describe())
    per_check = []
    for _ in range(args.repeat):
        passed, n, seconds = grade(args.submission)
        per_check.append(seconds / n)
    print(f"hand-written grader: {passed}/{n} checks passed, "
          f"{spread(per_check)} s per check")


if __name__ == "__main__":
    main()
