"""Receta 13: cliente TCP de eco.

Archivo: recipes/r13_tcp_echo_client.py (programa)
Uso: python r13_tcp_echo_client.py --port 9900 --message "Hola"

Contrato:
- Lee --port (entero, por defecto 9900) y --message (por defecto
  "Mensaje de prueba") con argparse.
- Se conecta a ("localhost", puerto), envía el mensaje en UTF-8, recibe el eco
  completo (puede llegar en varios trozos) y lo imprime.
- Si la conexión es rechazada u ocurre otro error de socket, imprime una línea clara
  en stderr y termina con sys.exit(1), sin traceback.
- También se acepta el cliente del curso, cliente_eco(puerto) con solo --port y un
  mensaje fijo ("Mensaje de prueba..."): --message va más allá de la guía y se juzga
  aparte (message_option); el eco se juzga en lo que imprime, también como b'...'.

Comprobaciones: sends_message, prints_echo, handles_refused, message_option.
"""


def main() -> None:
    # Escribe aquí tu programa.
    raise NotImplementedError("Escribe el cliente TCP de eco en main()")


if __name__ == "__main__":
    main()
