"""Combine the output folders of several batch shards into one class page and gradebook.

Each input is a folder written by ``labgrade batch --shard I/N``. The shards must have been
graded alike (same harness version, rubric, language, selection of checks) and must together
be every slice 1..N exactly once; otherwise the merge refuses and says which input differs,
since a class page that silently lacks a slice, or mixes rubrics, is worse than none.
The submissions' folders are copied into the output, so its links work on their own.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from harness.batch import (
    SUBMISSIONS_DIR,
    BatchResult,
    Entry,
    entry_from_dict,
    read_manifest,
    write_class_outputs,
)
from harness.errors import UsageError
from harness.results import SubmissionResult, read_json

MUST_AGREE = ("harness_version", "rubric_sha256", "lang", "only")


def merge(inputs: list[Path], *, out: Path, formats: list[str] | None = None) -> BatchResult:
    """Merge the batch folders ``inputs`` into ``out`` (which may be one of them)."""
    if not inputs:
        raise UsageError("nothing to merge: give the output folders of labgrade batch")
    bad = [f for f in formats or [] if f not in ("junit", "github")]
    if bad:
        raise UsageError(f"invalid --format {','.join(bad)} for merge; choose from junit, github")
    manifests = [(folder, read_manifest(folder)) for folder in inputs]
    first_folder, first = manifests[0]
    assert first is not None
    for folder, data in manifests[1:]:
        assert data is not None
        for key in MUST_AGREE:
            if data["settings"].get(key) != first["settings"].get(key):
                raise UsageError(
                    f"cannot merge {folder} with {first_folder}: they were graded with a "
                    f"different {key} ({data['settings'].get(key)!r} vs "
                    f"{first['settings'].get(key)!r}); regrade them alike")
    _check_shards([(folder, data["settings"].get("shard")) for folder, data in manifests
                   if data is not None])
    out.mkdir(parents=True, exist_ok=True)
    entries: list[Entry] = []
    results: dict[str, SubmissionResult] = {}
    seen: dict[str, Path] = {}
    for folder, data in manifests:
        assert data is not None
        for raw in data["entries"]:
            entry = entry_from_dict(raw)
            if entry.name in seen:
                raise UsageError(f"submission {entry.name!r} is in both {seen[entry.name]} and "
                                 f"{folder}: each must be graded by one shard only")
            seen[entry.name] = folder
            if entry.status == "graded":
                results[entry.name] = _copy(folder, out, entry.name)
            entries.append(entry)
    settings: dict[str, Any] = {k: first["settings"].get(k) for k in MUST_AGREE}
    settings.update(rubric=first["settings"].get("rubric"), shard=None,
                    timeout=first["settings"].get("timeout"),
                    isolation=first["settings"].get("isolation"),
                    merged_from=[str(folder) for folder, _ in manifests])
    batch = BatchResult(out=out, entries=sorted(entries, key=lambda e: e.name),
                        results=results, settings=settings)
    write_class_outputs(batch, formats=formats)
    return batch


def _check_shards(shards: list[tuple[Path, str | None]]) -> None:
    """Every slice 1..N once, or a single unsharded folder."""
    labels = [label for _, label in shards]
    if all(label is None for label in labels):
        if len(shards) > 1:
            raise UsageError("cannot merge several unsharded batch folders: each graded the "
                             "whole class; grade with --shard I/N to split a class")
        return
    if any(label is None for label in labels):
        whole = next(folder for folder, label in shards if label is None)
        raise UsageError(f"cannot merge {whole} (a whole class) with shards")
    counts = {int(label.split("/")[1]) for label in labels if label}
    if len(counts) != 1:
        raise UsageError(f"cannot merge shards of different splits: {', '.join(map(str, labels))}")
    n = counts.pop()
    got = sorted(int(label.split("/")[0]) for label in labels if label)
    missing = sorted(set(range(1, n + 1)) - set(got))
    if missing or len(got) != len(set(got)):
        raise UsageError(f"shards to merge: got {', '.join(map(str, labels))}; need each of "
                         f"1/{n} .. {n}/{n} exactly once"
                         + (f" (missing {', '.join(f'{i}/{n}' for i in missing)})"
                            if missing else ""))


def _copy(folder: Path, out: Path, name: str) -> SubmissionResult:
    src = folder / SUBMISSIONS_DIR / name
    try:
        result = read_json(src / "results.json")
    except (OSError, ValueError, TypeError) as exc:
        raise UsageError(f"cannot read {src / 'results.json'}: {exc}; regrade that shard") \
            from exc
    dest = out / SUBMISSIONS_DIR / name
    if src.resolve() != dest.resolve():
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(src, dest)
    return result
