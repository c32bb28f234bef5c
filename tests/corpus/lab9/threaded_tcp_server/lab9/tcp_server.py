# Servidor de eco concurrente: un hilo por cliente
import socket
import threading

HOST = "localhost"
PORT = 21567


def atender(conn, addr):
    print("Conectado desde", addr)
    with conn:
        while True:
            data = conn.recv(1024)
            if not data:
                break
            conn.sendall(b"Resp: " + data)
    print("Cliente", addr, "desconectado")


with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((HOST, PORT))
    s.listen(5)
    print("Esperando conexiones...")
    while True:
        conn, addr = s.accept()
        threading.Thread(target=atender, args=(conn, addr), daemon=True).start()
