"""Receta 1: nombre del equipo local."""

import socket


def get_hostname() -> str:
    """Devuelve el nombre del equipo en el que se ejecuta el programa."""
    return socket.gethostname()


if __name__ == "__main__":
    name = get_hostname()
    print(f"Nombre del equipo: {name}")
