"""The listings behind the scan of the host's world-writable folders
(:func:`harness.sandbox.mounts.world_writable`), kept between grading commands.

The scan lists about three thousand folders (75 ms of CPU on the development machine, most
of it in the kernel), once per ``labgrade grade``: a tenth of the CPU of grading lab9. What
is kept is only which subfolders each folder had, with the folder's signature when it was
listed (:func:`harness.sandbox.mounts.signature`: device, inode, mode, modification and
change times). The next scan still looks at every folder (``lstat``: whether it is
world-writable is read afresh every time) and lists again each folder whose signature
differs: an entry added, removed or renamed changes the folder's modification and change
times, and ``utime``, which can put the first back, changes the second, which no user can
set. A folder changed just before the scan, and every folder of a file system that may not
keep its folders' times (network, FUSE), is listed at every scan (see
:func:`harness.sandbox.mounts.world_writable`). The answer is the one a full scan gives; the
cost is about a third of one.

The file is the grader's own: ``$LABGRADE_CACHE_DIR`` or ``$XDG_CACHE_HOME/labgrade``
(``~/.cache/labgrade``), a folder of the grader's user that no other user may write to, below
folders of that user or root only (or sticky ones), the file likewise (anything else is
ignored and left alone). ``LABGRADE_SCAN_CACHE=0`` lists
every folder every time and keeps nothing.
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
MAX_BYTES = 64 << 20
"""A larger file is not read (a machine's listings take about 0.3 MB)."""


def cache_dir() -> str | None:
    """Where the listings are kept, or ``None`` when keeping them is turned off or there is
    no absolute place for them (no home: nothing is written in the working folder)."""
    if os.environ.get(OFF_ENV, "1") == "0":
        return None
    chosen = os.environ.get(DIR_ENV)
    if chosen:
        return chosen if os.path.isabs(chosen) else None
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base = xdg if os.path.isabs(xdg) else os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "labgrade") if os.path.isabs(base) else None


def world_writable(folder: str | None = None, depth: int = mounts.SCAN_DEPTH) -> list[str]:
    """:func:`harness.sandbox.mounts.world_writable`, listing again only the folders that
    changed since the kept listings (``folder``: where they are kept, :func:`cache_dir` by
    default)."""
    folder = cache_dir() if folder is None else folder
    if not folder:
        return mounts.world_writable(depth)
    kept = _load(folder) or {}
    mine = dict(kept)
    found = mounts.world_writable(depth, mine)
    # writing the file changes its own folder (when the scan reaches it): that alone is no
    # reason to write it again at every grading
    changed = set() if mine == kept else \
        {p for p in mine.keys() | kept.keys() if mine.get(p) != kept.get(p)}
    if changed - {os.path.realpath(folder)}:
        _save(folder, {"version": VERSION, "listings": mine})
    return found


def _valid(listings: object) -> dict[str, Any] | None:
    """``listings`` as :func:`harness.sandbox.mounts.world_writable` takes them, or None."""
    if not isinstance(listings, dict):
        return None
    for path, entry in listings.items():
        if not (type(path) is str and type(entry) is list and len(entry) == 2
                and type(entry[0]) is list and list(map(type, entry[0])) == _SIGNATURE
                and _names(entry[1])):
            return None
    return listings


_SIGNATURE = [int] * 5
_NOT_NAMES = ("", ".", "..")


def _names(names: object) -> bool:
    """A list of names of entries of one folder: strings, none empty, ``.`` or ``..``, none
    with a ``/`` or a NUL (checked on the names joined by NULs: one per gap)."""
    if type(names) is not list:
        return False
    try:
        joined = "\0".join(names)
    except TypeError:  # not all strings
        return False
    return not names or ("/" not in joined and joined.count("\0") == len(names) - 1
                         and not any(n in names for n in _NOT_NAMES))


def _ours(st: os.stat_result) -> bool:
    """Owned by the grader's user and writable by no other."""
    return st.st_uid == os.geteuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _trusted_above(folder: str) -> bool:
    """Every folder above ``folder`` that exists is the grader's user's or root's, and one
    that others may write to is sticky (``/tmp``): no other user can put the kept listings
    elsewhere or swap in a folder of theirs (a home that is not the grader's, as after
    ``sudo -E``, is not used)."""
    path = os.path.dirname(folder)
    while True:
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            st = None
        except OSError:
            return False
        if st is not None:
            if st.st_uid not in (0, os.geteuid()):
                return False
            if stat.S_ISLNK(st.st_mode):
                real = os.path.realpath(path)
                if os.path.islink(real):  # a loop, or a link to nowhere
                    return False
                path = real
                continue
            if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH) and not st.st_mode & stat.S_ISVTX:
                return False
        parent = os.path.dirname(path)
        if parent == path:
            return True
        path = parent


def _load(folder: str) -> dict[str, Any] | None:
    try:
        if not _trusted_above(folder):
            return None
        st = os.lstat(folder)
        if not _ours(st) or not stat.S_ISDIR(st.st_mode):
            return None
        fd = os.open(os.path.join(folder, FILE), os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not _ours(st) or not stat.S_ISREG(st.st_mode) or st.st_size > MAX_BYTES:
            return None
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = json.loads(f.read())
        if not isinstance(data, dict) or data.get("version") != VERSION:
            return None
        return _valid(data.get("listings"))
    except (OSError, ValueError, RecursionError):
        return None
    finally:
        os.close(fd)


def _save(folder: str, data: dict[str, Any]) -> None:
    """Written whole under another name, then renamed over the old one: a grading that
    reads it meanwhile (another command, another test worker) reads one or the other."""
    tmp = None
    try:
        if not _trusted_above(folder):
            return
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
