# Look-alike of the course's socket_manejo_errores.py (written for labgrade's tests).
import argparse
import socket
import sys


def main():
    parser = argparse.ArgumentParser(description='Ejemplos de Errores con Sockets')
    parser.add_argument('--host', action="store", dest="host", required=False)
    parser.add_argument('--port', action="store", dest="port", type=int, required=False)
    parser.add_argument('--file', action="store", dest="file", required=False)
    dados = parser.parse_args()
    host, port, nombre_archivo = dados.host, dados.port, dados.file

    # 1: crear el socket
    try:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    except socket.error as e:
        print("Error creating socket: %s" % e)
        sys.exit(1)
    print("1. Socket creado")

    # 2: conectar
    try:
        s.connect((host, port))
    except socket.gaierror as e:
        print(f"Error de dirección al conectarse al servidor: {e}")
        sys.exit(1)
    except socket.error as e:
        print("Error de conexión: %s" % e)
        sys.exit(1)

    # 3: enviar
    try:
        peticion = "GET %s HTTP/1.0\r\n\r\n" % nombre_archivo
        s.sendall(peticion.encode('utf-8'))
    except socket.error as e:
        print("Error en el envío de datos: %s" % e)
        sys.exit(1)

    while True:
        # 4: recibir
        try:
            buf = s.recv(2048)
        except socket.error as e:
            print("Error en la recepción de datos: %s" % e)
            sys.exit(1)
        if not len(buf):
            break
        sys.stdout.write(buf.decode('utf-8'))


if __name__ == '__main__':
    main()
