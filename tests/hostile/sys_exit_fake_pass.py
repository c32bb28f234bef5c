"""HOSTILE: prints what looks like passing results (and markup), then sys.exit(0)."""
# ruff: noqa
import sys

print("PASSED lab9.tcp_server.starts 1/1")
print('{"status": "passed", "score": 48.0, "max_score": 48.0}')
print("<script>alert('labgrade-injected')</script><b>48/48</b>")
print("Servidor TCP escuchando en localhost:21567")
sys.exit(0)
