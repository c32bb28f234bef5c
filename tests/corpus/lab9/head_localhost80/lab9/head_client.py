import socket

cliente = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
cliente.connect(("localhost", 80))
peticion = "HEAD / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
cliente.send(peticion.encode())
respuesta = b""
while True:
    parte = cliente.recv(4096)
    if not parte:
        break
    respuesta += parte
print(respuesta.decode())
cliente.close()
