"""Find and validate a submission folder, and copy it to a private working directory.

The grader never runs code from the original folder: checks run on a fresh copy that only
the student's processes may touch. Problems found before running anything (a missing file, a
file that is not Python, a syntax error) are reported by file and line; the other tasks are
still graded.
"""

from __future__ import annotations

import ast
import hashlib
import os
import shutil
import stat
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

from harness.errors import SubmissionError
from harness.i18n import t

MAX_FILES = 2000
MAX_BYTES = 50 * 1024 * 1024
SKIP_DIRS = {".git", "__pycache__", ".venv", "venv", "node_modules", ".tox", ".pytest_cache"}


@dataclass
class Problem:
    file: str
    line: int | None
    key: str
    params: dict[str, object]

    def message(self, lang: str) -> str:
        return t(self.key, lang, file=self.file, line=self.line or "", **self.params)


def check_folder(path: Path) -> Path:
    """The resolved submission folder, or a clear ``SubmissionError``."""
    if not path.exists():
        raise SubmissionError(f"submission folder not found: {path}")
    if not path.is_dir():
        raise SubmissionError(f"not a folder: {path} (give the folder that holds lab9/ and "
                              "recipes/)")
    return path.resolve()


def file_problems(root: Path, files: list[str]) -> list[Problem]:
    """Missing, non-Python and syntactically broken task files."""
    problems = []
    for rel in files:
        path = root / rel
        if not path.is_file():
            near = sorted(p.name for p in path.parent.glob(path.stem + ".*")) \
                if path.parent.is_dir() else []
            if near:
                problems.append(Problem(rel, None, "submission.not_python",
                                        {"found": ", ".join(near)}))
            else:
                problems.append(Problem(rel, None, "submission.missing", {}))
            continue
        data = path.read_bytes()
        try:
            source = data.decode("utf-8")
        except UnicodeDecodeError:
            problems.append(Problem(rel, None, "submission.not_text", {}))
            continue
        if "\x00" in source:
            problems.append(Problem(rel, None, "submission.not_text", {}))
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ast.parse(source, filename=rel)
        except SyntaxError as exc:
            problems.append(Problem(rel, exc.lineno, "submission.syntax_error",
                                    {"error": exc.msg}))
    return problems


def content_hash(root: Path) -> str:
    """SHA-256 over the sorted relative paths and bytes of every regular file."""
    h = hashlib.sha256()
    for path in sorted(_files(root)):
        rel = path.relative_to(root).as_posix()
        h.update(rel.encode("utf-8", "surrogateescape") + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def _files(root: Path) -> list[Path]:
    out: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for name in sorted(filenames):
            p = Path(dirpath) / name
            if stat.S_ISREG(os.lstat(p).st_mode):
                out.append(p)
    return out


def private_copy(root: Path, *, owner: int | None = None) -> Path:
    """Copy the submission's regular files (no links, bounded size) to a fresh private dir.

    Returns the copy's root. With ``owner``, the copy belongs to that uid (the student's) and
    its parent folder is traversable but not listable by others.
    """
    base = Path(tempfile.mkdtemp(prefix="labgrade-sub-"))
    os.chmod(base, 0o711)
    dest = base / "work"
    dest.mkdir()
    total = 0
    for count, src in enumerate(_files(root)):
        if count >= MAX_FILES:
            break
        size = src.stat().st_size
        total += size
        if total > MAX_BYTES:
            break
        target = dest / src.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, target)
    if owner is not None:
        for dirpath, _dirs, filenames in os.walk(dest):
            os.chown(dirpath, owner, owner)
            os.chmod(dirpath, 0o700)
            for name in filenames:
                os.chown(Path(dirpath) / name, owner, owner)
    return dest


def remove_copy(dest: Path) -> None:
    shutil.rmtree(dest.parent, ignore_errors=True)
