"""Receta 5: conversión entre el orden de bytes del equipo y el de la red."""

import socket


def to_network_long(value: int) -> int:
    """Entero de 32 bits, del orden del equipo al de la red."""
    return socket.htonl(value)


def to_host_long(value: int) -> int:
    """Entero de 32 bits, del orden de la red al del equipo."""
    return socket.ntohl(value)


def to_network_short(value: int) -> int:
    """Entero de 16 bits, del orden del equipo al de la red."""
    return socket.htons(value)


def to_host_short(value: int) -> int:
    """Entero de 16 bits, del orden de la red al del equipo."""
    return socket.ntohs(value)


if __name__ == "__main__":
    data = 1234
    print(f"Original: {data} => largo equipo: {to_host_long(data)}, red: {to_network_long(data)}")
    print(f"Original: {data} => corto equipo: {to_host_short(data)}, red: {to_network_short(data)}")
