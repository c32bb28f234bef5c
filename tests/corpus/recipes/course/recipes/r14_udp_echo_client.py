# Look-alike of the course's udp_client_eco.py (written for labgrade's tests).
import argparse
import socket

host = 'localhost'
data_payload = 2048


def cliente_eco(puerto):
    """ Cliente de eco sencillo """
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    direccion_servidor = (host, puerto)
    print("Conectando al puerto %s %s" % direccion_servidor)
    mensaje = "Este es el mensaje de prueba. Se repetirá."
    try:
        mensaje = "Mensaje de prueba. Se enviará de vuelta"
        print("Enviando", mensaje)
        enviados = sock.sendto(mensaje.encode('utf-8'), direccion_servidor)
        datos, servidor = sock.recvfrom(data_payload)
        print("recibido", datos)
    finally:
        print("Cierre de la conexión con el servidor")
        sock.close()


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Ejemplo de servidor de sockets')
    parser.add_argument('--port', action="store", dest="puerto", type=int, required=True)
    argumentos = parser.parse_args()
    cliente_eco(argumentos.puerto)
