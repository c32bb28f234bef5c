"""HOSTILE: a 4 GB allocation at import time."""
# ruff: noqa

hoard = bytearray(4 * 1024 ** 3)
hoard[-1] = 1
