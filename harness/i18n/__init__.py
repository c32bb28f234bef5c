"""Message catalogues: every text a student reads, in Spanish (default) and English.

Catalogues live in ``harness/i18n/<lang>/*.json`` (flat ``key -> text`` objects, merged per
language): labgrade's own texts (the report, the command line, the core messages). The
messages of the checks are their course pack's (``<pack>/i18n/<lang>.json``): the built-in
packs' (``harness/checks/lab9``, ``harness/checks/recipes``) are always there, a course pack's
are added when it is loaded. Every language has exactly the same keys; a test enforces it.
Texts use ``str.format`` fields: ``t("check.refused", "en", port=80)``.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

LANGS = ("es", "en")
DEFAULT_LANG = "es"


@cache
def catalogue(lang: str) -> dict[str, str]:
    """All keys of one language, merged from every JSON file of its folder."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(LANGS)}")
    merged: dict[str, str] = {}
    folder = resources.files(__package__).joinpath(lang)
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".json"):
            continue
        data = json.loads(entry.read_text(encoding="utf-8"))
        for key, text in data.items():
            if key in merged:
                raise ValueError(f"i18n: key {key!r} defined twice in {lang}/ "
                                 f"(again in {entry.name})")
            merged[key] = text
    return merged


_PACKS: dict[str, dict[str, str]] = {lang: {} for lang in LANGS}
"""Messages of the course packs: the built-in ones, and those ``harness.packs.courses``
adds."""
_OWNERS: dict[tuple[str, str], str] = {}
_BUILTIN: list[bool] = []


def _packs(lang: str) -> dict[str, str]:
    """The packs' messages in ``lang``, the built-in packs' read on first use."""
    if not _BUILTIN:
        _BUILTIN.append(True)
        from harness.checks import builtin_roots

        for root in builtin_roots():
            for code in LANGS:
                path = root / "i18n" / f"{code}.json"
                add_messages(code, json.loads(path.read_text(encoding="utf-8")),
                             owner=root.name)
    return _PACKS[lang]


def add_messages(lang: str, messages: dict[str, str], *, owner: str) -> None:
    """Add the catalogue of the course pack ``owner`` (its name: loading it again, or a pack
    of the same name as a built-in one, replaces its texts); a key of the harness, or of
    another pack, raises ``ValueError``."""
    base, extra = catalogue(lang), _packs(lang)
    for key in messages:
        if key in base or _OWNERS.get((lang, key), owner) != owner:
            raise ValueError(f"key {key!r} is already defined (by labgrade or another pack); "
                             "start a pack's keys with its name")
    extra.update(messages)
    _OWNERS.update({(lang, key): owner for key in messages})


def messages(lang: str) -> dict[str, str]:
    """Every key of ``lang``: labgrade's and the packs' (built-in and loaded)."""
    return {**catalogue(lang), **_packs(lang)}


def t(key: str, lang: str = DEFAULT_LANG, /, **params: Any) -> str:
    """The text of ``key`` in ``lang``, formatted with ``params``.

    A missing key is a harness bug; it raises ``KeyError`` so tests catch it.
    """
    cat = catalogue(lang)
    text = cat[key] if key in cat else _packs(lang)[key]
    return text.format(**params) if params else text


def has(key: str, lang: str = DEFAULT_LANG) -> bool:
    return key in catalogue(lang) or (lang in LANGS and key in _packs(lang))
