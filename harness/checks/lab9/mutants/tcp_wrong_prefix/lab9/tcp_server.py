"""Laboratorio 9: servidor TCP de eco que responde b"Res: " + datos."""

import socket

HOST = "localhost"
PORT = 21567
BUFSIZ = 1024


def atender(conn: socket.socket) -> None:
    """Responde a cada bloque recibido hasta que el cliente cierra la conexión."""
    while True:
        data = conn.recv(BUFSIZ)
        if not data:  # el cliente cerró la conexión
            break
        conn.sendall(b"Res: " + data)


def main() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((HOST, PORT))
        server.listen(5)
        print(f"Servidor TCP escuchando en {HOST}:{PORT}")
        while True:
            conn, addr = server.accept()
            print(f"Conexión desde {addr}")
            with conn:
                try:
                    atender(conn)
                except OSError as exc:  # p. ej. el cliente reinició la conexión
                    print(f"Error con {addr}: {exc}")
            print(f"Conexión con {addr} cerrada")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        print("Servidor detenido")
