"""HOSTILE: an infinite loop at import time (the client never gets to input())."""
# ruff: noqa

while True:
    pass
