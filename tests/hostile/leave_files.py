"""HOSTILE: tries to leave files behind and to fill the disk: writes a marked file (and a 0777
folder, to pass data to another submission) into every world-writable folder it finds
(``/run/lock``, ``/tmp``, ``/var/tmp``, ``/dev/shm``, ...), then 100 MB into its home folder
in 1 MB files (each under the file size limit); prints what got through, then behaves as a
correct client. The run must leave nothing on the host, and its writes must stop at the
disk limit (with the private view)."""
# ruff: noqa
import os
import socket

MARK = "__HOSTILE_MARK__"
written = []
for folder in ("/run/lock", "/tmp", "/var/tmp", "/dev/shm", "/run/shm", "/var/lock"):
    try:
        with open(os.path.join(folder, f"{MARK}-left"), "w") as f:
            f.write("left behind\n")
        os.mkdir(os.path.join(folder, f"{MARK}-shared"), 0o777)
        written.append(folder)
    except OSError:
        pass
print("WROTE", len(written))
total = 0
try:
    for i in range(100):
        with open(os.path.join(os.environ.get("HOME", "."), f"fill{i}"), "wb") as f:
            f.write(b"x" * (1000 * 1000))
        total += 1
    print("DISK-UNBOUNDED")
except OSError as exc:
    print(f"DISK-FULL after {total} MB: {type(exc).__name__}")

msg = input("> ")
with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
    sock.connect(("localhost", 21567))
    sock.sendall(msg.encode("utf-8"))
    data = sock.recv(1024)
print(data.decode("utf-8"))
