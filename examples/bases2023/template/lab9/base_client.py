"""Laboratorio 9 (2023), ejercicio 1: cliente UDP que lee con input() un número entre 0 y 255,
lo envía al servidor de bases (localhost, puerto 21567) y muestra la respuesta.
"""

raise NotImplementedError("ejercicio 1: escribe el cliente de bases")
