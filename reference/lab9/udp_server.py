"""Laboratorio 9: servidor UDP de eco que responde b"Res: " + datos a quien los envió."""

import socket

HOST = "localhost"
PORT = 21567
BUFSIZ = 1024


def main() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server:
        server.bind((HOST, PORT))
        print(f"Servidor UDP escuchando en {HOST}:{PORT}")
        while True:
            data, addr = server.recvfrom(BUFSIZ)
            print(f"Datagrama de {addr}")
            server.sendto(b"Res: " + data, addr)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        print("Servidor detenido")
