"""Laboratorio 9: cliente UDP que envía una línea al servidor de eco y muestra la respuesta."""

import socket
import sys

HOST = "localhost"
PORT = 21567
BUFSIZ = 1024


def main() -> None:
    msg = input("> ")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(5)  # UDP no avisa si el servidor no responde
        sock.sendto((msg + "\n").encode("utf-8"), (HOST, PORT))
        try:
            data, _ = sock.recvfrom(BUFSIZ)
        except (TimeoutError, ConnectionRefusedError):
            print(f"El servidor {HOST}:{PORT} no respondió", file=sys.stderr)
            sys.exit(1)
    print(data.decode("utf-8"))


if __name__ == "__main__":
    main()
