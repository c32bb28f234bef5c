# Look-alike of the course's socket_encontrar_nombre_servicio.py (written for labgrade's tests).
import socket


def encontrar_nombre_servicio():
    protocolo = 'tcp'
    for puerto in [80, 25]:
        servicio = socket.getservbyport(puerto, protocolo)
        print(f"Puerto: {puerto} => nombre del servicio: {servicio}")
    servicio = socket.getservbyport(53, 'udp')
    print("Puerto: %s => nombre del servicio: {servicio}")


if __name__ == '__main__':
    encontrar_nombre_servicio()
