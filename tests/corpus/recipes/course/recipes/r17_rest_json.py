# Look-alike of the course's json_obtener.py (written for labgrade's tests).
import time

import requests

URL = 'http://api.open-notify.org/iss-now.json'


def seguimiento_estacion_espacial():
    for i in range(10):
        datos = requests.get(URL).json()
        posicion = datos['iss_position']
        print(f"{i} lat: {posicion['latitude']} lon: {posicion['longitude']}")
        time.sleep(1)


if __name__ == '__main__':
    seguimiento_estacion_espacial()
