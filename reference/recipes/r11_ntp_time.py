"""Receta 11: hora de un servidor de Internet con el protocolo NTP (biblioteca ntplib)."""

import time

import ntplib


def ntp_time(server: str = "pool.ntp.org") -> float:
    """Devuelve la hora de ``server`` en segundos desde 1970 (como time.time())."""
    client = ntplib.NTPClient()
    response = client.request(server, version=3)
    return response.tx_time


if __name__ == "__main__":
    print(time.ctime(ntp_time()))
