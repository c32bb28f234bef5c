"""Receta 5: orden de bytes del equipo y de la red.

Archivo: recipes/r05_byte_order.py (funciones)

Contrato (cada función recibe un int y devuelve un int):
- to_network_long(value): 32 bits, del orden del equipo al de la red (socket.htonl).
- to_host_long(value): 32 bits, del orden de la red al del equipo (socket.ntohl).
- to_network_short(value): 16 bits, del orden del equipo al de la red (socket.htons).
- to_host_short(value): 16 bits, del orden de la red al del equipo (socket.ntohs).

Comprobaciones: long, short.
"""


def to_network_long(value: int) -> int:
    raise NotImplementedError("Escribe to_network_long()")


def to_host_long(value: int) -> int:
    raise NotImplementedError("Escribe to_host_long()")


def to_network_short(value: int) -> int:
    raise NotImplementedError("Escribe to_network_short()")


def to_host_short(value: int) -> int:
    raise NotImplementedError("Escribe to_host_short()")
