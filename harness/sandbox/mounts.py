"""The student's view of the file system: a private mount namespace (Linux, as root).

Standard library only: the launcher loads this file by path, as root, before it drops to the
student's user id, and :mod:`harness.sandbox.isolation` uses it to prove that the view works
before it promises the ``uid`` level. The parent computes a :func:`plan` (plain JSON); the
child :func:`enter`\\ s a mount namespace of its own and :func:`apply`\\ s it. Nothing of it
reaches the machine's own mounts, and it all vanishes with the student's last process.

- ``cover``: folders replaced by a fresh, small tmpfs in which only the kept paths reappear
  (bind mounts): ``/tmp``, ``/var/tmp`` and ``/dev/shm`` (so other submissions' copies, the
  grader's temporary files and whatever the student writes there are out of sight and gone
  afterwards), and every folder the student's uid could not traverse on the way to a kept
  path (``/root`` holding a pyenv Python, a checkout under a private home);
- ``keep``: what the student needs: the interpreter and its libraries, and the run's box
  (its private copy of the submission and its home);
- ``hide``: folders replaced by an empty read-only tmpfs: the grading suite, the reference,
  the output folders, the folder that holds the submissions (a hidden folder that holds a
  kept path, such as a checkout holding its ``.tox``, is hidden around it, subfolder by
  subfolder);
- ``proc``: a fresh ``/proc`` (inside a PID namespace it shows only the student's processes).
"""

from __future__ import annotations

import ctypes
import os
import stat
from typing import Any

CLONE_NEWNS = 0x00020000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 0x1, 0x2, 0x4, 0x8
MS_BIND, MS_REC, MS_PRIVATE = 0x1000, 0x4000, 0x40000
TMP_DIRS = ("/tmp", "/var/tmp", "/dev/shm")
COVER_SIZE = "16m"
Plan = dict[str, Any]


def _libc() -> Any:
    return ctypes.CDLL(None, use_errno=True)


def _enc(text: str | None) -> bytes | None:
    return text.encode() if text is not None else None


def _mount(source: str | None, target: str, fstype: str | None, flags: int,
           data: str | None = None) -> None:
    if _libc().mount(_enc(source), _enc(target), _enc(fstype), flags, _enc(data)) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount {fstype or 'bind'} on {target}: {os.strerror(err)}")


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _outermost(paths: list[str]) -> list[str]:
    """The paths that are not inside another one of them, sorted."""
    unique = sorted(set(paths))
    return [p for p in unique if not any(q != p and _within(p, q) for q in unique)]


def _may(st: os.stat_result, uid: int, bits: int) -> bool:
    """Whether ``uid`` (its group has the same number, no other groups) has ``bits``."""
    if st.st_uid == uid:
        mode = st.st_mode >> 6
    elif st.st_gid == uid:
        mode = st.st_mode >> 3
    else:
        mode = st.st_mode
    return mode & bits == bits


def _blocked_ancestor(path: str, uid: int) -> str | None:
    """The outermost folder above ``path`` that ``uid`` cannot traverse, if any."""
    parts = path.strip("/").split("/")
    for i in range(1, len(parts)):
        folder = "/" + "/".join(parts[:i])
        try:
            if not _may(os.stat(folder), uid, 0o1):
                return folder
        except OSError:
            return None
    return None


def plan(*, keep: list[str], hide: list[str], uid: int, proc: bool) -> Plan:
    """The mounts that give ``uid`` the kept paths and nothing of the hidden ones."""
    kept = _outermost([os.path.realpath(p) for p in keep if os.path.exists(p)])
    covers = [os.path.realpath(t) for t in TMP_DIRS if os.path.isdir(t)]
    covers += [a for a in (_blocked_ancestor(k, uid) for k in kept) if a]
    covers = [c for c in _outermost(covers) if not any(_within(c, k) for k in kept)]
    hidden = []
    for h in _around(sorted({os.path.realpath(p) for p in hide if os.path.isdir(p)}), kept):
        if any(_within(h, c) for c in covers) and not any(_within(h, k) for k in kept):
            continue  # already out of sight under a cover
        hidden.append(h)
    return {"cover": [{"path": c, "keep": [k for k in kept if _within(k, c)]} for c in covers],
            "hide": _outermost(hidden), "proc": proc}


def _around(folders: list[str], kept: list[str], depth: int = 4) -> list[str]:
    """``folders``, except that one holding a kept path (a checkout holding its ``.tox``) is
    replaced by its subfolders that hold none (its ``.git``, ``reference``, ...), level by
    level down to the kept path."""
    out = []
    for folder in folders:
        if not any(_within(k, folder) for k in kept):
            out.append(folder)
        elif folder != "/" and depth > 0 and not any(k == folder for k in kept):
            try:
                children = sorted(os.path.join(folder, n) for n in os.listdir(folder))
            except OSError:
                continue
            subdirs = [c for c in children if os.path.isdir(c) and not os.path.islink(c)]
            out += _around(subdirs, kept, depth - 1)
    return out


def enter() -> None:
    """A private mount namespace for this process: nothing mounted here propagates out."""
    if _libc().unshare(CLONE_NEWNS) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"unshare(CLONE_NEWNS): {os.strerror(err)}")
    _mount(None, "/", None, MS_REC | MS_PRIVATE)


def apply(view: Plan) -> None:
    """Mount ``view`` (from :func:`plan`) in the current mount namespace, as root."""
    old = os.umask(0o022)
    try:
        for cover in view["cover"]:
            _cover(cover["path"], cover["keep"])
        for folder in view["hide"]:
            _mount("tmpfs", folder, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                   "mode=0555,size=4k")
    finally:
        os.umask(old)
    if view.get("proc"):
        try:
            _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
        except OSError:
            pass  # defence in depth only: the host's /proc stays (names of processes)


def _cover(folder: str, keep: list[str]) -> None:
    # O_PATH handles reach the kept paths after the tmpfs hides them: bind from /proc/self/fd
    handles = [(k, os.open(k, os.O_PATH | os.O_CLOEXEC)) for k in keep]
    try:
        mode = "1777" if folder in TMP_DIRS else "0755"
        _mount("tmpfs", folder, "tmpfs", MS_NOSUID | MS_NODEV,
               f"mode={mode},size={COVER_SIZE}")
        for path, fd in handles:
            if stat.S_ISDIR(os.fstat(fd).st_mode):
                os.makedirs(path, exist_ok=True)
            else:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o644))
            _mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC)
    finally:
        for _, fd in handles:
            os.close(fd)
