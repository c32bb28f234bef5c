"""Receta 15: búsqueda DNS con getaddrinfo.

Archivo: recipes/r15_dns_lookup.py (función)

Contrato:
- lookup(host, port=80) -> list[str]: las direcciones distintas que da
  socket.getaddrinfo(host, port), en el orden en que aparecen por primera vez y sin
  repetir ninguna.

Comprobaciones: all_addresses, localhost.
"""


def lookup(host: str, port: int = 80) -> list[str]:
    raise NotImplementedError("Escribe lookup()")
