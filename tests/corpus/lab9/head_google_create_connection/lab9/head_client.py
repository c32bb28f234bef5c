import socket

HOST = "www.google.com"
s = socket.create_connection((HOST, 80))
s.send(("HEAD / HTTP/1.1\r\nHost: %s\r\n\r\n" % HOST).encode())
print(s.recv(4096).decode(errors="replace"))
s.close()
