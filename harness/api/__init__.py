"""The public check API: everything a check needs, and the only part of labgrade a course
pack may import (``course test`` refuses a pack that imports anything else of ``harness``).

A check is a function ``test_<name>`` in a module that sets ``TASK`` (the task id, as in the
pack's ``pack.toml``); its id is ``<TASK>.<name>``. It asks for what it needs by argument
name (pytest fixtures, provided by labgrade):

``student`` (:class:`Student`)
    the task's file of the submission: ``student.serve("udp")`` starts it as a server on the
    virtual network and waits until it is bound (:class:`Server`: ``.address`` where it really
    is, ``.asked_port`` the port its code asked for); ``student.run(stdin=..., vnet=...)`` runs
    it to its end (:class:`Finished`); ``student.call("func", *args)`` imports it in a child
    and returns the function's plain value; :func:`run_client` runs a client against your
    fake. A program that crashes, hangs or never binds fails the check with a message the
    student understands.
``probe`` (:class:`Probe`)
    the check's evidence and verdict: ``probe.note(key=value)``, ``probe.expect(ok, key,
    **params)``, ``raise probe.fail(key, **params)`` (also :func:`expect`, :func:`fail`;
    :func:`skip` when the check cannot judge here). The student's report shows the evidence
    keys it has words for: ``expected``, ``observed``, ``stdin``, ``stdout``, ``returned``,
    ``printed``, ``exchanges`` (what the exchange helpers record), ``bound``, ``call`` and the
    other ``report.ev.*`` keys of labgrade's catalogues; other keys stay in results.json.
    Your own words go in those: ``probe.note(observed=say("mypack.task.seen", n=3))`` (the
    engine renders :func:`say` from the pack's catalogues in the report's language).
    ``key`` names a message of the pack's catalogues (``i18n/es.json``, ``i18n/en.json``),
    filled with ``params``.
``web_server``, ``ntp_server``, ``iss_api``, ``tcp_echo_server``, ``udp_echo_server``
    the fakes below, started on an ephemeral port and stopped after the check.

Exchanges with evidence: :func:`udp_ask`, :func:`tcp_ask`, :func:`http_request`.
Clients: :func:`run_client` runs one against your fake (an echo with a prefix:
:func:`echo`) and returns a :class:`ClientRun` (:func:`run_clients`: several at once, sharing
one window); ``CLIENT_WINDOW`` is how long a client
program may run (pass another ``timeout`` only with a reason the check states).
Fakes: :class:`WebServer`, :class:`NtpServer`, :class:`IssApi` (JSON API),
:class:`TcpEchoServer`, :class:`UdpEchoServer`, and your own handler: :class:`TcpServer`,
:class:`UdpServer`; :class:`ResetServer` (resets each connection); ``RUN_HEADER`` (the web
fake's per-run header).
Lower level, without evidence: :func:`udp_exchange`, :func:`tcp_exchange`,
:func:`two_udp_senders` (two clients, each must get its own reply); your own sockets:
:func:`connect` (a TCP connection, never the grader's socket connected to itself once a
student's server has ended), :func:`from_itself` (a datagram a UDP socket sent itself, never a
reply), :func:`is_reply` (a datagram from the server asked, not one of its own nor a stray
from another program on the machine). What a student function
returned that is not plain data: :class:`Opaque` (known by its type only, equal to nothing),
:class:`SocketInfo` (what the child saw of a returned socket), :func:`type_name`.
Routing: :class:`VNet` (``VNet().route("udp", "localhost", 21567,
fake.address)``); :class:`Witness` (a grader-owned endpoint that records the connections the
virtual network refused and the names it could not resolve, acknowledged before the student's
call fails: ``VNet().witnessed(w)``); ``DOC_NETS`` (the documentation networks the
virtual DNS gives names their addresses from). A finished program's stderr without labgrade's
own frames: :func:`clean`. The kernel's own view of the run's sockets: :func:`time_wait_on`
(the connections left in TIME_WAIT on a port). Values for this run: :func:`random_int`,
:func:`random_word`, :func:`random_choice`. Statistics with stated error rates: :class:`RateTest`,
:class:`RandomnessTest`. Formatting for messages and evidence (one family; a check never
formats a value its own way): :func:`show` (bytes), :func:`excerpt` (a program's whole
output), :func:`quoted` (the end of printed text, quoted), :func:`brief` (a returned value as
Python writes it, bounded).

Everything here is stable; everything else in ``harness`` is internal. The built-in checks
(Laboratorio 9 and the Unidad 5 recipes, ``harness/checks/lab9`` and ``harness/checks/recipes``)
are course packs written with this API only: read them for examples of every part of it.
"""

from __future__ import annotations

from harness.api.display import brief, quoted
from harness.api.net import (
    CLIENT_WINDOW,
    WINDOW,
    Answer,
    ClientRun,
    HttpReply,
    TcpServer,
    UdpServer,
    echo,
    http_request,
    parse_http,
    run_client,
    run_clients,
    tcp_ask,
    udp_ask,
)
from harness.api.sockets import time_wait_on
from harness.api.stats import RandomnessTest, RateTest, binomial_between, runs_z
from harness.api.values import random_choice, random_int, random_word, token
from harness.api.verdicts import CheckSkipped, expect, fail, skip
from harness.checks.student import (
    START_WINDOW,
    Opaque,
    Server,
    SocketInfo,
    Student,
    abnormal_end,
    clean,
    error_lines,
    last_error_line,
    type_name,
)
from harness.checks.support import (
    CheckFailed,
    Deadline,
    Probe,
    connect,
    excerpt,
    from_itself,
    is_reply,
    recv_until,
    say,
    show,
    tcp_exchange,
    two_udp_senders,
    udp_exchange,
)
from harness.fakes import (
    RUN_HEADER,
    IssApi,
    NtpServer,
    Peer,
    ResetServer,
    Route,
    TcpEchoServer,
    UdpEchoServer,
    WebServer,
)
from harness.fakes.httpwire import RawRequest
from harness.sandbox.runner import Finished
from harness.vnet.rules import VNet, Witness
from harness.vnet.shim import DOC_NETS

__all__ = [
    "CLIENT_WINDOW",
    "DOC_NETS",
    "RUN_HEADER",
    "START_WINDOW",
    "WINDOW",
    "Answer",
    "CheckFailed",
    "CheckSkipped",
    "ClientRun",
    "Deadline",
    "Finished",
    "HttpReply",
    "IssApi",
    "NtpServer",
    "Opaque",
    "Peer",
    "Probe",
    "RandomnessTest",
    "RateTest",
    "RawRequest",
    "ResetServer",
    "Route",
    "Server",
    "SocketInfo",
    "Student",
    "TcpEchoServer",
    "TcpServer",
    "UdpEchoServer",
    "UdpServer",
    "VNet",
    "WebServer",
    "Witness",
    "abnormal_end",
    "binomial_between",
    "brief",
    "clean",
    "connect",
    "echo",
    "error_lines",
    "excerpt",
    "expect",
    "fail",
    "from_itself",
    "http_request",
    "is_reply",
    "last_error_line",
    "parse_http",
    "quoted",
    "random_choice",
    "random_int",
    "random_word",
    "recv_until",
    "run_client",
    "run_clients",
    "runs_z",
    "say",
    "show",
    "skip",
    "tcp_ask",
    "tcp_exchange",
    "time_wait_on",
    "token",
    "two_udp_senders",
    "type_name",
    "udp_ask",
    "udp_exchange",
]
