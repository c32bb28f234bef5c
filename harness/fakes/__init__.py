"""Local stand-ins for the internet: plain classes with start/stop, usable without pytest.

Every fake binds on ``127.0.0.1`` and port 0 by default, answers as soon as ``start()``
returns, records what it received, and re-raises errors from its threads in
``check_errors()`` and ``stop()`` as ``FakeError``.
"""

from __future__ import annotations

from harness.fakes.base import STOP_TIMEOUT, FakeError, FakeServer, Peer
from harness.fakes.echo import TcpEchoServer, UdpEchoServer
from harness.fakes.httpwire import RUN_HEADER, SERVER_NAME, Headers, RawRequest
from harness.fakes.jsonapi import ISS_PATH, MAX_LATITUDE, IssApi
from harness.fakes.ntp import BASE_TIME, NtpServer, default_unix_time
from harness.fakes.reset import ResetServer
from harness.fakes.transports import TcpFake, UdpFake
from harness.fakes.web import Handler, Route, WebServer

__all__ = [
    "BASE_TIME",
    "ISS_PATH",
    "MAX_LATITUDE",
    "RUN_HEADER",
    "SERVER_NAME",
    "STOP_TIMEOUT",
    "FakeError",
    "FakeServer",
    "Handler",
    "Headers",
    "IssApi",
    "NtpServer",
    "Peer",
    "RawRequest",
    "ResetServer",
    "Route",
    "TcpEchoServer",
    "TcpFake",
    "UdpEchoServer",
    "UdpFake",
    "WebServer",
    "default_unix_time",
]
