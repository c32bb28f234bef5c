"""HOSTILE: tries to read and overwrite what the grader keeps from students (the reference,
the grading suite, the outputs, the grader's and other submissions' temporary files, the
original submission folder, the interpreter's own files) and to spy on the grader's
processes; prints LEAK or DENIED for each attempt, then behaves as a correct client.

Writes to the suite, the reference and the interpreter are probed with an append-mode open
that writes nothing, so a level that does not contain them reports LEAK without damage."""
# ruff: noqa
import glob
import json
import os
import socket

TARGETS = json.loads("""__HOSTILE_TARGETS__""")


def attempt(label, action):
    try:
        result = action()
    except (OSError, ImportError) as exc:
        print(f"DENIED {label}: {type(exc).__name__}")
        return
    if result:
        print(f"LEAK {label}")
    else:
        print(f"DENIED {label}: nothing there")


def read(path):
    with open(path, "rb") as f:
        return f.read(64)


def listing(path):
    return os.listdir(path)


def append_open(path):
    os.close(os.open(path, os.O_WRONLY | os.O_APPEND))
    return True


def create(path):
    with open(path, "w") as f:
        f.write("<h1>pwned</h1>")
    return True


def others():
    own = os.path.dirname(os.getcwd())
    own = os.path.realpath(own)
    # the folders on the way to its own box are no one else's
    found = [p for p in glob.glob(os.path.join(TARGETS["tmp"], "labgrade-*"))
             + glob.glob("/tmp/labgrade-*")
             if not (own + "/").startswith(os.path.realpath(p) + "/")]
    return [p for p in found if os.listdir(p)]


def grader_processes():
    seen = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read()
        except OSError:
            continue
        if b"harness.runner" in cmd or b"harness.cli" in cmd:
            seen.append(pid)
    return seen


def import_suite():
    import harness.checks.support as suite
    return read(suite.__file__)


attempt("read reference", lambda: read(os.path.join(TARGETS["reference"], "lab9", "tcp_server.py")))
attempt("list suite", lambda: listing(TARGETS["checks"]))
attempt("read suite", lambda: read(os.path.join(TARGETS["checks"], "lab9", "checks", "test_tcp_client.py")))
attempt("import suite", import_suite)
attempt("list outputs", lambda: listing(TARGETS["out"]))
attempt("read previous output", lambda: read(os.path.join(TARGETS["out"], "previous.txt")))
attempt("read original submission", lambda: read(os.path.join(TARGETS["submission"], "lab9", "udp_server.py")))
attempt("list classmates", lambda: listing(os.path.dirname(TARGETS["submission"])))
attempt("see other temporary folders", others)
attempt("see grader processes", grader_processes)
attempt("write results", lambda: create(os.path.join(TARGETS["out"], "results.json")))
attempt("write report", lambda: create(os.path.join(TARGETS["out"], "report.html")))
attempt("add to outputs", lambda: create(os.path.join(TARGETS["out"], "pwned.html")))
attempt("write suite", lambda: append_open(os.path.join(TARGETS["checks"], "lab9", "checks", "test_tcp_client.py")))
attempt("write reference", lambda: append_open(os.path.join(TARGETS["reference"], "lab9", "tcp_server.py")))
attempt("write interpreter", lambda: append_open(os.__file__))
attempt("write original submission", lambda: append_open(os.path.join(TARGETS["submission"], "lab9", "udp_server.py")))

msg = input("> ")
with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
    sock.connect(("localhost", 21567))
    sock.sendall(msg.encode("utf-8"))
    data = sock.recv(1024)
print(data.decode("utf-8"))
