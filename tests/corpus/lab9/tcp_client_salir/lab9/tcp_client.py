import socket

HOST = "localhost"
PORT = 21567

while True:
    mensaje = input("Mensaje (salir para terminar): ")
    if mensaje == "salir":
        break
    cliente = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    cliente.connect((HOST, PORT))
    cliente.send(mensaje.encode())
    respuesta = cliente.recv(1024)
    print(respuesta.decode())
    cliente.close()
