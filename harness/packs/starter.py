"""The starting pack ``labgrade course new`` writes: one working exercise (a TCP server that
answers the text it receives in capitals), declared in TOML, with its reference, template and
one mutant, so ``labgrade course test`` passes on it at once."""

from __future__ import annotations

import json

PACK_TOML = '''\
# A course pack: see "Write your first exercise" in labgrade's README.
[pack]
name = "{name}"            # every task id and message key starts with this

[tasks.upper_server]
file = "ej1/upper_server.py"  # the student's file, relative to the submission
visibility = "visible"

[mutants.echo_unchanged]    # mutants/echo_unchanged/ holds files replacing the reference's
loses = ["upper_server.upper"]

[tasks.upper_server.points]
listens = 1
upper = 2
'''

EXERCISE_TOML = '''\
# Exercise 1: a TCP server on port 5000 that answers each message in capitals.
task = "upper_server"
program = "server"
proto = "tcp"
port = 5000
repeat = 3                  # every check is judged on 3 fresh random words

[values]
word = {{ word = 10 }}

[[check]]
name = "listens"
listens = true
fail = "{name}.upper_server.wrong_port"

[[check]]
name = "upper"
send = "{{word}}"
reply = {{ equals = "{{word|upper}}" }}
fail = "{name}.upper_server.not_upper"
'''

MESSAGES = {
    "es": {
        "task.{name}.upper_server": "Ejercicio 1: servidor de mayúsculas (TCP)",
        "check.{name}.upper_server.listens": "Escucha en el puerto 5000",
        "check.{name}.upper_server.upper": "Responde el texto en mayúsculas",
        "{name}.upper_server.wrong_port": "El servidor debe escuchar en el puerto {expected}; "
                                         "escuchó en {got}.",
        "{name}.upper_server.not_upper": "Se envió {sent!r}; se esperaba {expected!r} y "
                                        "llegó {got}.",
    },
    "en": {
        "task.{name}.upper_server": "Exercise 1: capitals server (TCP)",
        "check.{name}.upper_server.listens": "Listens on port 5000",
        "check.{name}.upper_server.upper": "Answers the text in capitals",
        "{name}.upper_server.wrong_port": "The server must listen on port {expected}; it "
                                         "listened on {got}.",
        "{name}.upper_server.not_upper": "Sent {sent!r}; expected {expected!r}, got {got}.",
    },
}

REFERENCE = '''\
"""Ejercicio 1: servidor TCP en el puerto 5000 que responde cada mensaje en mayúsculas."""

import socket

with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as servidor:
    servidor.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    servidor.bind(("localhost", 5000))
    servidor.listen(5)
    while True:
        conexion, direccion = servidor.accept()
        with conexion:
            datos = conexion.recv(1024)
            conexion.sendall(datos.decode("utf-8").upper().encode("utf-8"))
'''

TEMPLATE = '''\
"""Ejercicio 1: servidor TCP en el puerto 5000 que responde cada mensaje en mayúsculas.

Escribe aquí tu servidor.
"""

raise NotImplementedError("ejercicio 1: escribe el servidor")
'''

MUTANT = REFERENCE.replace('datos.decode("utf-8").upper().encode("utf-8")', "datos")


def files(name: str) -> dict[str, str]:
    """Relative path -> text of the starting pack named ``name``."""
    def fill(text: str) -> str:
        return text.replace("{name}", name)

    out = {"pack.toml": PACK_TOML.format(name=name),
           "checks/upper_server.toml": EXERCISE_TOML.format(name=name),
           "reference/ej1/upper_server.py": REFERENCE,
           "template/ej1/upper_server.py": TEMPLATE,
           "mutants/echo_unchanged/ej1/upper_server.py": MUTANT}
    for lang, messages in MESSAGES.items():
        data = {fill(k): fill(v) for k, v in messages.items()}
        out[f"i18n/{lang}.json"] = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return out
