"""HOSTILE: invalid UTF-8, terminal escape sequences and markup on stdout and stderr; then a
correct client."""
# ruff: noqa
import socket
import sys

out = sys.stdout.buffer
out.write(b"\xff\xfe\xc3\x28 invalid utf-8 \xed\xa0\x80\n")
out.write(b"\x1b[2J\x1b[H\x1b[31mRED\x1b[0m \x1b]0;pwned-title\x07 \x1b]8;;http://x\x1b\\link\n")
out.write(b"</pre><script>alert('labgrade-injected')</script>\n")
out.flush()
sys.stderr.buffer.write(b"\x1b[1;31mTraceback (most recent call last):\x1b[0m \xff\n")
sys.stderr.flush()

msg = input("> ")
with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
    sock.connect(("localhost", 21567))
    sock.sendall(msg.encode("utf-8"))
    data = sock.recv(1024)
print(data.decode("utf-8"))
