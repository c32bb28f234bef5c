"""Receta 16: petición HTTP GET escrita a mano sobre un socket TCP."""

import socket
import sys
from urllib.parse import urlsplit

PORT = 80
BUFSIZ = 1024


def parse_url(url: str) -> tuple[str, str]:
    """Separa la URL en (host, ruta); la ruta es "/" si falta y conserva la consulta."""
    parts = urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return parts.hostname or "", path


def http_get(url: str) -> str:
    """Descarga ``url`` del puerto 80 y devuelve el cuerpo de la respuesta."""
    host, path = parse_url(url)
    request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    chunks = []
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(10)
        sock.connect((host, PORT))
        sock.sendall(request.encode("ascii"))
        while True:  # el servidor cierra la conexión al terminar
            data = sock.recv(BUFSIZ)
            if not data:
                break
            chunks.append(data)
    response = b"".join(chunks)
    _headers, _, body = response.partition(b"\r\n\r\n")
    # Se decodifica una sola vez al final: un carácter UTF-8 puede quedar partido entre trozos.
    return body.decode("utf-8")


if __name__ == "__main__":
    print(http_get(sys.argv[1] if len(sys.argv) > 1 else "http://www.example.com/"))
