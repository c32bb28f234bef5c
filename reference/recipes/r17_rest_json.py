"""Receta 17: posición de la Estación Espacial Internacional con una API REST (JSON)."""

import time

import requests

URL = "http://api.open-notify.org/iss-now.json"


def iss_position(url: str = URL) -> tuple[float, float]:
    """Devuelve (latitud, longitud) de la EEI según la API."""
    response = requests.get(url, timeout=5)
    response.raise_for_status()
    position = response.json()["iss_position"]
    return float(position["latitude"]), float(position["longitude"])


def main() -> None:
    for _ in range(10):
        lat, lon = iss_position()
        print(f"Posición de la EEI: latitud {lat}, longitud {lon}")
        time.sleep(1)


if __name__ == "__main__":
    main()
