"""HOSTILE: a correct client that first leaves a daemon behind: double fork, setsid,
SIGTERM/SIGINT/SIGHUP ignored, and a file in /tmp it keeps writing to."""
# ruff: noqa
import os
import signal
import socket
import time

MARK = "__HOSTILE_MARK__"

if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        os.chdir("/")
        while True:
            try:
                with open(f"/tmp/{MARK}-daemon", "a") as f:
                    f.write("still here\n")
            except OSError:
                pass
            time.sleep(0.2)
    os._exit(0)

msg = input("> ")
with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
    sock.connect(("localhost", 21567))
    sock.sendall(msg.encode("utf-8"))
    data = sock.recv(1024)
print(data.decode("utf-8"))
