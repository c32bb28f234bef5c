"""HOSTILE: leaves a 3000-level deep folder tree (deeper than PATH_MAX can name, and than
``shutil.rmtree`` can recurse) in its working copy, the last levels unreadable, then
behaves as a correct client. Clean-up must remove it, and never turn a check into an
error."""
# ruff: noqa
import os
import socket

fd = os.open(".", os.O_RDONLY)
for _ in range(3000):
    os.mkdir("d", dir_fd=fd)
    child = os.open("d", os.O_RDONLY, dir_fd=fd)
    os.close(fd)
    fd = child
os.chmod(fd, 0)
os.close(fd)
print("TREE-MADE")

msg = input("> ")
with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
    sock.connect(("localhost", 21567))
    sock.sendall(msg.encode("utf-8"))
    data = sock.recv(1024)
print(data.decode("utf-8"))
