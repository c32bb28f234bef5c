"""Receta 11: hora de Internet con NTP (biblioteca ntplib).

Archivo: recipes/r11_ntp_time.py (función y programa)

Contrato:
- ntp_time(server="pool.ntp.org") -> float: pide la hora a server con
  ntplib.NTPClient().request(server, version=3) y devuelve su campo tx_time
  (segundos desde 1970, como time.time()).
- Al ejecutar el archivo imprime time.ctime(ntp_time()).
- También se acepta print_time() (el nombre del curso y del libro), que imprime
  time.ctime() de la hora en lugar de devolverla; cualquier servidor NTP sirve
  (europe.pool.ntp.org, time.google.com, ...): todos llegan al del corrector.

Comprobaciones: fake_time, uses_ntplib, prints_ctime.
"""


def ntp_time(server: str = "pool.ntp.org") -> float:
    raise NotImplementedError("Escribe ntp_time()")


def main() -> None:
    # Escribe aquí tu programa.
    raise NotImplementedError("Escribe el programa que imprime la hora en main()")


if __name__ == "__main__":
    main()
