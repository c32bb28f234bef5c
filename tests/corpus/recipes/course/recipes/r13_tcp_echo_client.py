# Look-alike of the course's tcp_cliente_eco.py (written for labgrade's tests).
import argparse
import socket

host = 'localhost'


def cliente_eco(puerto):
    """ Cliente de eco sencillo """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    direccion_servidor = (host, puerto)
    print(f"Conectando a {direccion_servidor}")
    sock.connect(direccion_servidor)
    try:
        mensaje = "Mensaje de prueba. Se hara eco de esto"
        print(f"Enviando {mensaje}")
        sock.sendall(mensaje.encode('utf-8'))
        recibido = 0
        esperado = len(mensaje)
        while recibido < esperado:
            datos = sock.recv(16)
            recibido += len(datos)
            print("Recibido:", datos)
    except socket.error as e:
        print("Error de socket: %s" % str(e))
    except Exception as e:
        print("Otra excepción: %s" % str(e))
    finally:
        print("Cerrando la conexión con el servidor")
        sock.close()


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='Ejemplo de servidor de sockets')
    parser.add_argument('--port', action="store", dest="puerto", type=int, required=True)
    argumentos = parser.parse_args()
    cliente_eco(argumentos.puerto)
