"""Laboratorio 9: UDP client: reads a line with input(), sends it to localhost:21567, prints
the reply and exits. The checks are shared with the other lab9 client (common.client_checks)."""

from __future__ import annotations

from .common import client_checks

TASK = "lab9.udp_client"

runs, ascii_run, test_sends_input, test_prints_reply, test_utf8, test_exits = client_checks("udp")
