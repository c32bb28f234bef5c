"""Receta 13: cliente TCP de eco.

Uso: python r13_tcp_echo_client.py --port 9900 --message "Hola"
"""

import argparse
import socket
import sys

HOST = "localhost"
BUFSIZ = 2048


def echo_client(port: int, message: str) -> str:
    """Envía ``message`` al servidor de eco y devuelve lo que este contesta."""
    payload = message.encode("utf-8")
    received = b""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(5)
        sock.connect((HOST, port))
        sock.sendall(payload)
        # El eco puede llegar en varios trozos: leemos hasta tenerlo completo.
        while len(received) < len(payload):
            data = sock.recv(BUFSIZ)
            if not data:
                break
            received += data
    return received.decode("utf-8", errors="replace")


def main() -> None:
    parser = argparse.ArgumentParser(description="Cliente TCP de eco")
    parser.add_argument("--port", type=int, default=9900, help="puerto (por defecto 9900)")
    parser.add_argument("--message", default="Mensaje de prueba", help="mensaje a enviar")
    args = parser.parse_args()
    try:
        echo = echo_client(args.port, args.message)
    except ConnectionRefusedError:
        print(f"Error: nadie escucha en {HOST}:{args.port} (conexión rechazada)", file=sys.stderr)
        sys.exit(1)
    except OSError as exc:
        print(f"Error de socket con {HOST}:{args.port}: {exc}", file=sys.stderr)
        sys.exit(1)
    print(f"Eco recibido: {echo}")


if __name__ == "__main__":
    main()
