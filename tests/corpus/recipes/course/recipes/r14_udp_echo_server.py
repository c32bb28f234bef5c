# Look-alike of the course's udp_servidor_eco.py (written for labgrade's tests).
import argparse
import socket

host = 'localhost'
data_payload = 2048


def servidor_eco(puerto):
    """ Servidor de eco sencillo """
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    direccion_servidor = (host, puerto)
    print(f"Iniciando el servidor echo en {direccion_servidor}")
    sock.bind(direccion_servidor)
    while True:
        print("Esperando a recibir mensajes del cliente")
        datos, direccion = sock.recvfrom(data_payload)
        print(f"recibidos {len(datos)} bytes desde {direccion}")
        print("Datos:", datos)
        if datos:
            enviados = sock.sendto(datos, direccion)
            print(f"envió {enviados} bytes de vuelta a {direccion}")


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Ejemplo de servidor de sockets')
    parser.add_argument('--port', action="store", dest="puerto", type=int, required=True)
    argumentos = parser.parse_args()
    servidor_eco(argumentos.puerto)
