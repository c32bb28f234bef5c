# Look-alike of the course's ntp_imprimir_dia_hora.py (written for labgrade's tests).
from time import ctime

import ntplib


def print_time():
    cliente = ntplib.NTPClient()
    respuesta = cliente.request('europe.pool.ntp.org')
    print(ctime(respuesta.tx_time))


if __name__ == '__main__':
    print_time()
