"""Receta 15: todas las direcciones de un nombre según getaddrinfo."""

import socket
import sys


def lookup(host: str, port: int = 80) -> list[str]:
    """Devuelve las direcciones distintas de ``host``, en el orden en que aparecen."""
    addresses: list[str] = []
    for _family, _type, _proto, _canonname, sockaddr in socket.getaddrinfo(host, port):
        address = str(sockaddr[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


if __name__ == "__main__":
    name = sys.argv[1] if len(sys.argv) > 1 else "www.python.org"
    for address in lookup(name):
        print(f"{name}: {address}")
