# Look-alike of the course's socket_dns.py (written for labgrade's tests).
import socket


def obtener_ip(host, port=80):
    info = socket.getaddrinfo(host, port)
    return info[0][-1][0]


def main():
    print('realizando la búsqueda de DNS...')
    for direccion in ['python.org', 'micropython.org', 'pypi.org']:
        print(direccion, obtener_ip(direccion))


if __name__ == '__main__':
    main()
