"""Laboratorio 9: cliente TCP del servidor de eco.

Archivo: lab9/tcp_client.py (programa: python tcp_client.py)

Contrato:
- Lee una línea con input("> ").
- Se conecta a ("localhost", 21567) y envía esa línea codificada en UTF-8
  (exactamente esos bytes, sin añadir nada).
- Recibe la respuesta (hasta 1024 bytes), la decodifica como UTF-8 y la imprime.
- Cierra el socket y termina.

También se acepta: socket.create_connection(("localhost", 21567)), "127.0.0.1" en
lugar de "localhost", otro texto en el input(). Un cliente que vuelve a llamar a
input() (un bucle hasta "salir") pierde solo exits: la comprobación da una línea.

Comprobaciones: sends_input, prints_reply, utf8, exits.
"""


def main() -> None:
    # Escribe aquí tu programa.
    raise NotImplementedError("Escribe el cliente TCP en main()")


if __name__ == "__main__":
    main()
