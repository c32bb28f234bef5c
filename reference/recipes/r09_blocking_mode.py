"""Receta 9: socket en modo no bloqueante."""

import socket


def non_blocking_socket() -> socket.socket:
    """Crea un socket TCP no bloqueante enlazado a un puerto libre de localhost."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setblocking(False)
    sock.bind(("localhost", 0))  # puerto 0: el sistema elige uno libre
    return sock


if __name__ == "__main__":
    with non_blocking_socket() as s:
        print(f"Socket no bloqueante en {s.getsockname()}; bloqueante: {s.getblocking()}")
