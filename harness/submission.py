"""Find and validate a submission folder, and copy it to a private working directory.

The grader never runs code from the original folder: checks run on a fresh copy that only
the student's processes may touch. Problems found before running anything (a missing file, a
file that is not Python, a syntax error) are reported by file and line; the other tasks are
still graded.
"""

from __future__ import annotations

import ast
import hashlib
import io
import os
import re
import shutil
import stat
import tempfile
import tokenize
import warnings
from dataclasses import dataclass
from pathlib import Path

from harness.errors import SubmissionError, Text
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
        """The problem in ``lang``, without the file's name (every reader shows it beside)."""
        params = dict(self.params)
        if "error_key" in params:  # a syntax error: Python's message in the student's language
            params["error"] = t(str(params.pop("error_key")), lang, what=params.get("what", ""),
                                python=params.get("python", ""))
        source = str(params.pop("source", ""))
        return t(self.key, lang, file=self.file, line=self.line or "", **params) + source


def check_folder(path: Path) -> Path:
    """The resolved submission folder, or a clear ``SubmissionError``."""
    if not path.exists():
        raise SubmissionError(key="usage.folder_not_found", path=str(path))
    if not path.is_dir():
        raise SubmissionError(key="usage.not_a_folder", path=str(path))
    return path.resolve()


def check_layout(root: Path, files: list[str], *, shown: str | None = None) -> None:
    """Refuse a folder that holds none of the task folders and none of the task files
    (``SubmissionError``), naming the nearest match: a folder with the wrong case, the task
    folder itself given instead of its parent, or the submission one level further down."""
    groups = sorted({rel.split("/")[0] for rel in files if "/" in rel})
    if not files or any((root / g).is_dir() for g in groups) \
            or any((root / rel).is_file() for rel in files):
        return
    shown = shown or str(root)
    shown_names = [f"{g}/" for g in groups] or files
    wanted: str | Text = shown_names[0] if len(shown_names) == 1 else Text(
        "usage.either", {"first": ", ".join(shown_names[:-1]), "last": shown_names[-1]})
    folded = {g.casefold(): g for g in groups}
    entries = _entries(root)
    for entry in entries:
        if entry.is_dir() and entry.name.casefold() in folded:
            raise SubmissionError(key="usage.not_submission.case", path=shown, wanted=wanted,
                                  found=entry.name + "/", fix=folded[entry.name.casefold()] + "/")
    if root.name.casefold() in folded:
        raise SubmissionError(key="usage.not_submission.too_deep", path=shown, wanted=wanted,
                              parent=str(Path(shown).parent))
    names = {Path(rel).name.casefold(): rel for rel in files}
    flat = [e.name for e in entries if e.is_file() and e.name.casefold() in names]
    if flat:
        raise SubmissionError(key="usage.not_submission.flat", path=shown, wanted=wanted,
                              found=", ".join(flat[:3]), fix=names[flat[0].casefold()])
    for entry in entries:
        if entry.is_dir() and any((entry / g).is_dir() for g in groups):
            raise SubmissionError(key="usage.not_submission.too_high", path=shown,
                                  wanted=wanted, inner=str(Path(shown) / entry.name))
    raise SubmissionError(key="usage.not_submission", path=shown, wanted=wanted)


def _entries(folder: Path) -> list[Path]:
    try:
        return sorted((p for p in folder.iterdir() if not p.name.startswith(".")),
                      key=lambda p: p.name)[:MAX_FILES]
    except OSError:
        return []


def file_problems(root: Path, files: list[str]) -> list[Problem]:
    """Missing, misplaced, non-Python and syntactically broken task files.

    A source is read as CPython reads it (a UTF-8 BOM, a ``# -*- coding: ... -*-`` line).
    A missing file names its near misses anywhere in the folder: another case
    (``TCP_Server.py``, ``Lab9/``), another extension (``tcp_server.py.txt``), or another
    folder (``tcp_server.py`` at the top, or one level too deep).
    """
    check_layout(root, files)
    problems = []
    present: list[str] | None = None
    for rel in files:
        path = root / rel
        if not path.is_file():
            if present is None:
                present = [p.relative_to(root).as_posix() for p in _files(root)[:MAX_FILES]]
            problems.append(_missing(rel, present))
            continue
        try:
            data = path.read_bytes()
        except OSError:
            problems.append(Problem(rel, None, "submission.not_text", {}))
            continue
        if b"\x00" in data:
            problems.append(Problem(rel, None, "submission.not_text", {}))
            continue
        try:  # as `python FILE` reads it: a BOM or a coding line, else UTF-8
            encoding = _encoding(data)
            source = data.decode(encoding)
        except UnicodeDecodeError as exc:
            line = data[:exc.start].count(b"\n") + 1
            problems.append(Problem(rel, line, "submission.bad_encoding",
                                    {"encoding": exc.encoding}))
            continue
        except (SyntaxError, LookupError) as exc:
            problems.append(Problem(rel, 1, "submission.unknown_encoding",
                                    {"error": str(getattr(exc, "msg", exc))}))
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ast.parse(source, filename=rel)
        except SyntaxError as exc:
            problems.append(_syntax_problem(rel, exc))
        except (ValueError, UnicodeError):
            problems.append(Problem(rel, None, "submission.not_text", {}))
    return problems


def _encoding(data: bytes) -> str:
    """The encoding CPython reads ``data`` with (``SyntaxError`` for an unknown one)."""
    try:
        return tokenize.detect_encoding(io.BytesIO(data).readline)[0]
    except SyntaxError as exc:
        if "unknown encoding" in str(exc):
            raise
        return "utf-8"  # undecodable first lines: decoding says where


def _missing(rel: str, present: list[str]) -> Problem:
    stem = Path(rel).name.split(".")[0].casefold()
    near = [p for p in present if p != rel and Path(p).name.split(".")[0].casefold() == stem]
    if not near:
        return Problem(rel, None, "submission.missing", {})
    same_folder = [p for p in near if Path(p).parent == Path(rel).parent]
    if same_folder and all(Path(p).suffix != ".py" for p in same_folder):
        return Problem(rel, None, "submission.not_python", {"found": ", ".join(same_folder[:3])})
    return Problem(rel, None, "submission.near_miss", {"found": ", ".join(near[:3])})


SYNTAX_MESSAGES = (  # Python's English messages, by prefix, and the catalogue key for each
    ("expected an indented block", "syntax.expected_indent"),
    ("expected '", "syntax.expected"),
    ("unterminated string literal", "syntax.unterminated_string"),
    ("unterminated triple-quoted string", "syntax.unterminated_string"),
    ("unexpected indent", "syntax.unexpected_indent"),
    ("unindent does not match", "syntax.unindent"),
    ("inconsistent use of tabs", "syntax.tabs"),
    ("missing parentheses in call to 'print'", "syntax.print"),
    ("invalid character", "syntax.invalid_character"),
    ("invalid non-printable character", "syntax.invalid_character"),
    ("unmatched '", "syntax.unmatched"),
    ("closing parenthesis", "syntax.mismatch"),
    ("invalid syntax", "syntax.invalid"),
    ("unknown encoding", "syntax.encoding"),
    ("(unicode error)", "syntax.encoding"),
)


def _syntax_problem(rel: str, exc: SyntaxError) -> Problem:
    msg = exc.msg or ""
    if msg.endswith("was never closed"):
        key = "syntax.never_closed"
    else:
        key = next((k for prefix, k in SYNTAX_MESSAGES if msg.lower().startswith(prefix)),
                   "syntax.other")
    quoted = re.findall(r"'([^']*)'", msg)
    source = (exc.text or "").splitlines()[0].rstrip() if exc.text else ""
    shown = source.lstrip()
    caret = ""
    if shown and exc.offset and exc.offset > 0:
        column = max(0, min(exc.offset - 1 - (len(source) - len(shown)), len(shown)))
        caret = "\n    " + shown + "\n    " + " " * column + "^"
    elif shown:
        caret = "\n    " + shown
    return Problem(rel, exc.lineno, "submission.syntax_error",
                   {"error_key": key, "what": quoted[0] if quoted else "", "python": msg,
                    "column": exc.offset or "", "source": caret})


def content_hash(root: Path) -> str:
    """SHA-256 over the sorted relative paths and bytes of every regular file."""
    h = hashlib.sha256()
    for path in sorted(_files(root)):
        rel = path.relative_to(root).as_posix()
        h.update(rel.encode("utf-8", "surrogateescape") + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


OUTPUT_FILES = frozenset({"labgrade-junit.xml"})
"""What ``labgrade check --format junit`` writes by default, in the folder it checks."""


def is_output_folder(folder: Path) -> bool:
    """A folder labgrade wrote its results into (a batch's or one submission's)."""
    return (folder / "batch.json").is_file() or (
        (folder / "results.json").is_file() and (folder / "report.html").is_file())


def _files(root: Path) -> list[Path]:
    """The submission's regular files: no links, no caches, and nothing labgrade wrote (an
    output folder or the check's JUnit file inside it), so outputs are never graded nor
    hashed."""
    out: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS
                             and not is_output_folder(Path(dirpath) / d))
        for name in sorted(set(filenames) - OUTPUT_FILES):
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
