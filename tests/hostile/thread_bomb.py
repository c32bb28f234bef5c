"""HOSTILE: a thread bomb: non-daemon threads that never end, started until it breaks."""
# ruff: noqa
import threading
import time

while True:
    threading.Thread(target=time.sleep, args=(3600,)).start()
