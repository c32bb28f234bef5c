r"""Receta 16: petición HTTP escrita a mano sobre un socket.

Archivo: recipes/r16_raw_http.py (funciones)

Contrato:
- parse_url(url) -> tuple[str, str]: (host, ruta);
  parse_url("http://www.example.com/a/b?c=1") == ("www.example.com", "/a/b?c=1").
  Si la URL no tiene ruta, la ruta es "/".
- http_get(url) -> str: se conecta por TCP a (host, 80), envía
  "GET ruta HTTP/1.1\r\nHost: host\r\nConnection: close\r\n\r\n", lee con recv() en
  un bucle hasta que el servidor cierra (el cuerpo puede llegar en muchos trozos),
  separa las cabeceras del cuerpo en el primer "\r\n\r\n" y devuelve el cuerpo
  decodificado como UTF-8 (decodifica una sola vez, al final).
- También se acepta obtener(url) (o fetch(url)), el nombre del curso para http_get.

Comprobaciones: parse_url, request_line, host_header, reads_all_chunks, utf8_body.
"""


def parse_url(url: str) -> tuple[str, str]:
    raise NotImplementedError("Escribe parse_url()")


def http_get(url: str) -> str:
    raise NotImplementedError("Escribe http_get()")
