"""Safe extraction of a submission that arrives as a ``.zip`` (as course platforms export them).

An archive is untrusted input. :func:`extract` writes regular files only, under the target
folder only, within bounds; anything else raises :class:`UnsafeArchive` with a reason that
the class page shows, and nothing of that submission is graded:

- no absolute paths, drive letters or ``..`` components (path traversal, "zip slip");
- no symbolic links, devices or other special entries; no encrypted entries;
- at most :data:`MAX_FILES` entries and :data:`MAX_BYTES` bytes once uncompressed, counted
  while decompressing (a header that lies about sizes does not help a zip bomb);
- before ``zipfile.ZipFile`` builds one object per central-directory entry (two million
  entries cost a minute and a gigabyte), :func:`precheck` reads the archive's size and its
  end-of-central-directory record (Zip64 too): the entry count and the directory's size
  must fit the limits, or the archive is refused at the cost of reading 64 KB;
- no nested archive is opened.

Platform clutter (``__MACOSX/``, ``.DS_Store``, ``Thumbs.db``) is skipped. A submission is
often zipped with its folder around it (``ana.zip`` holding ``ana/lab9/...``);
:func:`submission_root` steps into such a single wrapping folder.
"""

from __future__ import annotations

import os
import stat
import struct
import zipfile
from pathlib import Path, PurePosixPath

from harness.errors import SubmissionError
from harness.i18n import t
from harness.submission import MAX_BYTES, MAX_FILES

CHUNK = 64 * 1024
CLUTTER = frozenset({"__MACOSX", ".DS_Store", "Thumbs.db", "desktop.ini"})
TASK_DIRS = ("lab9", "recipes")
ENTRY_BYTES = 1024
"""The most a central-directory entry of a real submission takes on average (46 bytes and
its name, extra field and comment): the directory may be at most ``max_files`` times this."""
EOCD = struct.Struct("<4s4H2LH")
EOCD_SIG = b"PK\x05\x06"
ZIP64_LOCATOR = struct.Struct("<4sLQL")
ZIP64_LOCATOR_SIG = b"PK\x06\x07"
ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")
ZIP64_EOCD_SIG = b"PK\x06\x06"


class UnsafeArchive(SubmissionError):
    """The archive cannot be extracted safely (or at all); the message says why.

    ``key`` and ``params`` give the same reason in any language (``batch.zip.*`` texts);
    ``str()`` is the English text.
    """

    def __init__(self, key: str, **params: object) -> None:
        self.key = key
        self.params = params
        super().__init__(t(f"batch.zip.{key}", "en", **params))

    def message(self, lang: str) -> str:
        return t(f"batch.zip.{self.key}", lang, **self.params)


def _member_path(info: zipfile.ZipInfo) -> PurePosixPath | None:
    """The entry's relative path, ``None`` for clutter; raises for a dangerous one."""
    raw = info.filename.replace("\\", "/")
    path = PurePosixPath(raw)
    if raw.startswith("/") or (len(raw) > 1 and raw[1] == ":") or ".." in path.parts:
        raise UnsafeArchive("traversal", entry=info.filename)
    parts = [p for p in path.parts if p not in ("", ".")]
    if not parts or CLUTTER.intersection(parts):
        return None
    if any("\x00" in p for p in parts):
        raise UnsafeArchive("traversal", entry=info.filename)
    return PurePosixPath(*parts)


def _kind(info: zipfile.ZipInfo) -> str:
    mode = info.external_attr >> 16
    if info.is_dir():
        return "dir"
    if mode and stat.S_IFMT(mode) not in (0, stat.S_IFREG):
        return "link" if stat.S_ISLNK(mode) else "special"
    return "file"


def precheck(archive: Path, *, max_files: int = MAX_FILES, max_bytes: int = MAX_BYTES) -> None:
    """Refuse an archive too large to be a submission, or whose end-of-central-directory
    record announces too many entries or too large a directory, before opening it."""
    try:
        size = os.stat(archive).st_size
        with open(archive, "rb") as f:
            tail_at = max(0, size - (EOCD.size + 0xFFFF))
            f.seek(tail_at)
            tail = f.read()
            at = tail.rfind(EOCD_SIG)
            if at < 0 or len(tail) - at < EOCD.size:
                return  # not a zip: ZipFile says so in its own words
            _, _, _, _, count, cd_size, _, _ = EOCD.unpack_from(tail, at)
            locator = at - ZIP64_LOCATOR.size
            if locator >= 0 and tail[locator:locator + 4] == ZIP64_LOCATOR_SIG:
                _, _, z64_at, _ = ZIP64_LOCATOR.unpack_from(tail, locator)
                if z64_at < size:
                    f.seek(z64_at)
                    raw = f.read(ZIP64_EOCD.size)
                    if len(raw) == ZIP64_EOCD.size and raw[:4] == ZIP64_EOCD_SIG:
                        fields = ZIP64_EOCD.unpack(raw)
                        count, cd_size = max(count, fields[7]), max(cd_size, fields[8])
    except OSError as exc:
        raise UnsafeArchive("unreadable", error=str(exc)) from exc
    # compressed, a submission is at most its files plus their headers
    if size > max_bytes + max_files * 2 * ENTRY_BYTES:
        raise UnsafeArchive("too_big", limit_mb=max_bytes // (1024 * 1024))
    if count > max_files or cd_size > max_files * ENTRY_BYTES:
        raise UnsafeArchive("too_many", n=count if count > max_files else cd_size // 46,
                            limit=max_files)


def extract(archive: Path, dest: Path, *, max_files: int = MAX_FILES,
            max_bytes: int = MAX_BYTES) -> Path:
    """Extract ``archive`` into the (new or empty) folder ``dest``; return ``dest``."""
    precheck(archive, max_files=max_files, max_bytes=max_bytes)
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise UnsafeArchive("unreadable", error=str(exc)) from exc
    dest.mkdir(parents=True, exist_ok=True)
    total = 0
    with zf:
        infos = zf.infolist()
        if len(infos) > max_files:
            raise UnsafeArchive("too_many", n=len(infos), limit=max_files)
        seen: set[PurePosixPath] = set()
        for info in infos:
            rel = _member_path(info)
            if rel is None:
                continue
            kind = _kind(info)
            if kind not in ("file", "dir"):
                raise UnsafeArchive("link" if kind == "link" else "special",
                                    entry=info.filename)
            if info.flag_bits & 0x1:
                raise UnsafeArchive("encrypted", entry=info.filename)
            target = dest.joinpath(*rel.parts)
            if kind == "dir":
                target.mkdir(parents=True, exist_ok=True)
                continue
            if rel in seen:
                raise UnsafeArchive("duplicate", entry=info.filename)
            seen.add(rel)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with zf.open(info) as src, open(target, "xb") as out:
                    while chunk := src.read(CHUNK):
                        total += len(chunk)
                        if total > max_bytes:
                            raise UnsafeArchive(
                                "too_big", limit_mb=max_bytes // (1024 * 1024))
                        out.write(chunk)
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError,
                    OSError, EOFError) as exc:
                raise UnsafeArchive("corrupt", entry=info.filename, error=str(exc)) from exc
    return dest


def submission_root(folder: Path) -> Path:
    """``folder``, or the single folder it wraps when it has no task folder of its own
    (``ana/ana-entrega/lab9/...`` is graded as ``ana-entrega``)."""
    current = folder
    for _ in range(3):
        if any((current / d).is_dir() for d in TASK_DIRS):
            return current
        entries = [p for p in current.iterdir()
                   if p.name not in CLUTTER and not p.name.startswith(".")]
        if len(entries) != 1 or not entries[0].is_dir() or entries[0].is_symlink():
            return current
        current = entries[0]
    return current
