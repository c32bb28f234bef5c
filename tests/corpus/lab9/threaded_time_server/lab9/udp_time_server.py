# Un hilo por solicitud: atender() decide, responde o avisa
import random
import socket
import threading
import time

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("localhost", 21567))


def atender(datos, cliente):
    if random.randint(0, 1) == 0:
        print(f"Mensaje de {cliente} descartado")
    else:
        s.sendto(time.ctime().encode(), cliente)


while True:
    datos, cliente = s.recvfrom(1024)
    threading.Thread(target=atender, args=(datos, cliente)).start()
