"""Receta 10: reutilizar la dirección de un socket.

Archivo: recipes/r10_reuse_address.py (programa: python r10_reuse_address.py)

Contrato:
- Servidor TCP de eco en ("localhost", 8282) que activa SO_REUSEADDR antes de
  bind(), para poder reiniciarlo enseguida aunque el puerto siga en TIME_WAIT.
- Acepta conexiones en un bucle `while True:` y devuelve a cada cliente los datos que
  recibe, sin cambios, hasta que el cliente cierra.
- El eco va más allá de la guía (comprobación echo, aparte): el reinicio con
  SO_REUSEADDR se juzga aunque el servidor solo acepte conexiones, como el del curso.

Comprobaciones: echo, restarts_while_time_wait.
"""


def main() -> None:
    # Escribe aquí tu programa.
    raise NotImplementedError("Escribe el servidor de eco del puerto 8282 en main()")


if __name__ == "__main__":
    main()
