"""Receta 10: servidor TCP de eco en el puerto 8282 que reutiliza la dirección."""

import socket

HOST = "localhost"
PORT = 8282
BUFSIZ = 1024


def main() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        # Permite reiniciar el servidor aunque el puerto siga en TIME_WAIT.
        server.bind((HOST, PORT))
        server.listen(5)
        print(f"Servidor de eco escuchando en {HOST}:{PORT}")
        while True:
            conn, addr = server.accept()
            print(f"Conexión desde {addr}")
            with conn:
                try:
                    while data := conn.recv(BUFSIZ):
                        conn.sendall(data)
                except OSError as exc:
                    print(f"Error con {addr}: {exc}")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        print("Servidor detenido")
