# Eco con socketserver.ThreadingTCPServer (un hilo por cliente)
import socketserver


class Eco(socketserver.BaseRequestHandler):
    def handle(self):
        while True:
            datos = self.request.recv(1024)
            if not datos:
                break
            self.request.sendall("Resp: ".encode() + datos)


socketserver.ThreadingTCPServer.allow_reuse_address = True
with socketserver.ThreadingTCPServer(("", 21567), Eco) as servidor:
    servidor.serve_forever()
