"""HOSTILE: writes 1 GB to stdout, a megabyte at a time."""
# ruff: noqa
import sys

chunk = "x" * (1024 * 1024 - 1) + "\n"
for _ in range(1024):
    sys.stdout.write(chunk)
