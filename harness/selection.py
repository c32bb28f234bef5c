"""The one rule for ``--only``: which checks and tasks a run grades.

``--only P`` (repeatable) selects every check whose id *starts with* ``P``, read on dotted
segments: every complete segment of ``P`` must equal the id's segment at that place, and the
last segment of ``P`` must begin the id's segment there. So::

    --only lab9                  every check of lab9
    --only lab9.udp              lab9.udp_server, lab9.udp_client, lab9.udp_time_server
    --only lab9.tcp_server       the checks of that task
    --only lab9.tcp_server.echo  lab9.tcp_server.echo_prefix

A value that selects no check of the rubric is a usage error (exit 2), never a 0/0 grade.
The engine, the grading run, the batch cache and the exports all use this module.
"""

from __future__ import annotations

from collections.abc import Iterable

from harness.errors import UsageError


def matches(check_id: str, prefix: str) -> bool:
    """``check_id`` starts with ``prefix``, segment by segment (see the module docstring)."""
    want = prefix.strip().split(".")
    have = check_id.split(".")
    if not prefix.strip() or len(want) > len(have):
        return False
    *whole, last = want
    return have[:len(whole)] == whole and have[len(whole)].startswith(last)


def check_selected(check_id: str, only: Iterable[str] | None) -> bool:
    """The check is graded by a run with ``only`` (no ``only``: every check)."""
    values = list(only or [])
    return not values or any(matches(check_id, p) for p in values)


def task_selected(task: str, only: Iterable[str] | None) -> bool:
    """Some check of ``task`` may be selected: the task id starts with a value, or a value
    names checks inside the task (``lab9.tcp_server.echo``)."""
    values = list(only or [])
    return not values or any(matches(task, p) or p.strip().startswith(task + ".")
                             for p in values)


def validate(only: Iterable[str] | None, check_ids: Iterable[str], *,
             where: str = "--only") -> None:
    """Raise :class:`UsageError` for a value that selects none of ``check_ids``."""
    ids = list(check_ids)
    for value in only or []:
        if not any(matches(c, value) for c in ids):
            groups = sorted({c.split(".")[0] for c in ids})
            raise UsageError(f"invalid {where} {value!r}: it selects no check (a check id "
                             f"starts with it, segment by segment); groups here: "
                             f"{', '.join(groups) or '—'}; e.g. --only "
                             f"{groups[0] if groups else 'lab9'}")
