# Servidor de hora con socketserver (como en la documentación de Python)
import random
import socketserver
import time


class ManejadorHora(socketserver.BaseRequestHandler):
    def handle(self):
        datos, sock = self.request
        if random.random() < 0.5:
            print("Mensaje de", self.client_address, "descartado")
            return
        sock.sendto(time.ctime().encode(), self.client_address)


if __name__ == "__main__":
    with socketserver.UDPServer(("localhost", 21567), ManejadorHora) as servidor:
        print("Escuchando en el puerto 21567")
        servidor.serve_forever()
