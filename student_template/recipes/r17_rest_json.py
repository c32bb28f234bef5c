"""Receta 17: API REST con JSON (posición de la Estación Espacial Internacional).

Archivo: recipes/r17_rest_json.py (función y programa)

Contrato:
- iss_position(url="http://api.open-notify.org/iss-now.json") -> tuple[float, float]:
  pide url con requests.get(url, timeout=5), toma del JSON el objeto "iss_position"
  y devuelve sus campos "latitude" y "longitude" como (latitud, longitud), dos float
  (la API los envía como texto).
- Al ejecutar el archivo repite 10 veces: imprime la posición y espera 1 segundo con
  time.sleep(1).
- También se acepta seguimiento_estacion_espacial() (o track_space_station()) del
  curso, que imprime las posiciones en lugar de devolver una: se juzga lo que imprime.

Comprobaciones: parses_position, loop_ten.
"""


def iss_position(url: str = "http://api.open-notify.org/iss-now.json") -> tuple[float, float]:
    raise NotImplementedError("Escribe iss_position()")


def main() -> None:
    # Escribe aquí tu programa.
    raise NotImplementedError("Escribe el bucle que imprime la posición 10 veces en main()")


if __name__ == "__main__":
    main()
