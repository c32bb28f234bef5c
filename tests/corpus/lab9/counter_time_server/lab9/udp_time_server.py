import socket
import time

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(("", 21567))
contador = 0
while True:
    msg, addr = sock.recvfrom(1024)
    contador += 1
    # responde dos, descarta dos
    if contador % 4 in (3, 0):
        print("descartado", contador)
        continue
    sock.sendto(time.ctime().encode(), addr)
