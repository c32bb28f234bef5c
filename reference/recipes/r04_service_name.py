"""Receta 4: nombre del servicio asociado a un puerto."""

import socket


def service_name(port: int, protocol: str = "tcp") -> str:
    """Devuelve el nombre del servicio de ``port`` para ``protocol`` ("tcp" o "udp")."""
    return socket.getservbyport(port, protocol)


if __name__ == "__main__":
    for port in (80, 25):
        print(f"Puerto {port}: {service_name(port)}")
    print(f"Puerto 53/udp: {service_name(53, 'udp')}")
