import socket

texto = input("> ")
with socket.create_connection(("localhost", 21567)) as s:
    s.sendall(texto.encode("utf-8"))
    print(s.recv(1024).decode("utf-8"))
