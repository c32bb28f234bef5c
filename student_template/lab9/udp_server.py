"""Laboratorio 9: servidor UDP de eco.

Archivo: lab9/udp_server.py (programa: python udp_server.py)

Contrato:
- Crea un socket UDP y lo enlaza a ("localhost", 21567).
- En un bucle `while True:` recibe cada datagrama con recvfrom(1024) y responde
  b"Res: " + datos a la dirección que lo envió, con sendto(respuesta, direccion).
- Atiende a varios clientes y sigue funcionando después de cada respuesta.
- Trabaja con bytes: un mensaje UTF-8 vuelve intacto detrás del prefijo.

También se acepta: el estilo del libro (from socket import *, HOST = '' o
"0.0.0.0", mensajes impresos por cada datagrama).

Comprobaciones: starts, echo_prefix, utf8_payload, replies_to_sender (dos clientes),
keeps_serving.
"""


def main() -> None:
    # Escribe aquí tu programa.
    raise NotImplementedError("Escribe el servidor UDP de eco en main()")


if __name__ == "__main__":
    main()
