"""A plainly broken client (it shouts: sends the line in upper case), graded next to the
drop-ins of ``conftest_dropin.py``, ``pytest_dropin.ini`` and ``sitecustomize_dropin.py``,
which try to turn its failure into a pass."""
# ruff: noqa
import socket

msg = input("> ")
with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
    sock.connect(("localhost", 21567))
    sock.sendall(msg.upper().encode("utf-8"))
    data = sock.recv(1024)
print(data.decode("utf-8"))
