"""Exam: an HTTP server on port 8080, built on sockets, that serves a form.

- ``GET /`` answers ``200`` with an HTML page holding a ``<form method="post">`` with an
  ``<input name="nombre">``;
- ``POST /`` with the form's body (``nombre=...``, URL-encoded) answers ``200`` with a page
  that greets the name;
- any other path answers ``404``.

Each property is its own check; every request carries a name chosen for this run.
"""

from __future__ import annotations

import re
from urllib.parse import quote_plus

from harness.api import Probe, Student, expect, fail, http_request, random_word, show

TASK = "form_exam.form_server"
PORT = 8080
FORM = re.compile(r"<form\b[^>]*\bmethod\s*=\s*[\"']?post", re.IGNORECASE)
INPUT = re.compile(r"<input\b[^>]*\bname\s*=\s*[\"']?nombre\b", re.IGNORECASE)


def test_listens(student: Student, probe: Probe) -> None:
    server = student.serve("tcp")
    probe.note(bound={"asked": server.asked_port, "real": server.real_port})
    expect(server.asked_port == PORT, "form_exam.wrong_port", port=server.asked_port,
           expected=PORT)


def test_serves_form(student: Student, probe: Probe) -> None:
    server = student.serve("tcp")
    reply = http_request(server.address, probe, "GET", "/")
    if reply is None:
        raise fail("form_exam.no_reply", request="GET /")
    expect(reply.status == 200, "form_exam.wrong_status", request="GET /",
           expected=200, got=reply.status)
    expect("text/html" in reply.headers.get("content-type", ""), "form_exam.not_html",
           got=reply.headers.get("content-type", "—"))
    expect(bool(FORM.search(reply.text)) and bool(INPUT.search(reply.text)),
           "form_exam.no_form", got=show(reply.text[:300]))


def _post(student: Student, probe: Probe, name: str) -> str:
    server = student.serve("tcp")
    body = f"nombre={quote_plus(name)}".encode()
    reply = http_request(server.address, probe, "POST", "/", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded"})
    if reply is None:
        raise fail("form_exam.no_reply", request="POST /")
    expect(reply.status == 200, "form_exam.wrong_status", request="POST /", expected=200,
           got=reply.status)
    return reply.text


def test_greets(student: Student, probe: Probe) -> None:
    name = "Ana" + random_word(6)
    page = _post(student, probe, name)
    expect(name in page, "form_exam.no_greeting", name=name, got=show(page[:300]))


def test_decodes_form(student: Student, probe: Probe) -> None:
    """A name with a space and accents travels URL-encoded (``Jos%C3%A9+P%C3%A9rez``); the
    page must show it decoded."""
    name = f"José Pérez {random_word(4)}"
    page = _post(student, probe, name)
    expect(name in page, "form_exam.not_decoded", name=name, sent=quote_plus(name),
           got=show(page[:300]))


def test_not_found(student: Student, probe: Probe) -> None:
    server = student.serve("tcp")
    path = "/" + random_word(8)
    reply = http_request(server.address, probe, "GET", path)
    if reply is None:
        raise fail("form_exam.no_reply", request=f"GET {path}")
    expect(reply.status == 404, "form_exam.wrong_status", request=f"GET {path}",
           expected=404, got=reply.status)
