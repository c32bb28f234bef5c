"""Receta 6: socket TCP con tiempo de espera."""

import socket


def socket_with_timeout(timeout: float) -> socket.socket:
    """Crea un socket TCP cuyo tiempo de espera es ``timeout`` segundos."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    return sock


if __name__ == "__main__":
    with socket_with_timeout(100) as s:
        print(f"Tiempo de espera: {s.gettimeout()} s")
