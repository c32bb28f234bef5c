"""Receta 3: conversión de direcciones IPv4 entre texto, bytes empaquetados y hexadecimal."""

import binascii
import socket


def ip_to_hex(ip: str) -> str:
    """Convierte "127.0.0.1" en "7f000001"."""
    packed = socket.inet_aton(ip)
    return binascii.hexlify(packed).decode("ascii").upper()


def packed_to_ip(packed: bytes) -> str:
    """Convierte los 4 bytes de una dirección empaquetada en texto ("127.0.0.1")."""
    return socket.inet_ntoa(packed)


if __name__ == "__main__":
    for ip in ("127.0.0.1", "192.168.0.1"):
        packed = socket.inet_aton(ip)
        print(f"IP: {ip} -> empaquetada: {ip_to_hex(ip)} -> de nuevo: {packed_to_ip(packed)}")
