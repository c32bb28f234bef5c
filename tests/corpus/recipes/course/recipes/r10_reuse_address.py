# Look-alike of the course's socket_reutilizar_direccion.py (written for labgrade's tests).
import socket


def reutilizar_direccion_socket():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    viejo = sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR)
    print(f"Estado antiguo del socket: {viejo}")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    nuevo = sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR)
    print(f"Nuevo estado del socket: {nuevo}")

    puerto_local = 8282
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(('', puerto_local))
    srv.listen(1)
    print(f"Escuchando en el puerto: {puerto_local}")
    while True:
        try:
            conexion, addr = srv.accept()
            print(f"Conectado por {addr[0]}:{addr[1]}")
        except KeyboardInterrupt:
            break
        except socket.error as msg:
            print(msg)


if __name__ == '__main__':
    reutilizar_direccion_socket()
