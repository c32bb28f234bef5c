"""What containment this machine actually gives, detected, never assumed.

Levels, strongest first (``describe()`` joins what was obtained with ``+``):

- ``netns``: the grading run is in its own network namespace with only loopback up;
- ``pidns``: each student process is PID 1 of its own PID namespace;
- ``uid``: student code runs under a separate, unprivileged user id (one per submission), in a
  private mount namespace that hides the grading suite, the reference, the outputs and the
  other submissions (:mod:`harness.sandbox.mounts`); promised only after a throwaway child
  proved both (the uid reads the interpreter and its libraries, and sees the suite empty);
  ``uid(view not read-only)`` where the host's mounts could not be made read-only in it, and
  ``uid(no view)`` without mount namespaces;
- ``rlimits``: CPU, memory, file size and open files (POSIX); the process limit
  (``RLIMIT_NPROC``) counts every process of a user id and the kernel never applies it to
  root, so it is set only with ``uid``; without it the level says ``rlimits(no nproc)``.

Everything else (own session, whole-tree kill, capped output files, scrubbed environment,
private working copy) is always there and is not named.
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import secrets
import socket
import struct
import sys
from dataclasses import dataclass
from pathlib import Path

from harness.sandbox import mounts

CLONE_NEWNET = 0x40000000
CLONE_NEWPID = 0x20000000
CLONE_NEWUSER = 0x10000000
SIOCGIFFLAGS = 0x8913
SIOCSIFFLAGS = 0x8914
IFF_UP = 0x1
UID_BASE = 200_000
UID_SPAN = 800_000
PACKAGE = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Isolation:
    netns: bool = False
    pidns: bool = False
    uid: int | None = None
    rlimits: bool = False
    view: bool = True
    """With ``uid``: the student's private view of the file system was proven. Without it
    (root, but no mount namespaces, as in a default Docker container) the uid still gets
    the process limit and cannot write the grader's files, but can read what is readable
    by everyone (the suite in site-packages): the level says ``uid(no view)``."""
    readonly: bool = False
    """With the view: every mount of the host is read-only in it (proven like the view, see
    :func:`harness.sandbox.mounts.read_only`): nothing outside the student's box and its own
    temporary folders can be written, whatever a file's mode or ACL. Without it (a kernel
    older than 5.12) only the host's world-writable folders are kept from the student, found
    and covered one by one (as they are with it, for what others left in them): the level
    says ``uid(view not read-only)``."""

    def describe(self) -> str:
        rlimits = "rlimits" if self.uid is not None else "rlimits(no nproc)"
        uid = "uid(no view)" if not self.view else "uid" if self.readonly \
            else "uid(view not read-only)"
        parts = [name for name, on in (("netns", self.netns), ("pidns", self.pidns),
                                        (uid, self.uid is not None),
                                        (rlimits, self.rlimits)) if on]
        return "+".join(parts) or "none"

    @property
    def strict(self) -> bool:
        return self.netns and self.pidns and self.uid is not None and self.view and \
            self.rlimits


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def can_unshare(flags: int) -> bool:
    """Try ``unshare(flags)`` in a throwaway forked child (costs about a millisecond)."""
    if not sys.platform.startswith("linux"):
        return False
    pid = os.fork()
    if pid == 0:
        try:
            ok = _libc().unshare(flags) == 0
        finally:
            pass
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0


def enter_network_namespace() -> bool:
    """Move this process into a new network namespace with loopback up. Call it only in a
    process of its own (the grading runner), before any thread or socket exists.

    As root, just that. As any other user, where unprivileged user namespaces are allowed, a
    user namespace first, in which this user is root (mapped to itself outside, with no
    other user): its children may then create PID namespaces too (see :func:`can_unshare`),
    but there is no second user id to drop to, so no ``uid`` level."""
    if not sys.platform.startswith("linux"):
        return False
    if os.geteuid() == 0:
        if _libc().unshare(CLONE_NEWNET) != 0:
            return False
    elif not _enter_user_namespace(CLONE_NEWNET):
        return False
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        req = struct.pack("16sH", b"lo", 0)
        flags = struct.unpack("16sH", fcntl.ioctl(s.fileno(), SIOCGIFFLAGS, req))[1]
        fcntl.ioctl(s.fileno(), SIOCSIFFLAGS, struct.pack("16sH", b"lo", flags | IFF_UP))
    return True


def _enter_user_namespace(flags: int) -> bool:
    uid, gid = os.geteuid(), os.getegid()
    if _libc().unshare(CLONE_NEWUSER | flags) != 0:
        return False
    try:
        for name, text in (("setgroups", "deny"), ("uid_map", f"0 {uid} 1"),
                           ("gid_map", f"0 {gid} 1")):
            with open(f"/proc/self/{name}", "w", encoding="ascii") as f:
                f.write(text)
    except OSError:
        return False
    return True


def pick_uid(hidden: tuple[str, ...] = (), *, view: bool = True, readonly: bool = True
             ) -> tuple[int, bool, bool] | None:
    """A fresh unprivileged uid for one submission's student code, when running as root on
    Linux, whether it gets its private view, and whether that view is read-only outside its
    own folders: a throwaway child proved that, in a private mount namespace, under that
    uid, it reads the interpreter and its libraries and finds ``hidden`` (and this package)
    empty, and (``readonly``) that every mount it had before the view was mounted is
    read-only after. Without mount namespaces, the uid alone, when it can read the
    interpreter and its libraries as they are."""
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        return None
    uid = UID_BASE + secrets.randbelow(UID_SPAN)
    for ro in (True, False) if view and readonly else (False,) if view else ():
        plan = mounts.plan(keep=interpreter_paths(), hide=[str(PACKAGE), *hidden], uid=uid,
                           proc=False, readonly=ro)
        # what must look empty: the suite, and every folder the plan hides (a folder holding
        # the interpreter, such as a checkout holding its .tox, is hidden around it)
        if _proves(uid, plan, (str(PACKAGE), *plan["hide"])):
            return uid, True, ro
    return (uid, False, False) if _proves(uid, None, ()) else None


def _proves(uid: int, plan: mounts.Plan | None, hidden: tuple[str, ...]) -> bool:
    needed = (os.path.dirname(os.__file__), os.path.dirname(socket.__file__), *_site_dirs())
    pid = os.fork()
    if pid == 0:
        try:
            if plan is not None:
                mounts.enter()
                before = mounts.mount_ids()
                mounts.apply(plan)
                if plan.get("readonly") and not mounts.host_read_only(before):
                    os._exit(1)  # a mount of the host left writable (or no table to tell)
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            ok = all(os.access(p, os.R_OK | os.X_OK) for p in needed) and \
                not any(_sees(p) for p in hidden)
        except BaseException:
            ok = False
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0


def _sees(folder: str) -> bool:
    try:
        return bool(os.listdir(folder))
    except OSError:
        return False


def interpreter_paths() -> list[str]:
    """What a student process needs to read: the interpreter, its prefixes, its libraries."""
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
             os.path.realpath(sys.executable), os.path.dirname(os.__file__), *_site_dirs()}
    return sorted(p for p in paths if p and os.path.exists(p))


def _site_dirs() -> list[str]:
    import site

    return [d for d in site.getsitepackages() if os.path.isdir(d)]


def detect(*, netns: bool, want_uid: bool = True, want_view: bool = True,
           want_readonly: bool = True, hidden: tuple[str, ...] = ()) -> Isolation:
    """The level available to student processes started from this process."""
    try:
        import resource  # noqa: F401

        rlimits = True
    except ImportError:
        rlimits = False
    picked = pick_uid(hidden, view=want_view, readonly=want_readonly) if want_uid else None
    return Isolation(netns=netns, pidns=can_unshare(CLONE_NEWPID),
                     uid=picked[0] if picked else None, rlimits=rlimits,
                     view=picked[1] if picked else True,
                     readonly=picked[2] if picked else False)
