# Look-alike of the course's tcp_servidor_eco.py (written for labgrade's tests).
import argparse
import socket

host = 'localhost'
data_payload = 2048
backlog = 5  # conexiones en cola como máximo


def servidor_eco(port):
    """ Servidor de eco sencillo """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    direccion_servidor = (host, port)
    print(f"Iniciando el servidor echo en el puerto {direccion_servidor}")
    sock.bind(direccion_servidor)
    sock.listen(backlog)
    while True:
        print("A la espera de recibir un mensaje del cliente...")
        cliente, direccion = sock.accept()
        datos = cliente.recv(data_payload)
        if datos:
            print("Datos: %s" % datos)
            cliente.send(datos)
            print(f"enviaron {datos} bytes de vuelta a {direccion}")
        cliente.close()


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Ejemplo de servidor de sockets')
    parser.add_argument('--port', action="store", dest="puerto", type=int, required=True)
    argumentos = parser.parse_args()
    servidor_eco(argumentos.puerto)
