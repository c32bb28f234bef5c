"""Laboratorio 9: servidor TCP de eco.

Archivo: lab9/tcp_server.py (programa: python tcp_server.py)

Contrato:
- Crea un socket TCP, lo enlaza a ("localhost", 21567), llama a listen() y acepta
  conexiones en un bucle `while True:` (el servidor no termina solo).
- En cada conexión recibe con recv(1024) hasta que el cliente cierra (recv devuelve
  b"") y responde a cada bloque recibido con b"Resp: " + datos. Después cierra esa
  conexión y espera al siguiente cliente.
- Atiende a varios clientes, uno después de otro, y sigue funcionando cuando un
  cliente se conecta y se va sin enviar nada.
- Trabaja con bytes: un mensaje UTF-8 como "¿Qué tal, ñandú?" vuelve intacto detrás
  del prefijo.

También se acepta: el estilo del libro (from socket import *, HOST = '' o
"0.0.0.0", send() en lugar de sendall(), mensajes impresos en cada conexión).

Comprobaciones: starts, echo_prefix, utf8_payload, sequential_clients (5 clientes
seguidos), survives_silent_client.
"""


def main() -> None:
    # Escribe aquí tu programa.
    raise NotImplementedError("Escribe el servidor TCP de eco en main()")


if __name__ == "__main__":
    main()
