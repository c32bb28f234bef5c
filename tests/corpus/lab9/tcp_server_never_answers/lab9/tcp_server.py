import socket

sock = socket.socket()
sock.bind(("localhost", 21567))
sock.listen(5)
while True:
    conn, addr = sock.accept()
    mensaje = conn.recv(1024).decode()
    print(f"{addr} dice: {mensaje}")
    conn.close()
