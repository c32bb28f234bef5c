"""HOSTILE (or just chatty): prints 230 KB of debug lines, then does its job as a correct
client. The reply it prints at the end must be found: the whole output is searched."""
# ruff: noqa
import socket

for i in range(3000):
    print(f"debug {i:05d}: " + "." * 64)
msg = input("> ")
with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
    sock.connect(("localhost", 21567))
    sock.sendall(msg.encode("utf-8"))
    data = sock.recv(1024)
print(data.decode("utf-8"))
