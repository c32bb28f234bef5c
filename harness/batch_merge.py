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
from harness.errors import Text, UsageError
from harness.results import SubmissionResult, read_json

MUST_AGREE = ("harness_version", "rubric_sha256", "lang", "only")


def merge(inputs: list[Path], *, out: Path, formats: list[str] | None = None) -> BatchResult:
    """Merge the batch folders ``inputs`` into ``out`` (which may be one of them)."""
    if not inputs:
        raise UsageError(key="usage.merge.nothing")
    bad = [f for f in formats or [] if f not in ("junit", "github")]
    if bad:
        raise UsageError(key="usage.format", bad=",".join(bad), choices="junit, github")
    manifests = [(folder, read_manifest(folder)) for folder in inputs]
    first_folder, first = manifests[0]
    assert first is not None
    for folder, data in manifests[1:]:
        assert data is not None
        for key in MUST_AGREE:
            if data["settings"].get(key) != first["settings"].get(key):
                raise UsageError(key="usage.merge.differ", folder=str(folder),
                                 first=str(first_folder), setting=key,
                                 value=repr(data["settings"].get(key)),
                                 first_value=repr(first["settings"].get(key)))
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
                raise UsageError(key="usage.merge.twice", name=repr(entry.name),
                                 first=str(seen[entry.name]), folder=str(folder))
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
            raise UsageError(key="usage.merge.unsharded")
        return
    if any(label is None for label in labels):
        whole = next(folder for folder, label in shards if label is None)
        raise UsageError(key="usage.merge.whole", folder=str(whole))
    counts = {int(label.split("/")[1]) for label in labels if label}
    if len(counts) != 1:
        raise UsageError(key="usage.merge.splits", shards=", ".join(map(str, labels)))
    n = counts.pop()
    got = sorted(int(label.split("/")[0]) for label in labels if label)
    missing = sorted(set(range(1, n + 1)) - set(got))
    if missing or len(got) != len(set(got)):
        raise UsageError(key="usage.merge.shards", shards=", ".join(map(str, labels)), n=n,
                         missing=Text("usage.merge.missing",
                                      {"shards": ", ".join(f"{i}/{n}" for i in missing)})
                         if missing else "")


def _copy(folder: Path, out: Path, name: str) -> SubmissionResult:
    src = folder / SUBMISSIONS_DIR / name
    try:
        result = read_json(src / "results.json")
    except (OSError, ValueError, TypeError) as exc:
        raise UsageError(key="usage.merge.unreadable", path=str(src / "results.json"),
                         error=str(exc)) from exc
    dest = out / SUBMISSIONS_DIR / name
    if src.resolve() != dest.resolve():
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(src, dest)
    return result
