"""Receta 4: nombre de un servicio a partir de su puerto.

Archivo: recipes/r04_service_name.py (función)

Contrato:
- service_name(port, protocol="tcp") -> str: el nombre del servicio, con
  socket.getservbyport(); service_name(80) == "http" y
  service_name(53, "udp") == "domain".

Comprobaciones: well_known_tcp, udp_protocol.
"""


def service_name(port: int, protocol: str = "tcp") -> str:
    raise NotImplementedError("Escribe service_name()")
