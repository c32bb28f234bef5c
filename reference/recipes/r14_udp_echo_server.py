"""Receta 14: servidor UDP de eco (devuelve cada datagrama a quien lo envió).

Uso: python r14_udp_echo_server.py --port 9900
"""

import argparse
import socket

HOST = "localhost"
BUFSIZ = 2048


def echo_server(port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server:
        server.bind((HOST, port))
        print(f"Servidor de eco UDP escuchando en {HOST}:{port}")
        while True:
            data, addr = server.recvfrom(BUFSIZ)
            print(f"{len(data)} bytes de {addr}")
            server.sendto(data, addr)


def main() -> None:
    parser = argparse.ArgumentParser(description="Servidor UDP de eco")
    parser.add_argument("--port", type=int, default=9900, help="puerto (por defecto 9900)")
    args = parser.parse_args()
    echo_server(args.port)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        print("Servidor detenido")
