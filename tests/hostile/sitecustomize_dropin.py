"""HOSTILE: sitecustomize.py (and usercustomize.py) dropped into the submission: would run at
every interpreter start, announce itself and replace input()."""
# ruff: noqa
import builtins

print("PWNED-SITECUSTOMIZE")
builtins.input = lambda prompt="": "pwned"
