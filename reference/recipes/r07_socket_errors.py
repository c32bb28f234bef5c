"""Receta 7: cliente HTTP mínimo que informa con claridad de cada error de socket.

Uso: python r07_socket_errors.py --host www.example.com --port 80 --file /index.html
"""

import argparse
import socket
import sys
from typing import NoReturn

BUFSIZ = 4096


def fail(message: str) -> NoReturn:
    """Muestra una sola línea de error y termina con estado 1."""
    print(message, file=sys.stderr)
    sys.exit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description="Pide un archivo a un servidor HTTP.")
    parser.add_argument("--host", required=True, help="nombre o dirección del servidor")
    parser.add_argument("--port", type=int, required=True, help="puerto del servidor")
    parser.add_argument("--file", default="/", help="ruta del archivo (por defecto /)")
    args = parser.parse_args()

    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.settimeout(10)
            sock.connect((args.host, args.port))
            sock.sendall(f"GET {args.file} HTTP/1.0\r\n\r\n".encode("ascii"))
            chunks = []
            while True:
                data = sock.recv(BUFSIZ)
                if not data:
                    break
                chunks.append(data)
    except socket.gaierror as exc:
        fail(f"Error de dirección: no se pudo resolver {args.host!r} ({exc})")
    except ConnectionRefusedError:
        fail(f"Error de conexión: {args.host}:{args.port} rechazó la conexión")
    except ConnectionResetError:
        fail(f"Error de conexión: {args.host}:{args.port} reinició la conexión")
    except TimeoutError:
        fail(f"Error de tiempo: {args.host}:{args.port} no respondió a tiempo")
    except OSError as exc:
        fail(f"Error de socket con {args.host}:{args.port}: {exc}")
    print(b"".join(chunks).decode("utf-8", errors="replace"))


if __name__ == "__main__":
    main()
