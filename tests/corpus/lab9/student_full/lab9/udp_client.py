import socket

cliente = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
mensaje = input("Escribe un mensaje: ")
cliente.sendto(mensaje.encode("utf-8"), ("127.0.0.1", 21567))
respuesta, servidor = cliente.recvfrom(1024)
print("Respuesta del servidor:", respuesta.decode("utf-8"))
cliente.close()
