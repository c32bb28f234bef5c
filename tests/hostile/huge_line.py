"""HOSTILE: a single 120 MB line on stdout, no newline until the end."""
# ruff: noqa
import sys

sys.stdout.buffer.write(b"A" * (120 * 1024 * 1024))
sys.stdout.buffer.write(b"\n")
