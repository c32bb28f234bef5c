"""Laboratorio 9 (2023), ejercicio 1: servidor UDP en el puerto 21567 que recibe un número
entre 0 y 255 y responde su forma hexadecimal, octal y binaria (por ejemplo, para 255:
"0xff 0o377 0b11111111"). Atiende peticiones sin terminar.
"""

raise NotImplementedError("ejercicio 1: escribe el servidor de bases")
