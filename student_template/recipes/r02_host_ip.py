"""Receta 2: dirección IP de un equipo.

Archivo: recipes/r02_host_ip.py (función)

Contrato:
- get_ip(host) -> str: devuelve la dirección IPv4 de host (un nombre como
  "www.python.org" o "localhost"), con socket.gethostbyname().
- También se acepta la función del curso, obtener_info() (o
  get_remote_machine_info()), que resuelve un nombre escrito en el código e imprime
  "nombre ... dirección": se juzga lo que imprime (localhost no se le puede preguntar).

Comprobaciones: resolves_name, localhost.
"""


def get_ip(host: str) -> str:
    raise NotImplementedError("Escribe get_ip()")
