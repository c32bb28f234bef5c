"""Receta 8: tamaño de los búferes de envío y recepción de un socket."""

import socket


def set_buffer_sizes(sock: socket.socket, send_size: int, recv_size: int) -> tuple[int, int]:
    """Fija SO_SNDBUF, SO_RCVBUF y TCP_NODELAY; devuelve los tamaños que quedaron."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, send_size)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, recv_size)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return (
        sock.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF),
        sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF),
    )


if __name__ == "__main__":
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        before = s.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)
        print(f"Búfer de envío antes: {before}")
        send, recv = set_buffer_sizes(s, 4096, 4096)
        print(f"Búfer de envío después: {send}; de recepción: {recv}")
