"""The built-in course packs, and the machinery behind the public check API.

``lab9/`` (Laboratorio 9) and ``recipes/`` (the Unidad 5 recipes) are course packs like an
instructor's (:mod:`harness.packs.model`): a ``pack.toml`` with the tasks and their points, the
checks in ``checks/`` written on :mod:`harness.api` only, the messages in ``i18n/``, and the
mutants in ``mutants/``; their reference and template are labgrade's own ``reference/`` and
``student_template/``. Grading without ``--course`` uses them. Copy one to start a pack.

``student.py`` and ``support.py`` are internal: the fixtures' machinery that
:mod:`harness.api` re-exports (a check imports it from there, never from here).
"""

from __future__ import annotations

from pathlib import Path

BUILTIN = ("lab9", "recipes")
"""The built-in packs, in grading order."""


def builtin_roots() -> list[Path]:
    """The folders of the built-in packs."""
    here = Path(__file__).resolve().parent
    return [here / name for name in BUILTIN]
