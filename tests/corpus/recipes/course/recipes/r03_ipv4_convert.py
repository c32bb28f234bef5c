# Look-alike of the course's socket_conversion_direccion_ip.py (written for labgrade's tests).
import socket
from binascii import hexlify


def convertir_direccion_ip():
    direcciones = ['127.0.0.1', '192.168.0.1']
    for direccion in direcciones:
        empaquetada = socket.inet_aton(direccion)
        desempaquetada = socket.inet_ntoa(empaquetada)
        print(f"Dirección IP: {direccion} => Empaquetada: {hexlify(empaquetada)}, "
              f"Desempaquetada: {desempaquetada}")


if __name__ == '__main__':
    convertir_direccion_ip()
