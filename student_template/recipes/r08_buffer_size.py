"""Receta 8: tamaño de los búferes de un socket.

Archivo: recipes/r08_buffer_size.py (función)

Contrato:
- set_buffer_sizes(sock, send_size, recv_size) -> tuple[int, int]: fija en sock
  SO_SNDBUF = send_size y SO_RCVBUF = recv_size (nivel SOL_SOCKET), activa
  TCP_NODELAY (nivel IPPROTO_TCP) y devuelve (envío, recepción), leídos después con
  getsockopt(). Linux duplica los tamaños pedidos: es normal.

Comprobaciones: send_buffer, recv_buffer, nodelay.
"""

import socket


def set_buffer_sizes(sock: socket.socket, send_size: int, recv_size: int) -> tuple[int, int]:
    raise NotImplementedError("Escribe set_buffer_sizes()")
