# Look-alike of the course's http_servidor.py (written for labgrade's tests).
import socket
import time

HTTP_PORT = 80
TCP_BACKLOG = 0
TEMPLATE = """\
<!DOCTYPE HTML>
<html lang="es">
<head>
    <title>Servidor HTTP del curso</title>
    <meta charset="UTF-8">
    <meta name="viewport" content="width=device-width">
</head>
<body>
    <h1>Prueba con Sockets</h1>
    <b>Tiempo en funcionamiento: </b> {tiempo_en_marcha} s.
</body>
</html>
"""


def socket_escuchar():
    sock = socket.socket()
    sock.bind(('0.0.0.0', HTTP_PORT))
    sock.listen(TCP_BACKLOG)
    return sock


def servir_peticiones(sock):
    print("Servidor web iniciado")
    inicio = time.monotonic()
    while True:
        conn, direccion = sock.accept()
        print('request:', direccion)
        peticion = conn.makefile('rwb')
        while True:
            linea = peticion.readline()
            if not linea or linea == b'\r\n':
                break
        en_marcha = round(time.monotonic() - inicio, 1)
        html = TEMPLATE.format(tiempo_en_marcha=en_marcha)
        conn.send(bytes(html.encode()))
        conn.close()


if __name__ == '__main__':
    oyente = socket_escuchar()
    servir_peticiones(oyente)
