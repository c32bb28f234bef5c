import random
import socket
from datetime import datetime

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("localhost", 21567))
print("Servidor de fecha y hora listo")
while True:
    datos, cliente = s.recvfrom(1024)
    if random.choice([True, False]):
        print(f"Solicitud de {cliente} descartada")
    else:
        hora = datetime.now().strftime("%d/%m/%Y %H:%M:%S")
        s.sendto(hora.encode(), cliente)
        print(f"Enviado {hora} a {cliente}")
