"""Laboratorio 9 (2023), ejercicio 1: servidor UDP en el puerto 21567 que recibe un número
entre 0 y 255 y responde su forma hexadecimal, octal y binaria."""

import socket

HOST, PUERTO = "localhost", 21567

with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as servidor:
    servidor.bind((HOST, PUERTO))
    print(f"Servidor de bases en el puerto {PUERTO}")
    while True:
        datos, cliente = servidor.recvfrom(1024)
        try:
            n = int(datos.decode("utf-8").strip())
            if not 0 <= n <= 255:
                raise ValueError(n)
            respuesta = f"{hex(n)} {oct(n)} {bin(n)}"
        except ValueError:
            respuesta = "error: envíe un número entre 0 y 255"
        servidor.sendto(respuesta.encode("utf-8"), cliente)
