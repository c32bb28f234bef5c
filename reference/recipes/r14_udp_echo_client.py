"""Receta 14: cliente UDP de eco.

Uso: python r14_udp_echo_client.py --port 9900 --message "Hola"
"""

import argparse
import socket
import sys

HOST = "localhost"
BUFSIZ = 2048


def echo_client(port: int, message: str) -> str:
    """Envía ``message`` en un datagrama y devuelve la respuesta del servidor."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(5)  # UDP no avisa si el servidor no responde
        sock.sendto(message.encode("utf-8"), (HOST, port))
        data, _ = sock.recvfrom(BUFSIZ)
    return data.decode("utf-8", errors="replace")


def main() -> None:
    parser = argparse.ArgumentParser(description="Cliente UDP de eco")
    parser.add_argument("--port", type=int, default=9900, help="puerto (por defecto 9900)")
    parser.add_argument("--message", default="Mensaje de prueba", help="mensaje a enviar")
    args = parser.parse_args()
    try:
        echo = echo_client(args.port, args.message)
    except TimeoutError:
        print(f"Error: {HOST}:{args.port} no respondió a tiempo", file=sys.stderr)
        sys.exit(1)
    except OSError as exc:
        print(f"Error de socket con {HOST}:{args.port}: {exc}", file=sys.stderr)
        sys.exit(1)
    print(f"Eco recibido: {echo}")


if __name__ == "__main__":
    main()
