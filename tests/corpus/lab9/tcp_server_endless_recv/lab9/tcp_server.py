import socket

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("0.0.0.0", 21567))
s.listen(5)
while True:
    c, a = s.accept()
    print("conexion de", a)
    while True:
        try:
            msg = c.recv(1024)
            c.send(b"Resp: " + msg)
        except OSError:
            break
    c.close()
