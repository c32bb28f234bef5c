"""Receta 18: servidor HTTP con sockets que muestra su tiempo activo.

Archivo: recipes/r18_http_server.py (programa: python r18_http_server.py)

Contrato:
- Servidor TCP en ("localhost", 8080) con SO_REUSEADDR; guarda la hora de inicio.
- En un bucle `while True:` acepta una conexión, lee la petición hasta el final de
  las cabeceras (la línea en blanco; puede llegar en varios trozos), responde y
  cierra la conexión.
- La respuesta empieza por "HTTP/1.1 200 OK", lleva las cabeceras
  Content-Type: text/html; charset=utf-8, Content-Length y Connection: close, y una
  página HTML con los segundos que lleva activo el servidor, con decimales, p. ej.:
  <p>Tiempo activo: <span id="uptime">12.345</span> segundos</p>
- La línea de estado y las cabeceras solo las juzga status_200_html: una página
  enviada sola (como la del curso, servir_peticiones()) se juzga en lo demás.

Comprobaciones: status_200_html, uptime_grows, reads_all_headers, serves_many.
"""


def main() -> None:
    # Escribe aquí tu programa.
    raise NotImplementedError("Escribe el servidor HTTP en main()")


if __name__ == "__main__":
    main()
