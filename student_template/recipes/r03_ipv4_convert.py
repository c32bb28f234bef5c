"""Receta 3: conversión de direcciones IPv4.

Archivo: recipes/r03_ipv4_convert.py (funciones)

Contrato:
- ip_to_hex(ip) -> str: la dirección empaquetada, en hexadecimal, con
  socket.inet_aton() y binascii.hexlify(); ip_to_hex("127.0.0.1") == "7f000001".
- packed_to_ip(packed: bytes) -> str: la dirección en texto a partir de sus 4 bytes,
  con socket.inet_ntoa(); packed_to_ip(bytes([127, 0, 0, 1])) == "127.0.0.1".

Comprobaciones: to_hex, from_packed, roundtrip.
"""


def ip_to_hex(ip: str) -> str:
    raise NotImplementedError("Escribe ip_to_hex()")


def packed_to_ip(packed: bytes) -> str:
    raise NotImplementedError("Escribe packed_to_ip()")
