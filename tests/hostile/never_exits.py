"""HOSTILE: a client that does its job and then never exits."""
# ruff: noqa
import socket
import time

msg = input("> ")
with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
    sock.connect(("localhost", 21567))
    sock.sendall(msg.encode("utf-8"))
    data = sock.recv(1024)
print(data.decode("utf-8"), flush=True)
while True:
    time.sleep(1)
