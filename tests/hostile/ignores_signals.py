"""HOSTILE: a correct TCP echo server that ignores SIGINT and SIGTERM (and so never stops when
asked)."""
# ruff: noqa
import signal
import socket

signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGTERM, signal.SIG_IGN)

with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("localhost", 21567))
    server.listen(5)
    while True:
        conn, _ = server.accept()
        with conn:
            while data := conn.recv(1024):
                conn.sendall(b"Resp: " + data)
