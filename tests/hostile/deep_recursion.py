"""HOSTILE: unbounded recursion after lifting the recursion limit, through C code
(``__getattr__`` calling ``getattr``), so it overflows the C stack and crashes the
interpreter."""
# ruff: noqa
import sys

sys.setrecursionlimit(10 ** 8)


class Deep:
    def __getattr__(self, name):
        return getattr(self, name)


Deep().anything
