"""HOSTILE: a module that shadows the standard library: dropped in as socket.py and json.py,
at the root of the submission and next to the student's files. Whoever imports it instead of
the real module gets nothing that works."""
# ruff: noqa
print("SHADOW-LOADED")
raise SystemExit("a shadowing module was imported instead of the standard library")
