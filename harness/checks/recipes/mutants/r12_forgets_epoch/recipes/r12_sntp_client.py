"""Receta 12: cliente SNTP escrito solo con la biblioteca estándar."""

import socket
import struct
import time

NTP_PORT = 123
TIME1970 = 2208988800  # segundos entre 1900 (época NTP) y 1970 (época Unix)
TIMEOUT = 5


def sntp_time(server: str = "es.pool.ntp.org") -> float:
    """Devuelve la hora de ``server`` en segundos desde 1970."""
    request = b"\x1b" + 47 * b"\0"  # LI = 0, versión 3, modo 3 (cliente)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(TIMEOUT)
        sock.sendto(request, (server, NTP_PORT))
        data, _ = sock.recvfrom(1024)
    t = struct.unpack("!12I", data[:48])
    # t[10] y t[11]: marca de transmisión (segundos y fracción)
    return t[10] + t[11] / 2**32


if __name__ == "__main__":
    print(time.ctime(sntp_time()))
