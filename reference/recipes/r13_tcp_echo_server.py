"""Receta 13: servidor TCP de eco (devuelve los datos sin cambios).

Uso: python r13_tcp_echo_server.py --port 9900
"""

import argparse
import socket

HOST = "localhost"
BACKLOG = 5
BUFSIZ = 2048


def echo_server(port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((HOST, port))
        server.listen(BACKLOG)
        print(f"Servidor de eco TCP escuchando en {HOST}:{port}")
        while True:
            conn, addr = server.accept()
            print(f"Conexión desde {addr}")
            with conn:
                try:
                    while data := conn.recv(BUFSIZ):
                        conn.sendall(data)
                except OSError as exc:
                    print(f"Error con {addr}: {exc}")


def main() -> None:
    parser = argparse.ArgumentParser(description="Servidor TCP de eco")
    parser.add_argument("--port", type=int, default=9900, help="puerto (por defecto 9900)")
    args = parser.parse_args()
    echo_server(args.port)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        print("Servidor detenido")
