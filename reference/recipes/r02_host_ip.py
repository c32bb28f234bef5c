"""Receta 2: dirección IPv4 de un equipo a partir de su nombre."""

import socket


def get_ip(host: str) -> str:
    """Devuelve la dirección IPv4 de ``host`` según el DNS."""
    return socket.gethostbyname(host)


if __name__ == "__main__":
    name = socket.gethostname()
    print(f"Equipo: {name}")
    print(f"Dirección IP: {get_ip(name)}")
