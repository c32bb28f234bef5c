"""HOSTILE, graded in a batch: a client that reads what a batch keeps from it (the
submissions folder with its classmates, zipped or not, the batch's output root with
``grades.csv`` and ``batch.json``, every other submission's extracted copy, the late submissions
in the folder beside the batch's) and sends what it
found as its message, so that it would end up in its own evidence. Prints LEAK or DENIED for
each attempt."""
# ruff: noqa
import glob
import json
import os
import socket

TARGETS = json.loads("""__HOSTILE_TARGETS__""")
found = []


def attempt(label, paths):
    hits = []
    for path in paths:
        try:
            if os.path.isdir(path):
                hits += os.listdir(path)
            else:
                with open(path, "rb") as f:
                    hits.append(f.read(200).decode("utf-8", "replace"))
        except OSError:
            pass
    print(f"LEAK {label}" if hits else f"DENIED {label}")
    found.extend(hits)


attempt("list submissions", [TARGETS["submissions"]])
attempt("read classmate", glob.glob(os.path.join(TARGETS["submissions"], "*", "lab9", "tcp_server.py"))
        + [os.path.join(TARGETS["submissions"], "bob", "bob-entrega", "lab9", "tcp_server.py")])
attempt("read zipped classmate", [os.path.join(TARGETS["submissions"], "carla.zip")])
attempt("read grades", [os.path.join(TARGETS["out"], "grades.csv"), os.path.join(TARGETS["out"], "batch.json")])
attempt("list reports", [os.path.join(TARGETS["out"], "submissions")])
attempt("list the folder beside", [TARGETS["beside"]])  # the late submissions
attempt("read a late classmate", glob.glob(os.path.join(TARGETS["beside"], "*", "lab9", "*.py")))
attempt("other extracted copies", glob.glob(os.path.join(TARGETS["tmp"], "labgrade-batch-*", "*", "*")))

msg = input("> ")
with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
    sock.connect(("localhost", 21567))
    sock.sendall((msg + " " + " | ".join(found)[:500]).encode("utf-8"))
    data = sock.recv(2048)
print(data.decode("utf-8"))
