"""Laboratorio 9 (2023), ejercicio 1: cliente UDP que lee un número entre 0 y 255, lo envía al
servidor de bases (localhost:21567) y muestra la respuesta."""

import socket

HOST, PUERTO = "localhost", 21567

numero = input("Número (0-255): ")
with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as cliente:
    cliente.settimeout(5)
    cliente.sendto(numero.encode("utf-8"), (HOST, PUERTO))
    respuesta, _ = cliente.recvfrom(1024)
    print(respuesta.decode("utf-8"))
