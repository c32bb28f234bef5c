"""Laboratorio 9, ejercicio 2: cliente TCP que envía una petición HTTP HEAD y muestra la
respuesta.

Uso: python head_client.py http://www.example.com/ruta
"""

import socket
import sys
from urllib.parse import urlsplit

BUFSIZ = 1024


def build_request(url: str) -> tuple[str, int, bytes]:
    """Devuelve (host, puerto, petición HEAD) para la URL dada."""
    if "//" not in url:  # "www.example.com/x" -> "http://www.example.com/x"
        url = "http://" + url
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    port = parts.port or 80
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    host_header = host if port == 80 else f"{host}:{port}"
    request = f"GET {path} HTTP/1.1\r\nHost: {host_header}\r\nConnection: close\r\n\r\n"
    return host, port, request.encode("ascii")


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 else input("URL: ")
    host, port, request = build_request(url.strip())
    response = b""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.settimeout(10)
            sock.connect((host, port))
            sock.sendall(request)
            # Una respuesta a HEAD no tiene cuerpo: basta con leer hasta la línea en
            # blanco, aunque el servidor mantenga la conexión abierta.
            while b"\r\n\r\n" not in response:
                data = sock.recv(BUFSIZ)
                if not data:
                    break
                response += data
    except OSError as exc:
        print(f"Error al consultar {host}:{port}: {exc}", file=sys.stderr)
        sys.exit(1)
    headers = response.split(b"\r\n\r\n", 1)[0]
    print(headers.decode("iso-8859-1").replace("\r\n", "\n"))


if __name__ == "__main__":
    main()
