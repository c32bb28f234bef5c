"""The evidence of one check, turned into blocks a person reads (view model for
``evidence.html.j2``).

Known keys get their own block (what ran, what crossed the wire, expected beside observed,
the drop pattern, the program's output); other known keys become labelled rows in plain
words (``report.ev.<key>`` in the catalogues). A key without a label is internal: the
student's report leaves it out, the instructor's shows it as it is.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from harness.i18n import LANGS, has, t
from harness.report.text import Shown, readable

TRACE_HEAD_LINES = 3
"""Lines kept from the top of a long traceback (the end, with the exception, is always kept)."""
TRACE_TAIL_LINES = 12


@dataclass
class EvidenceBlock:
    """One piece of evidence, in the form its template part expects."""

    kind: str
    """``argv``, ``exchanges``, ``compare``, ``drop``, ``output`` (stdin, stdout, stderr,
    tracebacks) or ``table`` (labelled facts)."""
    label: str = ""
    text: str = ""
    note: str = ""
    """A line under the block: how much was cut, where the text came from."""
    raw: str = ""
    """The same data as escaped bytes, offered on request (empty when no different)."""
    rows: list[Any] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)


Tr = Callable[..., str]


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def _cut_note(shown: Shown, tr: Tr) -> str:
    if not shown.cut:
        return ""
    return tr("report.cut_bytes" if shown.cut_unit == "bytes" else "report.cut_chars",
              n=shown.cut)


def _traceback_tail(text: str, tr: Tr) -> str:
    """A long traceback cut in its middle: its first lines and its end (the exception)."""
    lines = text.rstrip("\n").split("\n")
    if len(lines) <= TRACE_HEAD_LINES + TRACE_TAIL_LINES + 1:
        return text
    left = len(lines) - TRACE_HEAD_LINES - TRACE_TAIL_LINES
    return "\n".join([*lines[:TRACE_HEAD_LINES], tr("report.lines_omitted", n=left),
                      *lines[-TRACE_TAIL_LINES:]])


def _output(label: str, value: Any, tr: Tr) -> EvidenceBlock:
    shown = readable(_as_text(value), escaped=False)  # what a program printed, as it printed
    text = shown.text
    if "Traceback (most recent call last)" in text:
        text = _traceback_tail(text, tr)
    return EvidenceBlock("output", label, text=text, note=_cut_note(shown, tr), raw=shown.raw)


def _peer_label(direction: str, peer: str, lang: str, tr: Tr) -> str:
    if not peer:
        return tr("report.sent") if direction == "sent" else tr("report.received")
    if direction == "sent":
        return tr("report.exch.sent_by", peer=peer)
    key = "report.exch.replied" if peer in _peer_names("grader") | _peer_names("student") \
        else "report.exch.received_by"
    return tr(key, peer=peer)


def _exchanges(value: Any, lang: str, tr: Tr) -> EvidenceBlock | None:
    if not isinstance(value, list) or not all(isinstance(x, dict) for x in value):
        return None
    rows = []
    for x in value:
        direction = str(x.get("dir", ""))
        label = _peer_label(direction, _peer_in(_as_text(x.get("peer", "")), lang), lang, tr)
        shown = readable(_as_text(x.get("data", "")), escaped=True)
        rows.append({"dir": direction if direction in ("sent", "received") else "other",
                     "label": label[:1].upper() + label[1:],
                     "data": shown.text, "bytes": shown.is_bytes,
                     "note": _cut_note(shown, tr)})
    return EvidenceBlock("exchanges", tr("report.exchanges"), rows=rows)


def _peer_names(role: str) -> set[str]:
    """How a peer is named in results of any language (the engine names them in the run's)."""
    return {role} | {t(f"peer.{role}", lang) for lang in LANGS if has(f"peer.{role}", lang)}


def _peer_in(peer: str, lang: str) -> str:
    """A peer's name in the report's language (a result may be shown in the other one)."""
    for role in ("grader", "student", "client_a", "client_b"):
        if peer in _peer_names(role) and has(f"peer.{role}", lang):
            return t(f"peer.{role}", lang)
    return peer


def _from_student(x: Any, lang: str) -> bool:
    return isinstance(x, dict) and x.get("peer") in _peer_names("student")


def _observed(ev: dict[str, Any], expected: str, lang: str, tr: Tr
              ) -> tuple[str | None, str, str | None]:
    """What the student's program did, to show beside ``expected``: its text, a label saying
    where it came from, and the evidence key it used (so it is not shown twice)."""
    for key in ("observed", "returned", "printed", "actual", "received"):
        if key in ev:
            return _as_text(ev[key]), tr("report.observed"), key
    candidates: list[tuple[str, str, str | None]] = []
    wire = [x for x in ev.get("exchanges") or [] if _from_student(x, lang)]
    if wire:
        candidates.append((_as_text(wire[-1].get("data", "")),
                           tr("report.observed_sent"), None))
    if "stdout" in ev:
        candidates.append((_as_text(ev["stdout"]), tr("report.observed_stdout"), "stdout"))
    if not candidates:
        return None, "", None
    want = readable(expected).text

    def shown(c: tuple[str, str, str | None]) -> str:
        return readable(c[0], escaped=c[2] != "stdout").text

    differing = [c for c in candidates if shown(c) != want]
    if differing:  # the check failed: what matched cannot be what went wrong
        candidates = differing

    def likeness(c: tuple[str, str, str | None]) -> float:
        return difflib.SequenceMatcher(None, want, shown(c)[-2000:]).ratio()

    return max(candidates, key=likeness)


def _drop(value: Any, tr: Tr) -> EvidenceBlock | None:
    if not isinstance(value, dict):
        return None
    try:
        n, replies = int(value["n"]), int(value["replies"])
        lo, hi = (int(v) for v in value["interval"])
    except (KeyError, TypeError, ValueError):
        return None
    try:
        z = f"{float(value['z']):.2f}".replace(".", tr("report.decimal_sep"))
    except (KeyError, TypeError, ValueError):
        z = ""
    marks = ["■" if ch == "1" else "□" if ch == "0" else "?"
             for ch in str(value.get("pattern", ""))]
    groups = ["".join(marks[i:i + 10]) for i in range(0, len(marks), 10)]
    return EvidenceBlock("drop", tr("report.drop.title"), data={
        "n": n, "replies": replies, "dropped": n - replies, "lo": lo, "hi": hi, "z": z,
        "groups": groups, "in_interval": lo <= replies <= hi})


# --------------------------------------------------------------------------- labelled facts


def _exit_text(value: Any, tr: Tr) -> str | None:
    if not isinstance(value, dict):
        return None
    if value.get("timed_out"):
        return tr("report.exit.timed_out")
    signal = value.get("signal")
    if signal:
        name = str(signal)
        return tr("report.exit.sigint") if name in ("SIGINT", "2") else \
            tr("report.exit.signal", signal=name)
    code = value.get("code")
    if code in (130, -2):
        return tr("report.exit.sigint")
    if code is None:
        return tr("report.exit.running")
    return tr("report.exit.code", code=code)


def _port_pair(value: Any, tr: Tr, asked_key: str) -> str | None:
    if isinstance(value, dict) and asked_key in value and "real" in value:
        return tr("report.ev.port_pair", asked=value[asked_key], real=value["real"])
    return None


def _plain(value: Any, tr: Tr) -> str:
    """A value in plain words: lists one per line, pairs as ``a: b``, no JSON braces."""
    if isinstance(value, str):
        return readable(value).text
    if isinstance(value, bool):
        return tr("report.yes") if value else tr("report.no")
    if isinstance(value, (int, float)) or value is None:
        return "—" if value is None else str(value).replace(".", tr("report.decimal_sep"))
    if isinstance(value, dict):
        return "\n".join(f"{_label_of(k, tr)}: {_plain_inline(v, tr)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        if not value:
            return tr("report.none")
        return "\n".join(_plain_inline(v, tr) for v in value)
    return str(value)


def _plain_inline(value: Any, tr: Tr) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(_plain_inline(v, tr) for v in value) or tr("report.none")
    if isinstance(value, dict):
        return "; ".join(f"{_label_of(k, tr)}: {_plain_inline(v, tr)}" for k, v in value.items())
    return _plain(value, tr)


def _label_of(key: str, tr: Tr) -> str:
    text = tr(f"report.ev.{key}")
    return key if text == f"report.ev.{key}" else text


def _fact(key: str, value: Any, tr: Tr) -> str | None:
    """The value of a labelled fact as text, or None to leave it out."""
    if key == "exit":
        return _exit_text(value, tr)
    if key == "bound":
        return _port_pair(value, tr, "asked")
    if key == "pinned":
        return _port_pair(value, tr, "port")
    if key == "fake_time" and isinstance(value, (int, float)):
        when = dt.datetime.fromtimestamp(float(value), dt.UTC)
        return f"{when:%Y-%m-%d %H:%M:%S} UTC ({value})"
    if key == "sent_by_student" and value == "—":
        return tr("report.ev.nothing_sent")
    return _plain(value, tr)


def evidence_blocks(evidence: dict[str, Any], lang: str, *, instructor: bool = True
                    ) -> list[EvidenceBlock]:
    """Known evidence keys rendered nicely, in a fixed order; the rest as labelled facts.

    ``instructor=False`` (the student's report) leaves out keys the catalogues have no label
    for: they are the harness's own bookkeeping, not something a student can act on.
    """

    def tr(key: str, **params: Any) -> str:
        return t(key, lang, **params) if has(key, lang) else key

    blocks: list[EvidenceBlock] = []
    used: set[str] = set()
    if "argv" in evidence:
        argv = evidence["argv"]
        text = shlex.join(["python", *map(str, argv)]) if isinstance(argv, list) \
            else _as_text(argv)
        blocks.append(EvidenceBlock("argv", tr("report.argv"), text=text))
        used.add("argv")
    if "stdin" in evidence:
        blocks.append(_output(tr("report.stdin"), evidence["stdin"], tr))
        used.add("stdin")
    if "exchanges" in evidence and (block := _exchanges(evidence["exchanges"], lang, tr)):
        blocks.append(block)
        used.add("exchanges")
    if "expected" in evidence:
        expected = readable(_as_text(evidence["expected"]))
        observed, label, source = _observed(evidence, _as_text(evidence["expected"]), lang, tr)
        kind = False if source == "stdout" else True if source is None else None
        seen = readable(observed, escaped=kind) if observed is not None else None
        blocks.append(EvidenceBlock("compare", data={
            "expected": expected.text, "expected_bytes": expected.is_bytes,
            "observed": None if seen is None else seen.text,
            "observed_bytes": bool(seen and seen.is_bytes),
            "observed_label": label,
            "observed_note": _cut_note(seen, tr) if seen else "",
            "raw_expected": expected.raw, "raw_observed": seen.raw if seen else ""}))
        used.add("expected")
        if source:
            used.add(source)
    if "drop" in evidence and (block := _drop(evidence["drop"], tr)):
        blocks.append(block)
        used.add("drop")
    for key, label in (("stdout", "report.stdout"), ("stderr", "report.stderr"),
                       ("traceback", "report.traceback_student")):
        if key in evidence and key not in used:
            blocks.append(_output(tr(label), evidence[key], tr))
            used.add(key)
    rows = []
    for key, value in evidence.items():
        if key in used:
            continue
        label_key = f"report.ev.{key}"
        if has(label_key, lang):
            fact = _fact(key, value, tr)
            if fact is not None:
                rows.append({"key": t(label_key, lang), "value": fact})
        elif instructor:
            rows.append({"key": key, "value": _as_text(value)})
    if rows:
        blocks.append(EvidenceBlock("table", tr("report.other_evidence"), rows=rows))
    return blocks
