import socket
import time

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(("localhost", 21567))
while True:
    msg, addr = sock.recvfrom(1024)
    sock.sendto(time.asctime().encode(), addr)
