"""Receta 1: nombre del equipo.

Archivo: recipes/r01_hostname.py (función y programa)

Contrato:
- get_hostname() -> str: devuelve el nombre del equipo, con socket.gethostname().
- Al ejecutar el archivo (python r01_hostname.py) imprime ese nombre, por ejemplo:
  Nombre del equipo: mi-portatil
- También se acepta la función del curso, obtener_info() (o print_machine_info()),
  que imprime el nombre en lugar de devolverlo: se juzga lo que imprime.

Comprobaciones: returns_hostname, prints_hostname.
"""


def get_hostname() -> str:
    raise NotImplementedError("Escribe get_hostname()")


def main() -> None:
    # Escribe aquí tu programa.
    raise NotImplementedError("Escribe el programa que imprime el nombre del equipo en main()")


if __name__ == "__main__":
    main()
