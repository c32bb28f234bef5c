"""HOSTILE: tries to reach beyond the machine and to resolve real names, through the socket
module and around it (the C module ``_socket``, a raw DNS query); prints NET-OK or
NET-BLOCKED for each attempt, then behaves as a correct client."""
# ruff: noqa
import _socket
import socket

DOC_RANGES = ("192.0.2.", "198.51.100.", "203.0.113.")


def attempt(label, action):
    try:
        result = action()
    except OSError as exc:
        print(f"NET-BLOCKED {label}: {type(exc).__name__}")
        return
    print(f"NET-OK {label}: {result}" if result else f"NET-BLOCKED {label}: nothing")


def tcp(make, address):
    s = make(_socket.AF_INET, _socket.SOCK_STREAM)
    s.settimeout(1.5)
    try:
        s.connect(address)
        return "connected"
    finally:
        s.close()


def real_name():
    address = socket.getaddrinfo("example.com", 80)[0][4][0]
    return "" if address.startswith(DOC_RANGES) else address


def raw_dns():
    query = bytes.fromhex("abcd01000001000000000000076578616d706c6503636f6d0000010001")
    s = _socket.socket(_socket.AF_INET, _socket.SOCK_DGRAM)
    s.settimeout(1.5)
    try:
        s.sendto(query, ("8.8.8.8", 53))
        return s.recvfrom(512)[0][:4].hex()
    finally:
        s.close()


attempt("shimmed connect 8.8.8.8:53", lambda: tcp(socket.socket, ("8.8.8.8", 53)))
attempt("raw connect 1.1.1.1:80", lambda: tcp(_socket.socket, ("1.1.1.1", 80)))
attempt("resolve example.com", real_name)
attempt("C resolver example.com", lambda: _socket.getaddrinfo("example.com", 80)[0][4][0])
attempt("raw DNS query to 8.8.8.8", raw_dns)

msg = input("> ")
with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
    sock.connect(("localhost", 21567))
    sock.sendall(msg.encode("utf-8"))
    data = sock.recv(1024)
print(data.decode("utf-8"))
