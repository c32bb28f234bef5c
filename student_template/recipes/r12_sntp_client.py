"""Receta 12: cliente SNTP con la biblioteca estándar.

Archivo: recipes/r12_sntp_client.py (función)

Contrato:
- sntp_time(server="es.pool.ntp.org") -> float: envía por UDP a (server, 123) un
  paquete de 48 bytes cuyo primer byte es 0x1b (versión 3, modo 3 = cliente) y el
  resto ceros; recibe la respuesta (con un tiempo de espera), la desempaqueta con
  struct.unpack("!12I", datos[:48]) y devuelve t[10] - 2208988800 (segundos desde
  1970; sumar la fracción t[11] / 2**32 es opcional).
- Solo la biblioteca estándar (socket, struct, time): ni ntplib ni otros paquetes.
- También se acepta sntp_client() (el nombre del curso y del libro), que imprime
  "Dia y hora = " + time.ctime(t) en lugar de devolver la hora.

Comprobaciones: fake_time, request_packet, standard_library_only.
"""


def sntp_time(server: str = "es.pool.ntp.org") -> float:
    raise NotImplementedError("Escribe sntp_time()")
