"""The student's view of the file system: a private mount namespace (Linux, as root).

Standard library only: the launcher loads this file by path, as root, before it drops to the
student's user id, and :mod:`harness.sandbox.isolation` uses it to prove that the view works
before it promises the ``uid`` level. The parent computes a :func:`plan` (plain JSON); the
child :func:`enter`\\ s a mount namespace of its own and :func:`apply`\\ s it. Nothing of it
reaches the machine's own mounts, and it all vanishes with the student's last process.

- ``box``: the run's box (its private copy of the submission, its home and temporary folder)
  is a fresh tmpfs of a bounded size (the ``disk_mb`` limit on top of the copy), ``nosuid``
  and ``nodev``, filled from the grader's copy before the student's uid takes it over: what
  a student writes anywhere lives there and vanishes with its last process;
- ``readonly``: every mount of the host, recursively, made read-only in the student's
  namespace before anything of the view is mounted (``mount_setattr``, Linux 5.12+, see
  :func:`read_only`): no folder of the host can then be written, whatever its mode or ACL
  (a file whose mode lets anyone write, in a folder that does not, included). Where the
  kernel refuses it, the covers below are all that keeps the host from being written;
- ``cover``: folders replaced by an empty folder in which only the kept paths reappear
  (bind mounts): the temporary folders (``/tmp``, ``/var/tmp``, ``/dev/shm``), every other
  world-writable folder of the host (``/run/lock``, a class's drop folder, ...: found by
  :func:`world_writable`, never listed by hand; read-only or not, what others left there
  must stay out of sight), and the grader's temporary folder, each
  an empty folder of the box's tmpfs (so other submissions' copies, the grader's temporary
  files and a folder shared between submissions are out of sight, and what the student
  writes there counts against its disk limit); and every folder the student's uid could
  not traverse on the way to a kept path (``/root`` holding a pyenv Python, a checkout
  under a private home), a small read-only tmpfs;
- ``keep``: what the student needs: the interpreter and its libraries, and the run's box
  (its private copy of the submission and its home);
- ``hide``: folders replaced by an empty read-only tmpfs: the grading suite, the reference,
  the output folders, the folder that holds the submissions, the host's services' folder
  ``/run`` (:data:`SERVICE_DIRS`: a read-only mount does not stop ``connect()`` to a Unix
  socket whose mode lets any user in, such as a printer's, the system bus's or a
  database's), and every folder of ``/`` that is not the system's (:data:`SYSTEM_DIRS`, an
  allowlist: ``/home``, ``/srv``, ``/var``, ``/opt``, ...); one of those that holds a kept
  or temporary path (``/root`` holding a pyenv Python, ``/var`` holding ``/var/tmp``) is a
  cover instead, read-only for the student, in which only those paths reappear; a hidden
  folder of the grader's that holds a kept path, such as a checkout holding its ``.tox``,
  is hidden around it, subfolder by subfolder;
- ``proc``: a fresh ``/proc`` (inside a PID namespace it shows only the student's processes).
"""

from __future__ import annotations

import ctypes
import os
import stat
import time

TYPE_CHECKING = False
if TYPE_CHECKING:  # not imported at run time (see the launcher's imports)
    from typing import Any

CLONE_NEWNS = 0x00020000
CLONE_NEWIPC = 0x08000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 0x1, 0x2, 0x4, 0x8
MS_BIND, MS_REC, MS_PRIVATE = 0x1000, 0x4000, 0x40000
SYS_MOUNT_SETATTR = 442
"""``mount_setattr``'s number on every architecture of the unified system call table (all
but alpha): a wrong one fails, and the view falls back to covering what it finds."""
AT_FDCWD, AT_RECURSIVE, MOUNT_ATTR_RDONLY = -100, 0x8000, 0x1
TMP_DIRS = ("/tmp", "/var/tmp", "/dev/shm")
SERVICE_DIRS = ("/run",)
"""Where the host's services keep their Unix sockets (``/var/run`` leads there): always
hidden. A socket file is reached by its path, not through the network namespace, and a
read-only mount does not stop ``connect()``: one whose mode lets any user in (``cups``'s,
``avahi``'s, the journal's, the system bus's, a database's with ``trust`` for local users)
would let a student print, log or query the host. ``/tmp``'s (X11's) is covered anyway.
Where a kept or temporary folder lies inside (``/run/shm`` where ``/dev/shm`` leads there, on
Debian before 7), it is covered as the folders outside :data:`SYSTEM_DIRS` are: only that
folder reappears."""
SYSTEM_DIRS = frozenset({"bin", "sbin", "lib", "lib32", "lib64", "libx32", "usr", "etc", "dev",
                         "proc", "sys", "tmp", "nix", "gnu"})
"""The top-level folders a student process sees: the system's programs, libraries and
settings (and Nix's or Guix's store, where those are), devices, ``/proc``, ``/sys`` and its own
``/tmp``. Every other folder of ``/`` (``/home``, ``/srv``, ``/var``, ``/opt``, ``/mnt``,
``/media``, ``/root``, ``/boot``, a checkout's ``/work``, :data:`SERVICE_DIRS`, ...) is hidden
with an empty read-only tmpfs, or, where a kept or temporary path lies inside (``/root``
holding a pyenv Python, ``/var`` holding ``/var/tmp``), covered with an empty tmpfs in which
only those paths reappear: a class folder readable by all (the submissions beside the graded
ones), a database's or a directory service's Unix socket (``/var/lib/mysql/mysql.sock``,
SSSD's in ``/var/lib/sss``), a FIFO that any user may open, and the files beside a kept path
(a teacher's ``~/notas.csv`` beside ``~/venv``) are out of sight, wherever the host keeps them.
An allowlist, so a folder nobody thought of is hidden too. Files directly in ``/`` stay in
sight."""
COVER_SIZE = "16m"
SCAN_DEPTH = 5
"""How deep :func:`world_writable` looks below each mount point (``/run/lock`` is 2)."""
RACY_NS = 2_000_000_000
"""A folder changed this recently when a scan begins may change again within the same tick of
its file system's clock (a second on some) without its times moving: its listing is not kept."""
LISTINGS_KEPT_ON = frozenset({"ext2", "ext3", "ext4", "xfs", "btrfs", "f2fs", "zfs", "tmpfs",
                              "devtmpfs", "ramfs", "overlay"})
"""File systems that keep a folder's modification and change times themselves, on this
machine: a listing of one of their folders is kept while its times are the same. Network and
FUSE file systems (``nfs``, ``cifs``, ``9p``, ``fuse.*``) may report times cached or made up:
their folders are listed at every scan."""
PSEUDO_FS = frozenset({"proc", "sysfs", "cgroup", "cgroup2", "devpts", "debugfs", "tracefs",
                       "securityfs", "pstore", "bpf", "configfs", "fusectl", "binfmt_misc",
                       "autofs", "nsfs", "efivarfs", "selinuxfs", "rpc_pipefs", "nfsd"})
Plan = dict[str, "Any"]


_LIBC: list[Any] = []


def _libc() -> Any:
    """The C library, loaded once per process (a dozen mounts each asked for it)."""
    if not _LIBC:
        _LIBC.append(ctypes.CDLL(None, use_errno=True))
    return _LIBC[0]


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


def _outer_first(path: str) -> tuple[int, str]:
    """A sort key that puts a folder before every folder inside it."""
    return path.count("/"), path


def _world_writable(folder: str) -> bool:
    """Whether any user may write in ``folder`` (False where it cannot be looked at)."""
    try:
        return _may(os.stat(folder), -1, 0o2)
    except OSError:
        return False


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


def plan(*, keep: list[str], hide: list[str], uid: int, proc: bool,
         writable: list[str] | tuple[str, ...] = (), box: dict[str, Any] | None = None,
         readonly: bool = False) -> Plan:
    """The mounts that give ``uid`` the kept paths and nothing of the hidden ones.

    ``writable``: more folders to cover with an empty, writable one (the grader's temporary
    folder and the world-writable folders of the host); ``box``:
    ``{"path", "source", "size_mb"}``, the run's box to mount as a tmpfs filled from
    ``source``; ``readonly``: the host's mounts made read-only first (:func:`read_only`)."""
    kept = _outermost([os.path.realpath(p) for p in keep if os.path.exists(p)])
    open_dirs = {os.path.realpath(t) for t in (*TMP_DIRS, *writable) if os.path.isdir(t)}
    # the temporary folders, and the grader's where it is not one any user may write (a
    # world-writable folder found by the scan is out of sight anyway where it lies hidden)
    temporary = {os.path.realpath(t) for t in TMP_DIRS if os.path.isdir(t)}
    temporary |= {c for c in open_dirs if not _world_writable(c)}
    anchors = _outermost([*kept, *temporary])
    # the services' folder and every folder of / that is not the system's (SYSTEM_DIRS):
    # hidden whole, or covered where a kept or temporary path lies inside, which alone
    # reappears (a folder that is itself kept, such as /opt as an interpreter's, stays)
    outside = _outermost([os.path.realpath(p) for p in (*SERVICE_DIRS, *_outside_the_system())
                          if os.path.isdir(p)])
    outside = [o for o in outside if not any(_within(o, a) for a in anchors)]
    keeping = {o: [a for a in anchors if _within(a, o)] for o in outside}
    keeping = {o: inside for o, inside in keeping.items() if inside}
    hidden_outside = [o for o in outside if o not in keeping]
    covers: dict[str, dict[str, Any]] = {o: {"keep": inside, "open": False}
                                         for o, inside in keeping.items()}
    blocked = {a for a in (_blocked_ancestor(k, uid) for k in kept) if a}
    chosen: list[str] = []
    for c in sorted({*open_dirs, *blocked}, key=_outer_first):
        if any(_within(c, k) for k in kept) or any(_within(c, h) for h in hidden_outside):
            continue  # inside what the student keeps, or out of sight
        holder = next((o for o in keeping if _within(c, o)), None)
        if holder is not None and (c == holder or c not in temporary):
            continue  # the cover around it keeps it, or leaves it out of sight
        if any(_within(c, x) for x in chosen):
            continue  # inside another cover of these
        chosen.append(c)
        covers[c] = {"keep": [k for k in kept if _within(k, c)], "open": c in open_dirs}
    hidden = []
    for h in [*hidden_outside,
              *_around(sorted({os.path.realpath(p) for p in hide if os.path.isdir(p)}), kept)]:
        if any(_within(h, c) for c in covers) and not any(_within(h, k) for k in kept):
            continue  # already out of sight under a cover
        hidden.append(h)
    hidden = _outermost(hidden)
    order = sorted((c for c in covers if not any(_within(c, h) for h in hidden)),
                   key=_outer_first)  # a cover is mounted before those inside it
    return {"cover": [{"path": c, **covers[c]} for c in order],
            "hide": hidden, "proc": proc, "box": box, "uid": uid,
            "readonly": readonly}


class _MountAttr(ctypes.Structure):
    _fields_ = [("attr_set", ctypes.c_uint64), ("attr_clr", ctypes.c_uint64),
                ("propagation", ctypes.c_uint64), ("userns_fd", ctypes.c_uint64)]


def read_only() -> None:
    """Make every mount of this (private) mount namespace read-only, recursively and at
    once (``mount_setattr(AT_FDCWD, "/", AT_RECURSIVE, {MOUNT_ATTR_RDONLY})``, Linux 5.12+):
    as root, before the view mounts its own (which stay as they are mounted). A process
    without privileges cannot undo it, not even in a user namespace of its own (the kernel
    locks the flag of a mount copied into a less privileged namespace). Files on such a
    mount cannot be created, written, renamed or removed; devices (``/dev/null``) and
    sockets stay usable. Raises :class:`OSError` where the kernel refuses it."""
    attr = _MountAttr(MOUNT_ATTR_RDONLY, 0, 0, 0)
    if _libc().syscall(SYS_MOUNT_SETATTR, AT_FDCWD, b"/", AT_RECURSIVE, ctypes.byref(attr),
                       ctypes.sizeof(attr)) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount_setattr(/, AT_RECURSIVE, MOUNT_ATTR_RDONLY): "
                           f"{os.strerror(err)}")


def host_read_only(before: set[str] | frozenset[str]) -> bool:
    """Whether every mount whose id is in ``before`` (:func:`mount_ids` read before the view
    was applied: the host's copies) is mounted read-only now, as the mount table says. A
    table that cannot be read, or that lists neither those mounts nor ``/`` among them,
    proves nothing: False."""
    rows = [row for row in _mount_rows() if len(row) > 5 and row[0] in before]
    return bool(rows) and any(_unescape(row[4]) == "/" for row in rows) \
        and all("ro" in row[5].split(",") for row in rows)


def mount_ids() -> set[str]:
    """The ids of this namespace's mounts (``/proc/self/mountinfo``)."""
    return {row[0] for row in _mount_rows() if row}


def world_writable(depth: int = SCAN_DEPTH, listings: dict[str, Any] | None = None
                   ) -> list[str]:
    """Every folder that any user may write to (mode ``o+w``, sticky or not), on every
    mounted file system that can hold files (``/proc``, ``/sys`` and the like are skipped),
    down to ``depth`` levels below its mount point: the places where a student could leave
    files after grading or pass them to another submission. Read from the mount table at
    start, so a machine's own (``/run/lock``, ``/var/lib/php/sessions``, a mounted volume)
    are found without a list kept by hand.

    ``listings``: the subfolders of each folder a previous scan listed, with
    :func:`signature` of the folder then (``{path: [signature, [name, ...]]}``, see
    :mod:`harness.sandbox.scancache`): a folder whose signature is the same is not listed
    again. Every folder is looked at (``lstat``) every time, so whether it is world-writable
    is always read afresh. Replaced on return by this scan's listings, which leave out a
    folder changed less than :data:`RACY_NS` before the scan began (a change within the same
    tick of the file system's clock would leave its times as they are: it is listed again
    next time, as Git treats a "racily clean" file) and every folder of a file system whose
    folders' times are not known to be kept (:data:`LISTINGS_KEPT_ON`)."""
    found: set[str] = set()
    fresh: dict[str, Any] = {}
    rows = _mount_rows()
    points = {_unescape(row[4]) for row in rows}
    types: dict[str, str] = {}  # the scanned ones: file systems that can hold files, read-write
    for row in rows:  # the mount on top of a point is listed last
        try:
            fstype, options = row[row.index("-") + 1], row[5].split(",")
        except (ValueError, IndexError):
            continue
        if fstype not in PSEUDO_FS and "ro" not in options:
            types[_unescape(row[4])] = fstype
    since = time.time_ns() - RACY_NS
    for point in sorted(types):
        kept = types[point] in LISTINGS_KEPT_ON
        _scan(point, depth, found, (listings or {}) if kept else {}, fresh if kept else {},
              since=since, points=points)
    if listings is not None:
        listings.clear()
        listings.update(fresh)
    return sorted(found)


def _mount_rows() -> list[list[str]]:
    """This process's mount table (``/proc/self/mountinfo``), each line split."""
    try:
        with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as f:
            return [line.split() for line in f]
    except OSError:
        return []


def _unescape(field: str) -> str:
    """A path of the mount table as it is (the kernel writes a space, a tab, a newline and a
    backslash as octal escapes)."""
    return field.replace("\\011", "\t").replace("\\012", "\n").replace("\\040", " ") \
        .replace("\\134", "\\")


def signature(st: os.stat_result) -> list[int]:
    """When a folder's list of entries is known not to have changed: the same folder
    (device, inode), mode, and modification and change times in nanoseconds (an entry
    added, removed or renamed changes both; ``utime``, which can put the modification time
    back, changes the change time, which no user can set)."""
    return [st.st_dev, st.st_ino, st.st_mode, st.st_mtime_ns, st.st_ctime_ns]


def _scan(top: str, depth: int, found: set[str], old: dict[str, Any],
          fresh: dict[str, Any], *, since: int = 0, points: set[str] | frozenset[str] = frozenset()
          ) -> None:
    try:
        top_dev = os.lstat(top).st_dev
    except OSError:
        return
    stack = [(top, 0, top_dev)]
    while stack:
        folder, level, dev = stack.pop()
        try:
            st = os.lstat(folder)
        except OSError:
            continue
        if not stat.S_ISDIR(st.st_mode):
            continue
        if st.st_dev != dev:
            if folder in points:
                continue  # another mount: scanned on its own (or not at all: /proc, ...)
            dev = st.st_dev  # a file system with no mount of its own (a btrfs subvolume)
        if st.st_mode & stat.S_IWOTH:
            found.add(folder)
            continue  # covered whole: what is below is out of sight too
        if level >= depth:
            continue
        # looked at before listing: an entry added meanwhile changes the folder again
        sig = signature(st)
        known = old.get(folder)
        if known is not None and known[0] == sig:
            names = known[1]
        else:
            try:
                with os.scandir(folder) as entries:
                    names = [e.name for e in entries if e.is_dir(follow_symlinks=False)]
            except OSError:
                continue
        if max(st.st_mtime_ns, st.st_ctime_ns) < since:
            fresh[folder] = [sig, names]
        inside = folder if folder.endswith("/") else folder + "/"  # os.path.join, faster
        stack += [(inside + n, level + 1, dev) for n in names]


def _outside_the_system() -> list[str]:
    """The folders of ``/`` that are not the system's (:data:`SYSTEM_DIRS`); a link among
    them leads to a folder that is, or is one itself."""
    try:
        names = os.listdir("/")
    except OSError:
        return []
    return [f"/{n}" for n in sorted(names) if n not in SYSTEM_DIRS
            and os.path.isdir(f"/{n}") and not os.path.islink(f"/{n}")]


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
    # and a private IPC namespace: no System V or POSIX message queue, semaphore or shared
    # memory segment is shared with the host or another submission
    if _libc().unshare(CLONE_NEWNS | CLONE_NEWIPC) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"unshare(CLONE_NEWNS|CLONE_NEWIPC): {os.strerror(err)}")
    _mount(None, "/", None, MS_REC | MS_PRIVATE)


def apply(view: Plan, files: Files | None = None) -> None:
    """Mount ``view`` (from :func:`plan`) in the current mount namespace, as root.
    ``files``: the box's source as :func:`snapshot` read it (the zygote reads it once for all
    its forks); read here without it."""
    if view.get("readonly"):
        read_only()  # first: what the view mounts next stays as it is mounted
    old = os.umask(0o022)
    try:
        box = view.get("box")
        if box:
            _fill_box(box, int(view["uid"]), files)
        for i, cover in enumerate(view["cover"]):
            source = None
            if box and cover.get("open"):
                source = os.path.join(box["path"], f".tmp{i}")
                os.mkdir(source, 0o1777)
                os.chmod(source, 0o1777)
            _cover(cover["path"], cover["keep"], source)
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


Files = list[tuple[str, "bytes | None"]]
"""A folder's contents in walk order: ``(relative path, None)`` for each folder,
``(relative path, bytes)`` for each regular file (links and special files left out)."""
SNAPSHOT_BYTES = 16 << 20
"""The most a zygote keeps in memory for its forks; a larger submission is read by each."""


def snapshot(source: str, limit: float = float("inf")) -> Files | None:
    """The folder ``source`` as :data:`Files`; None when its files hold more than ``limit``
    bytes."""
    files: Files = []
    total = 0
    for dirpath, dirnames, filenames in os.walk(source):
        rel = os.path.relpath(dirpath, source)
        files.extend((os.path.normpath(os.path.join(rel, n)), None) for n in dirnames)
        for name in filenames:
            src = os.path.join(dirpath, name)
            if os.path.islink(src) or not os.path.isfile(src):
                continue
            with open(src, "rb") as fin:
                data = fin.read()
            total += len(data)
            if total > limit:
                return None
            files.append((os.path.normpath(os.path.join(rel, name)), data))
    return files


def _fill_box(box: dict[str, Any], uid: int, files: Files | None = None) -> None:
    """Mount a tmpfs of ``size_mb`` on the box and copy the submission into ``work/`` (and an
    empty ``home/``), all owned by ``uid``; as root, before any student code."""
    path, source = box["path"], box["source"]
    _mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV,
           f"mode=0711,size={int(box['size_mb'])}m")
    work = os.path.join(path, "work")
    for folder in (work, os.path.join(path, "home")):
        os.mkdir(folder, 0o700)
        os.chown(folder, uid, uid)
    for rel, data in files if files is not None else snapshot(source) or []:
        target = os.path.join(work, rel)
        if data is None:
            os.mkdir(target, 0o700)
            os.chown(target, uid, uid)
            continue
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
                     | os.O_CLOEXEC, 0o666)  # 0644 with the umask of apply()
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fchown(fd, uid, uid)
        finally:
            os.close(fd)


def _cover(folder: str, keep: list[str], source: str | None = None) -> None:
    # O_PATH handles reach the kept paths after the cover hides them: bind from /proc/self/fd
    handles = [(k, os.open(k, os.O_PATH | os.O_CLOEXEC)) for k in keep]
    try:
        if source is not None:  # an empty, writable folder of the box's tmpfs
            _mount(source, folder, None, MS_BIND)
        else:
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
