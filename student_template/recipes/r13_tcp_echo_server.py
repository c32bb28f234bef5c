"""Receta 13: servidor TCP de eco.

Archivo: recipes/r13_tcp_echo_server.py (programa)
Uso: python r13_tcp_echo_server.py --port 9900

Contrato:
- Lee --port (entero, por defecto 9900) con argparse.
- Crea un socket TCP con SO_REUSEADDR, lo enlaza a ("localhost", puerto) y llama a
  listen(5) (una cola de conexiones pendientes).
- En un bucle `while True:` acepta clientes y devuelve a cada uno los datos que
  recibe, sin cambios, hasta que el cliente cierra.

Comprobaciones: echo, backlog, restart.
"""


def main() -> None:
    # Escribe aquí tu programa.
    raise NotImplementedError("Escribe el servidor TCP de eco en main()")


if __name__ == "__main__":
    main()
