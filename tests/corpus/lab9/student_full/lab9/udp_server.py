from socket import *
from time import ctime

HOST = ''
PORT = 21567
BUFSIZ = 1024
ADDR = (HOST, PORT)

udpSerSock = socket(AF_INET, SOCK_DGRAM)
udpSerSock.bind(ADDR)

while True:
    print('esperando mensaje...')
    data, addr = udpSerSock.recvfrom(BUFSIZ)
    udpSerSock.sendto(b'Res: ' + data, addr)
    print('...recibido de y devuelto a:', addr)
