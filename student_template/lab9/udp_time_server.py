"""Laboratorio 9, ejercicio 1: servidor UDP de fecha y hora que descarta solicitudes.

Archivo: lab9/udp_time_server.py (programa: python udp_time_server.py)

Contrato:
- Crea un socket UDP enlazado a ("localhost", 21567) y atiende en un bucle
  `while True:`.
- Por cada datagrama recibido decide al azar (por ejemplo, random.random() < 0.5) si
  lo atiende o lo descarta: cerca de la mitad de las solicitudes no recibe respuesta.
- A las que atiende les envía la fecha y la hora actuales, por ejemplo
  time.ctime().encode() (también valen ISO 8601 y dd/mm/aaaa HH:MM:SS).
- Por cada solicitud descartada imprime una línea que contiene la palabra
  "descartado", por ejemplo: Mensaje de ('127.0.0.1', 5555) descartado
  Ninguna otra línea debe contener esa palabra.

Comprobaciones: starts, replies_are_datetime, drop_rate (200 solicitudes: entre 70 y
130 respuestas), drops_random, logs_discards.
"""


def main() -> None:
    # Escribe aquí tu programa.
    raise NotImplementedError("Escribe el servidor UDP de fecha y hora en main()")


if __name__ == "__main__":
    main()
