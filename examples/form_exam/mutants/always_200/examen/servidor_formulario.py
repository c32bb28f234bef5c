"""Examen: servidor HTTP en el puerto 8080, hecho con sockets, que sirve un formulario.

GET / devuelve una página con un formulario (método POST, campo "nombre"); POST / saluda
con el nombre recibido; cualquier otra ruta responde 404.
"""

import html
import socket
from urllib.parse import parse_qs

FORMULARIO = """<!doctype html>
<html><head><meta charset="utf-8"><title>Saludo</title></head><body>
<form method="post" action="/">
  <label>Nombre: <input name="nombre"></label>
  <button type="submit">Enviar</button>
</form>
</body></html>"""


def leer_peticion(conexion):
    datos = b""
    while b"\r\n\r\n" not in datos:
        trozo = conexion.recv(4096)
        if not trozo:
            return None, b""
        datos += trozo
    cabecera, _, cuerpo = datos.partition(b"\r\n\r\n")
    lineas = cabecera.decode("iso-8859-1").split("\r\n")
    longitud = 0
    for linea in lineas[1:]:
        nombre, _, valor = linea.partition(":")
        if nombre.strip().lower() == "content-length":
            longitud = int(valor.strip())
    while len(cuerpo) < longitud:
        trozo = conexion.recv(4096)
        if not trozo:
            break
        cuerpo += trozo
    return lineas[0], cuerpo


def responder(conexion, estado, pagina):
    cuerpo = pagina.encode("utf-8")
    cabecera = (f"HTTP/1.1 {estado}\r\nContent-Type: text/html; charset=utf-8\r\n"
                f"Content-Length: {len(cuerpo)}\r\nConnection: close\r\n\r\n")
    conexion.sendall(cabecera.encode("ascii") + cuerpo)


with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as servidor:
    servidor.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    servidor.bind(("", 8080))
    servidor.listen(5)
    while True:
        conexion, _ = servidor.accept()
        with conexion:
            linea, cuerpo = leer_peticion(conexion)
            if linea is None:
                continue
            metodo, ruta = (linea.split() + ["", ""])[:2]
            if False:
                responder(conexion, "404 Not Found", "<h1>No encontrado</h1>")
            elif metodo == "POST":
                campos = parse_qs(cuerpo.decode("utf-8"))
                nombre = campos.get("nombre", [""])[0]
                responder(conexion, "200 OK", f"<h1>Hola, {html.escape(nombre)}</h1>")
            else:
                responder(conexion, "200 OK", FORMULARIO)
