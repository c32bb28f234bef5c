import socket
import sys
from urllib.parse import urlparse

if len(sys.argv) > 1:
    url = sys.argv[1]
else:
    url = input("Ingrese la URL: ")
u = urlparse(url)
host = u.hostname
puerto = u.port if u.port else 80
ruta = u.path if u.path else "/"
cabecera_host = host if puerto == 80 else host + ":" + str(puerto)
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.connect((host, puerto))
s.sendall(f"HEAD {ruta} HTTP/1.1\r\nHost: {cabecera_host}\r\nConnection: close\r\n\r\n".encode())
datos = b""
while True:
    d = s.recv(1024)
    if not d:
        break
    datos += d
s.close()
print(datos.decode())
