"""Laboratorio 9: cliente TCP que envía una línea al servidor de eco y muestra la respuesta."""

import socket

HOST = "localhost"
PORT = 21567
BUFSIZ = 1024


def main() -> None:
    msg = input("> ")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.connect((HOST, PORT))
        sock.sendall(msg.encode("utf-8"))
        data = sock.recv(BUFSIZ)
    print(data.decode("utf-8"))


if __name__ == "__main__":
    main()
