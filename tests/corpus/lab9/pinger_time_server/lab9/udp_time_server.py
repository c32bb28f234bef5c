# Servidor UDP "pinger" con pérdida simulada, adaptado para enviar la hora
import random
import time
from socket import *

serverSocket = socket(AF_INET, SOCK_DGRAM)
serverSocket.bind(('', 21567))

while True:
    rand = random.randint(0, 10)
    message, address = serverSocket.recvfrom(1024)
    if rand < 4:
        print("Paquete descartado de", address)
        continue
    serverSocket.sendto(time.ctime().encode(), address)
