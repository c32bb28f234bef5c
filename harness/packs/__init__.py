"""Course packs: exercises an instructor writes, graded like the built-in ones.

A pack is a folder (see :mod:`harness.packs.model` for its layout). ``labgrade grade|check|
batch --course DIR`` grades with it; ``labgrade course new DIR`` writes a starting pack;
``labgrade course test DIR`` proves it both ways and lints it (:mod:`harness.packs.course`).
Checks are written on :mod:`harness.api` or declared in TOML
(:mod:`harness.packs.declarative`).

Laboratorio 9 and the Unidad 5 recipes are packs too, shipped in ``harness/checks/lab9`` and
``harness/checks/recipes`` (:func:`builtin`): grading without ``--course`` uses them, with the
limits of ``harness/rubric.toml`` (:func:`builtin_rubric`); ``--course DIR`` grades with the
packs given instead.

This module is what the engine and the batch call: the rubric of a set of packs, the file of
each task, the configuration of the grading run, and the catalogues.
"""

from __future__ import annotations

import functools
import hashlib
import tomllib
from pathlib import Path
from typing import Any

from harness import i18n
from harness.errors import UsageError
from harness.packs.model import Pack, PackError, load, load_all
from harness.rubric import CheckRule, Rubric, parse

__all__ = ["Pack", "PackError", "builtin", "builtin_rubric", "courses", "load", "load_all",
           "rubric"]


def builtin() -> list[Pack]:
    """The built-in packs (``lab9``, ``recipes``), loaded once; their messages are always in
    the catalogues (:mod:`harness.i18n`)."""
    return list(_builtin())


@functools.cache
def _builtin() -> tuple[Pack, ...]:
    from harness.checks import builtin_roots

    return tuple(load_all(builtin_roots()))


def builtin_rubric() -> Rubric:
    """The default rubric: the built-in packs' points and visibility, with the limits of
    ``harness/rubric.toml``."""
    from harness.rubric import shipped

    limits = shipped()
    points = rubric(builtin())
    digest = hashlib.sha256((limits.sha256 + points.sha256).encode()).hexdigest()
    source = ", ".join([*(f"harness/checks/{p.root.name}/pack.toml" for p in builtin()),
                        limits.source])
    return Rubric(checks=points.checks, limits=limits.limits, source=source, sha256=digest)


def check_module(packs: list[Pack], task: str) -> Path | None:
    """The check module of ``task`` when it has one of its own (``checks/test_<task>.py`` of
    its pack), else None."""
    for p in packs:
        if task in p.tasks:
            path = p.root / "checks" / f"test_{task.split('.', 1)[1]}.py"
            return path if path in p.check_files else None
    return None


def courses(roots: list[Path] | None) -> list[Pack]:
    """Load the packs of ``--course`` (none: ``[]``) and add their messages to the
    catalogues; a pack whose keys would replace the harness's or another pack's is refused."""
    packs = load_all(list(roots or []))
    for p in packs:
        for lang, messages in p.messages.items():
            try:
                i18n.add_messages(lang, messages, owner=p.name)
            except ValueError as exc:
                raise PackError(f"course pack {p.root}: i18n/{lang}.json: {exc}") from exc
    return packs


def rubric(packs: list[Pack], overlay: Path | None = None) -> Rubric:
    """The packs' points, visibility and limits (pack.toml), then ``overlay`` (a ``--rubric``
    file: its ``[checks]`` change points of pack checks, each limit of its ``[limits]``
    replaces the packs')."""
    checks = {f"{t.id}.{c}": CheckRule(points=p.points, visibility=p.visibility)
              for pack in packs for t in pack.tasks.values() for c, p in t.points.items()}
    digest = hashlib.sha256("".join(p.sha256 for p in packs).encode())
    merged: dict[str, Any] = {}
    for pack in packs:  # several packs: each limit is the most generous one asked for
        for key, value in pack.limits.items():
            merged[key] = max(merged.get(key, value), value)
    source = ", ".join(str(p.root / "pack.toml") for p in packs)
    if overlay is not None:
        try:
            text = overlay.read_text(encoding="utf-8")
            data = tomllib.loads(text)
            extra = parse(data, where=str(overlay))
        except OSError as exc:
            raise UsageError(f"cannot read rubric {overlay}: {exc.strerror}; pass an existing "
                             "TOML file with --rubric") from exc
        except tomllib.TOMLDecodeError as exc:
            raise UsageError(f"invalid rubric {overlay}: {exc}") from exc
        unknown = [c for c in extra.checks if c not in checks]
        if unknown:
            raise UsageError(f"rubric {overlay} names checks that the course packs do not "
                             f"have: {', '.join(unknown[:5])}")
        checks.update(extra.checks)
        merged.update(data.get("limits") or {})
        digest.update(text.encode())
        source += f", {overlay}"
    limits = parse({"limits": merged}, where=source).limits
    return Rubric(checks=checks, limits=limits, source=source, sha256=digest.hexdigest())


def task_files(packs: list[Pack]) -> dict[str, str]:
    """Task id -> the student's file, for every task of the packs."""
    return {t.id: t.file for p in packs for t in p.tasks.values()}


def run_config(packs: list[Pack]) -> dict[str, Any]:
    """What the grading run needs: the packs' roots and names, their check files, the task
    files."""
    return {"courses": {str(p.root): p.name for p in packs},
            "course_files": [str(f) for p in packs for f in p.check_files],
            "task_files": task_files(packs)}
