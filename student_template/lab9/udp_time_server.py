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

También se acepta: random.choice([True, False]) o random.randint(0, 1) para decidir,
"descartada", "discarded" o "dropped" en la línea, datetime.now().strftime(...) con
uno de los formatos de arriba, el estilo del libro (from socket import *, HOST = '').
Un contador ("responde dos, descarta dos") no es aleatorio; randint(0, 10) < 4
descarta 4 de cada 11 (36 %), no la mitad.

Comprobaciones: starts, replies_are_datetime, drop_rate (prueba secuencial en lotes
de 100 solicitudes: aprueba tasas de descarte de 45-55 %, rechaza las de 40 % o menos
y 60 % o más), drops_random (sin rachas ni períodos de hasta 8), logs_discards.
"""


def main() -> None:
    # Escribe aquí tu programa.
    raise NotImplementedError("Escribe el servidor UDP de fecha y hora en main()")


if __name__ == "__main__":
    main()
