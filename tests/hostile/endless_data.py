"""HOSTILE: a TCP server that answers every connection with an endless stream."""
# ruff: noqa
import socket

with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
    server.bind(("localhost", 21567))
    server.listen(5)
    while True:
        conn, _ = server.accept()
        try:
            conn.recv(1024)
            conn.sendall(b"Resp: ")
            while True:
                conn.sendall(b"A" * 65536)
        except OSError:
            conn.close()
