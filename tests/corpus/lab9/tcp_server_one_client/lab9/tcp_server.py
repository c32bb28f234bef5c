import socket

servidor = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
servidor.bind(("localhost", 21567))
servidor.listen(1)
print("Servidor escuchando en el puerto 21567")
conexion, direccion = servidor.accept()
print("Cliente conectado:", direccion)
while True:
    datos = conexion.recv(1024)
    if not datos:
        break
    print("Recibido:", datos.decode())
    conexion.sendall(b"Resp: " + datos)
conexion.close()
servidor.close()
