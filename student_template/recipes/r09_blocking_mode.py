"""Receta 9: socket no bloqueante.

Archivo: recipes/r09_blocking_mode.py (función)

Contrato:
- non_blocking_socket() -> socket.socket: crea un socket TCP, lo pone en modo no
  bloqueante con setblocking(False), lo enlaza a ("localhost", 0) (el puerto 0 pide
  uno libre al sistema) y lo devuelve.

Comprobaciones: non_blocking, bound.
"""

import socket


def non_blocking_socket() -> socket.socket:
    raise NotImplementedError("Escribe non_blocking_socket()")
