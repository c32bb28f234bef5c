# Look-alike of the course's convertir_enteros.py (written for labgrade's tests).
import socket


def convertir_enteros():
    dato = 1234
    host_32 = socket.ntohl(dato)
    red_32 = socket.htonl(dato)
    host_16 = socket.ntohs(dato)
    red_16 = socket.htons(dato)
    print("Valores cortos de orden de bytes")
    print(f"Original: {dato} => del host: {host_16}, de la red: {red_16}")
    print("Valores largos de orden de bytes")
    print(f"Original: {dato} => del host: {host_32}, de la red: {red_32}")


if __name__ == '__main__':
    convertir_enteros()
