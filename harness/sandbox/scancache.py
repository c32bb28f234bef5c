"""The host's world-writable folders (:func:`harness.sandbox.mounts.world_writable`), kept
between grading commands and proven still true before each use.

The scan lists about three thousand folders (75 ms of CPU on the development machine, most
of it in the kernel), once per ``labgrade grade``: a tenth of the CPU of grading lab9. What
the answer rests on is small and cheap to look at again: the mount table's rows it scanned,
and the ``lstat`` of each folder it looked at (:func:`harness.sandbox.mounts.signature`:
device, inode, mode, modification and change times). A folder made world-writable since
changed its change time; a folder created, removed or renamed since changed its parent's
modification and change times; a file system mounted or unmounted changed the mount table.
So the kept answer is used only when every one of those is exactly as it was (about 4,600
``lstat`` calls, a quarter of the scan's cost), and the host is scanned again otherwise, or
when a folder could not be listed during the scan.

The file is the grader's own: ``$LABGRADE_CACHE_DIR`` or ``$XDG_CACHE_HOME/labgrade``
(``~/.cache/labgrade``), a folder of the grader's user that no other user may write to, the
file likewise (anything else is ignored and left alone). ``LABGRADE_SCAN_CACHE=0`` scans
every time and keeps nothing.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
from typing import Any

from harness.sandbox import mounts

VERSION = 1
FILE = "world-writable.json"
DIR_ENV = "LABGRADE_CACHE_DIR"
OFF_ENV = "LABGRADE_SCAN_CACHE"


def cache_dir() -> str | None:
    """Where the scan is kept, or ``None`` when keeping it is turned off."""
    if os.environ.get(OFF_ENV, "1") == "0":
        return None
    chosen = os.environ.get(DIR_ENV)
    if chosen:
        return chosen
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "labgrade")


def world_writable(folder: str | None = None, depth: int = mounts.SCAN_DEPTH) -> list[str]:
    """:func:`harness.sandbox.mounts.world_writable`, from the kept scan when nothing it
    rests on has changed (``folder``: where it is kept, :func:`cache_dir` by default)."""
    folder = cache_dir() if folder is None else folder
    key = [VERSION, os.geteuid(), depth, mounts.writable_mounts()]
    if folder:
        kept = _load(folder)
        if kept is not None and kept.get("key") == key and _still(kept.get("seen")):
            found = kept.get("found")
            if isinstance(found, list) and all(isinstance(p, str) for p in found):
                return found
    seen: dict[str, Any] = {}
    found = mounts.world_writable(depth, seen)
    # a folder that could not be listed, or a mount that came or went during the scan: the
    # answer rests on more than the signatures show, so it is not kept
    if folder and "" not in seen and key[3] == mounts.writable_mounts():
        _save(folder, {"key": key, "found": found, "seen": seen})
    return found


def _still(seen: object) -> bool:
    """Every folder the kept scan looked at is exactly as it was then."""
    if not isinstance(seen, dict) or not seen:
        return False
    for path, was in seen.items():
        try:
            now: list[int] | None = mounts.signature(os.lstat(path))
        except OSError:
            now = None
        if now != was:
            return False
    return True


def _ours(st: os.stat_result) -> bool:
    """Owned by the grader's user and writable by no other."""
    return st.st_uid == os.geteuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _load(folder: str) -> dict[str, Any] | None:
    try:
        if not _ours(os.lstat(folder)) or not stat.S_ISDIR(os.lstat(folder).st_mode):
            return None
        fd = os.open(os.path.join(folder, FILE), os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not _ours(st) or not stat.S_ISREG(st.st_mode):
            return None
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = json.loads(f.read())
        return data if isinstance(data, dict) else None
    except (OSError, ValueError):
        return None
    finally:
        os.close(fd)


def _save(folder: str, data: dict[str, Any]) -> None:
    """Written whole under another name, then renamed over the old one: a grading that
    reads it meanwhile (another command, another test worker) reads one or the other."""
    tmp = None
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        st = os.lstat(folder)
        if not stat.S_ISDIR(st.st_mode) or not _ours(st):
            return
        fd, tmp = tempfile.mkstemp(prefix=".world-writable.", dir=folder)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, separators=(",", ":"))
        os.replace(tmp, os.path.join(folder, FILE))
        tmp = None
    except OSError:
        pass
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
