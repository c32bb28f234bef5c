"""Receta 14: servidor UDP de eco.

Archivo: recipes/r14_udp_echo_server.py (programa)
Uso: python r14_udp_echo_server.py --port 9900

Contrato:
- Lee --port (entero, por defecto 9900) con argparse.
- Crea un socket UDP enlazado a ("localhost", puerto).
- En un bucle `while True:` recibe cada datagrama con recvfrom() y lo devuelve sin
  cambios a la dirección que lo envió, con sendto().

Comprobaciones: echo, replies_to_sender.
"""


def main() -> None:
    # Escribe aquí tu programa.
    raise NotImplementedError("Escribe el servidor UDP de eco en main()")


if __name__ == "__main__":
    main()
