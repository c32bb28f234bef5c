r"""Receta 7: manejo de errores de socket.

Archivo: recipes/r07_socket_errors.py (programa)
Uso: python r07_socket_errors.py --host HOST --port PUERTO --file RUTA

Contrato:
- Lee con argparse los argumentos --host, --port (entero) y --file.
- Se conecta por TCP a (host, puerto), envía "GET RUTA HTTP/1.0\r\n\r\n", lee la
  respuesta hasta que el servidor cierra la conexión y la imprime.
- Cada error de socket (nombre desconocido: socket.gaierror; conexión rechazada;
  conexión reiniciada por el servidor; tiempo de espera agotado; cualquier otro
  OSError) se informa con UNA línea clara en stderr y el programa termina con
  sys.exit(1), sin traceback.

Comprobaciones: usage, happy_path, refused, unknown_host, reset_by_peer.
"""


def main() -> None:
    # Escribe aquí tu programa.
    raise NotImplementedError("Escribe el cliente con manejo de errores en main()")


if __name__ == "__main__":
    main()
