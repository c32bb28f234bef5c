"""HOSTILE (slow, but correct): a TCP echo server that answers one byte at a time."""
# ruff: noqa
import socket
import time

with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("localhost", 21567))
    server.listen(5)
    while True:
        conn, _ = server.accept()
        with conn:
            while data := conn.recv(1024):
                for byte in b"Resp: " + data:
                    conn.sendall(bytes([byte]))
                    time.sleep(0.01)
