"""HOSTILE: deletes its own submission (every file of its working copy) while running, then
behaves as a correct client from memory."""
# ruff: noqa
import os
import shutil
import socket

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
for entry in os.listdir(root):
    path = os.path.join(root, entry)
    shutil.rmtree(path, ignore_errors=True) if os.path.isdir(path) else os.remove(path)
print("deleted:", sorted(os.listdir(root)))

msg = input("> ")
with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
    sock.connect(("localhost", 21567))
    sock.sendall(msg.encode("utf-8"))
    data = sock.recv(1024)
print(data.decode("utf-8"))
