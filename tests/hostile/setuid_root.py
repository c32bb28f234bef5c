"""HOSTILE: tries to gain root through the machine's setuid-root programs (mount, passwd,
chsh, ...): reads whether the kernel would grant it (``NoNewPrivs`` in /proc/self/status)
and whether its folders are mounted ``nosuid``; prints SUID-BLOCKED or SUID-OPEN, then
behaves as a correct client."""
# ruff: noqa
import os
import socket

with open("/proc/self/status") as f:
    status = dict(line.split(":", 1) for line in f if ":" in line)
nnp = status.get("NoNewPrivs", "").strip()
print("SUID-BLOCKED" if nnp == "1" else "SUID-OPEN", f"NoNewPrivs={nnp}")

msg = input("> ")
with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
    sock.connect(("localhost", 21567))
    sock.sendall(msg.encode("utf-8"))
    data = sock.recv(1024)
print(data.decode("utf-8"))
