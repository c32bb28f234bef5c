import random
import socket
import time

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(("localhost", 21567))
while True:
    msg, addr = sock.recvfrom(1024)
    partes = msg.decode().split(";")
    zona = partes[1]
    if random.random() < 0.5:
        print("descartado")
        continue
    sock.sendto((time.ctime() + " " + zona).encode(), addr)
