"""HOSTILE: writes garbage on every pipe it holds (the grader's event channel among them):
a line of 100,000 ``[`` (the JSON parser recurses on it), a line of invalid UTF-8 and one
without an end; then behaves as a correct TCP server. Later events must still arrive."""
# ruff: noqa
import os
import socket
import stat

for fd in range(3, 64):
    try:
        if stat.S_ISFIFO(os.fstat(fd).st_mode):
            os.write(fd, b"[" * 100000 + b"\n\xff\xfe{not json\n")
    except OSError:
        pass

with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("localhost", 21567))
    server.listen(5)
    while True:
        conn, _ = server.accept()
        with conn:
            data = conn.recv(1024)
            if data:
                conn.sendall(b"Resp: " + data)
