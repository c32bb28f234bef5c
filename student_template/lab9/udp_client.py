"""Laboratorio 9: cliente UDP del servidor de eco.

Archivo: lab9/udp_client.py (programa: python udp_client.py)

Contrato:
- Lee una línea con input("> ").
- La envía codificada en UTF-8, en un datagrama, a ("localhost", 21567).
- Recibe la respuesta con recvfrom(1024), la decodifica como UTF-8 y la imprime.
- Cierra el socket y termina.

También se acepta: "127.0.0.1" en lugar de "localhost", otro texto en el input().
Un cliente que vuelve a llamar a input() (un bucle hasta "salir") pierde solo
exits: la comprobación da una línea.

Comprobaciones: sends_input, prints_reply, utf8, exits.
"""


def main() -> None:
    # Escribe aquí tu programa.
    raise NotImplementedError("Escribe el cliente UDP en main()")


if __name__ == "__main__":
    main()
