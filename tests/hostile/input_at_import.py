"""HOSTILE: input() at import time in a server (stdin is empty: EOF at once)."""
# ruff: noqa
import socket

name = input("Nombre del servidor: ")

with socket.socket() as server:
    server.bind(("localhost", 21567))
    server.listen(5)
    while True:
        conn, _ = server.accept()
        conn.sendall(b"Resp: " + conn.recv(1024))
        conn.close()
