"""Receta 15: búsqueda DNS con getaddrinfo.

Archivo: recipes/r15_dns_lookup.py (función)

Contrato:
- lookup(host, port=80) -> list[str]: las direcciones distintas que da
  socket.getaddrinfo(host, port), en el orden en que aparecen por primera vez y sin
  repetir ninguna.
- También se acepta obtener_ip(host, port=80) (o get_ip) del curso; si devuelve solo
  una dirección (un str), se toma como la lista de esa única dirección.

Comprobaciones: all_addresses, localhost.
"""


def lookup(host: str, port: int = 80) -> list[str]:
    raise NotImplementedError("Escribe lookup()")
