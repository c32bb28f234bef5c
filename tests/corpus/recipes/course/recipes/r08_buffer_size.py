# Look-alike of the course's socket_modificar_tamaño_buffer.py (written for labgrade's tests).
import socket

SEND_BUF_SIZE = 2048
RECV_BUF_SIZE = 2048


def modificar_tamaño_buffer():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tam = sock.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)
    print(f"Tamaño del buffer [Antes]: {tam}")
    sock.setsockopt(socket.SOL_TCP, socket.TCP_NODELAY, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUF_SIZE)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECV_BUF_SIZE)
    tam = sock.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)
    print(f"Tamaño del buffer [Despues]: {tam}")


if __name__ == '__main__':
    modificar_tamaño_buffer()
