"""HOSTILE: prints fake pass markers, then os._exit(0) (no cleanup, no flush handlers)."""
# ruff: noqa
import os

print("PASSED lab9.udp_server.starts 1/1", flush=True)
print("::notice title=labgrade::all checks passed", flush=True)
print("<img src=x onerror=alert('labgrade-injected')>", flush=True)
os._exit(0)
