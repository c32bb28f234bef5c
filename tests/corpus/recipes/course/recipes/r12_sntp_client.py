# Look-alike of the course's sntp_cliente.py (written for labgrade's tests).
import socket
import struct
import time

NTP_SERVER = "es.pool.ntp.org"
TIME1970 = 2208988800


def sntp_client():
    cliente = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    datos = '\x1b' + 47 * '\0'
    cliente.sendto(datos.encode('utf-8'), (NTP_SERVER, 123))
    datos, direccion = cliente.recvfrom(1024)
    if datos:
        print('Respuesta recibida de:', direccion)
    t = struct.unpack('!12I', datos)[10]
    t -= TIME1970
    print(f"Dia y hora = {time.ctime(t)}")


if __name__ == '__main__':
    sntp_client()
