import socket
import sys
from urllib.parse import urlparse

url = sys.argv[1] if len(sys.argv) > 1 else input("URL: ")
partes = urlparse(url)
host = partes.hostname
puerto = partes.port or 80
ruta = partes.path or "/"
with socket.socket() as s:
    s.connect((host, puerto))
    s.sendall(f"HEAD {ruta} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
    respuesta = s.recv(4096)
print(respuesta.decode())
