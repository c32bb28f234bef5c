"""HOSTILE: a TCP server that accepts connections and never answers (nor closes them)."""
# ruff: noqa
import socket

held = []
with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
    server.bind(("localhost", 21567))
    server.listen(5)
    while True:
        conn, _ = server.accept()
        held.append(conn)
