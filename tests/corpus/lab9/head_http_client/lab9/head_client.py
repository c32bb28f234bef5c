# HEAD con http.client: la petición sale por TCP, la respuesta la interpreta la biblioteca
import sys
import http.client
from urllib.parse import urlsplit

url = sys.argv[1] if len(sys.argv) > 1 else input("URL: ")
partes = urlsplit(url)
conexion = http.client.HTTPConnection(partes.hostname, partes.port or 80, timeout=5)
ruta = partes.path or "/"
if partes.query:
    ruta += "?" + partes.query
conexion.request("HEAD", ruta)
respuesta = conexion.getresponse()
print(respuesta.status, respuesta.reason)
for nombre, valor in respuesta.getheaders():
    print(f"{nombre}: {valor}")
conexion.close()
