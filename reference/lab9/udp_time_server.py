"""Laboratorio 9, ejercicio 1: servidor UDP de fecha y hora que descarta la mitad de las
solicitudes al azar."""

import random
import socket
import time

HOST = "localhost"
PORT = 21567
BUFSIZ = 1024


def main() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server:
        server.bind((HOST, PORT))
        print(f"Servidor de hora UDP escuchando en {HOST}:{PORT}")
        while True:
            _, addr = server.recvfrom(BUFSIZ)
            if random.random() < 0.5:
                print(f"Mensaje de {addr} descartado")
                continue
            server.sendto(time.ctime().encode(), addr)
            print(f"Hora enviada a {addr}")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        print("Servidor detenido")
