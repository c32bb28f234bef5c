"""Every text a student reads comes from the catalogues; both languages say the same things."""

from __future__ import annotations

import ast
import string
from pathlib import Path

from harness.i18n import catalogue, messages, t
from harness.packs import builtin

CHECKS = Path(__file__).resolve().parents[1] / "harness" / "checks"


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_same_keys_and_same_fields_in_every_language() -> None:
    es, en = catalogue("es"), catalogue("en")
    assert es.keys() == en.keys()
    assert {k for k in es if fields(es[k]) != fields(en[k])} == set()
    for pack in builtin():  # the built-in packs' catalogues, the checks' messages
        es, en = pack.messages["es"], pack.messages["en"]
        assert es.keys() == en.keys(), pack.name
        assert {k for k in es if fields(es[k]) != fields(en[k])} == set(), pack.name


def test_the_checks_messages_are_their_packs_not_labgrade_s() -> None:
    """The built-in packs own their checks' messages (a copy of a pack takes them along);
    labgrade's catalogues keep the report's and the core's."""
    own = set(catalogue("es"))
    for pack in builtin():
        assert len(pack.messages["es"]) > 50
        assert set(pack.messages["es"]) & own == set()
        assert all(k.startswith((f"{pack.name}.", f"task.{pack.name}.", f"check.{pack.name}."))
                   for k in pack.messages["es"])
        assert {f"check.{c}" for c in pack.check_ids()} <= set(pack.messages["en"])


def used_keys() -> set[str]:
    """Message keys passed to probe.fail/probe.expect/CheckFailed/skip/say in the built-in
    packs' checks and the API's machinery."""
    keys = set()
    for path in CHECKS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            pos = {"fail": 0, "CheckFailed": 0, "expect": 1, "crashed_or": 0, "skip": 0,
                   "say": 0}.get(name)
            if pos is not None and len(node.args) > pos:
                arg = node.args[pos]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    keys.add(arg.value)
    return keys


def test_every_message_key_used_by_a_check_exists() -> None:
    keys = used_keys()
    assert len(keys) > 30
    assert keys - messages("es").keys() == set()
    assert keys - messages("en").keys() == set()


def test_evidence_texts_follow_the_report_language() -> None:
    """Evidence prose is a catalogue key until the engine renders it in the run's language."""
    from harness.engine import grade
    from tests.conftest import REFERENCE

    for lang in ("es", "en"):
        result = grade(REFERENCE, only=["lab9.head_client.well_formed"], lang=lang)
        (check,) = result.checks
        assert check.evidence["expected"] == t("lab9.evidence.well_formed_request", lang)


def test_an_empty_value_in_a_message_is_named_in_words() -> None:
    """A client that printed nothing is told so, not "la salida termina con ."."""
    from harness.engine import _message

    outcome = {"id": "lab9.tcp_client.prints_reply", "status": "failed",
               "key": "lab9.client.reply_not_printed",
               "params": {"expected": "Resp: hola", "got": ""}}
    es, en = _message(outcome, "es"), _message(outcome, "en")
    assert es.endswith("la salida termina con (nada: vacía)."), es
    assert en.endswith("the output ends with (nothing: empty)."), en
    outcome["params"]["got"] = "Resp"
    assert _message(outcome, "es").endswith("la salida termina con Resp.")
