"""Receta 6: tiempo de espera de un socket.

Archivo: recipes/r06_socket_timeout.py (función)

Contrato:
- socket_with_timeout(timeout) -> socket.socket: crea un socket TCP (AF_INET,
  SOCK_STREAM), le fija el tiempo de espera con settimeout(timeout) y lo devuelve,
  sin conectarlo.

Comprobaciones: timeout_set, tcp_socket.
"""

import socket


def socket_with_timeout(timeout: float) -> socket.socket:
    raise NotImplementedError("Escribe socket_with_timeout()")
