"""Receta 18: servidor HTTP hecho con sockets que muestra su tiempo activo."""

import socket
import time

HOST = "localhost"
PORT = 8080
BUFSIZ = 1024

PAGE = """<!DOCTYPE html>
<html lang="es">
<head><meta charset="utf-8"><title>Tiempo activo</title></head>
<body>
<h1>Servidor HTTP con sockets</h1>
<p>Tiempo activo: <span id="uptime">{uptime:.3f}</span> segundos</p>
</body>
</html>
"""


def read_request(conn: socket.socket) -> bytes:
    """Lee hasta el final de las cabeceras (pueden llegar en varios trozos)."""
    request = b""
    while b"\r\n\r\n" not in request:
        data = conn.recv(BUFSIZ)
        if not data:
            break
        request += data
    return request


def build_response(uptime: float) -> bytes:
    body = PAGE.format(uptime=uptime).encode("utf-8")
    headers = (
        "HTTP/1.1 200 OK\r\n"
        "Content-Type: text/html; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: close\r\n"
        "\r\n"
    )
    return headers.encode("ascii") + body


def main() -> None:
    start = time.monotonic()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((HOST, PORT))
        server.listen(5)
        print(f"Servidor HTTP en http://{HOST}:{PORT}/")
        while True:
            conn, addr = server.accept()
            with conn:
                try:
                    conn.settimeout(5)  # un cliente mudo no bloquea al servidor
                    if read_request(conn):
                        conn.sendall(build_response(time.monotonic() - start))
                except OSError as exc:
                    print(f"Error con {addr}: {exc}")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        print("Servidor detenido")
