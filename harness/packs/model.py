"""A course pack on disk: ``pack.toml``, its catalogues, its checks, reference, template and
mutants. Loading validates the shape and says where a mistake is; :mod:`harness.packs.lint`
judges the content.

::

    mypack/
      pack.toml           [pack] name (reference, template: elsewhere than below, or
                          "labgrade:reference" / "labgrade:template", labgrade's own);
                          [tasks.<task>] file, visibility, points; [mutants.<m>];
                          [limits] (optional, as in a rubric)
      i18n/es.json        flat key -> text; every text a student reads (same keys in en.json)
      i18n/en.json
      checks/test_*.py    checks in Python, on harness.api (TASK = "<pack>.<task>")
      checks/*.toml       declarative request/response exercises (harness.packs.declarative)
      checks/*.py         helpers the checks share (``from .helpers import ...``)
      reference/          a submission that earns full marks
      template/           the starting point handed to students (earns zero)
      mutants/<m>/        files that replace the reference's: one bug each
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import UsageError
from harness.results import VISIBILITIES
from harness.rubric import parse

NAME = re.compile(r"^[a-z][a-z0-9_]*$")
SHIPPED = ("labgrade:reference", "labgrade:template")
"""``[pack] reference`` / ``template`` values naming labgrade's own folders (the built-in
packs' reference and student template, wherever labgrade is installed)."""
LANGS = ("es", "en")


class PackError(UsageError):
    """A course pack cannot be used; the message says which pack, which file, and what."""


@dataclass(frozen=True)
class Points:
    points: float
    visibility: str


@dataclass(frozen=True)
class Task:
    id: str
    """``<pack>.<task>``: the prefix of its check ids."""
    file: str
    """The student's file, relative to the submission (``lab9/udp_server.py``)."""
    points: dict[str, Points]
    """Check name -> points and visibility, in pack.toml order."""


@dataclass(frozen=True)
class Mutant:
    name: str
    path: Path
    loses: tuple[str, ...]
    """Full check ids this mutant must fail, and no other."""


@dataclass
class Pack:
    root: Path
    name: str
    tasks: dict[str, Task]
    mutants: list[Mutant]
    messages: dict[str, dict[str, str]]
    sha256: str
    check_files: list[Path] = field(default_factory=list)
    limits: dict[str, Any] = field(default_factory=dict)
    """``[limits]`` of pack.toml (as in a rubric: wall_s, memory_mb, ...)."""
    parts: dict[str, str] = field(default_factory=dict)
    """``[pack] reference`` / ``template``: where they are, relative to the pack, when not
    ``reference/`` and ``template/``; ``labgrade:reference`` and ``labgrade:template`` name
    labgrade's own (the built-in packs' ``reference/`` and ``student_template/``)."""

    @property
    def reference(self) -> Path:
        return self._part("reference")

    @property
    def template(self) -> Path:
        return self._part("template")

    def _part(self, part: str) -> Path:
        value = self.parts.get(part, part)
        if value in SHIPPED:
            from harness import templates

            return (templates.reference_dir() if value == "labgrade:reference"
                    else templates.template_dir()).resolve()
        return (self.root / value).resolve()

    def check_ids(self) -> list[str]:
        return [f"{t.id}.{c}" for t in self.tasks.values() for c in t.points]

    def where(self, path: Path) -> str:
        try:
            return f"{self.root.name}/{path.relative_to(self.root).as_posix()}"
        except ValueError:
            return str(path)


def _fail(root: Path, rel: str, what: str) -> PackError:
    return PackError(f"course pack {root}: {rel}: {what}")


def load(root: Path) -> Pack:
    """Read and validate the pack at ``root`` (shape only)."""
    root = Path(root).resolve()
    toml_path = root / "pack.toml"
    if not toml_path.is_file():
        raise PackError(f"course pack {root}: no pack.toml; create one with "
                        "`labgrade course new DIR`, or pass the pack's folder to --course")
    try:
        data = tomllib.loads(toml_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise _fail(root, "pack.toml", str(exc)) from exc
    unknown = set(data) - {"pack", "tasks", "mutants", "limits"}
    if unknown:
        raise _fail(root, "pack.toml", f"unknown sections {sorted(unknown)}; allowed: pack, "
                                       "tasks, mutants, limits")
    limits = data.get("limits") or {}
    try:
        parse({"limits": limits}, where=f"{toml_path} [limits]")
    except UsageError as exc:
        raise PackError(str(exc)) from exc
    head = data.get("pack") or {}
    bad = set(head) - {"name", "reference", "template"}
    if bad or not all(isinstance(head.get(k, ""), str) for k in ("reference", "template")):
        raise _fail(root, "pack.toml", f"[pack] takes name, and optionally reference and "
                                       f"template (folders relative to the pack); got "
                                       f"{sorted(head)}")
    for part in ("reference", "template"):
        value = head.get(part, "")
        if value.startswith("labgrade:") and value not in SHIPPED:
            raise _fail(root, "pack.toml", f"[pack] {part} = {value!r}: labgrade's own "
                                           f"folders are {' and '.join(SHIPPED)}; anything "
                                           "else is a folder relative to the pack")
    name = head.get("name")
    if not isinstance(name, str) or not NAME.match(name):
        raise _fail(root, "pack.toml", f"[pack] name = {name!r}: give a lowercase name "
                                       "(letters, digits, _), e.g. name = \"bases2023\"")
    tasks = {t.id: t for t in (_task(root, name, k, v)
                               for k, v in (data.get("tasks") or {}).items())}
    if not tasks:
        raise _fail(root, "pack.toml", "no [tasks.<name>] section: a pack grades at least "
                                       "one task")
    ids = {f"{t.id}.{c}" for t in tasks.values() for c in t.points}
    mutants = [_mutant(root, name, k, v, ids) for k, v in (data.get("mutants") or {}).items()]
    messages = {lang: _catalogue(root, lang) for lang in LANGS}
    checks_dir = root / "checks"
    files = sorted(p for p in checks_dir.glob("*") if p.is_file()
                   and (p.suffix == ".toml" or (p.suffix == ".py" and p.name.startswith("test_"))))
    digest = hashlib.sha256()
    helpers = sorted(p for p in checks_dir.glob("*.py") if p.is_file() and p not in files)
    for path in [toml_path, *sorted((root / "i18n").glob("*.json")), *files, *helpers]:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return Pack(root=root, name=name, tasks=tasks, mutants=mutants, messages=messages,
                sha256=digest.hexdigest(), check_files=files, limits=limits,
                parts={k: head[k] for k in ("reference", "template") if k in head})


def _task(root: Path, pack: str, name: str, value: Any) -> Task:
    where = f"pack.toml [tasks.{name}]"
    if not NAME.match(name):
        raise _fail(root, where, "a task name is lowercase letters, digits and _")
    if not isinstance(value, dict):
        raise _fail(root, where, "must be a table with file and points")
    unknown = set(value) - {"file", "visibility", "points"}
    if unknown:
        raise _fail(root, where, f"unknown keys {sorted(unknown)}; allowed: file, visibility, "
                                 "points")
    file = value.get("file")
    if not isinstance(file, str) or not file.endswith(".py") or file.startswith("/") \
            or ".." in Path(file).parts:
        raise _fail(root, where, f"file = {file!r}: give the student's file relative to the "
                                 "submission, e.g. file = \"lab9/udp_server.py\"")
    default_vis = value.get("visibility", "visible")
    if default_vis not in VISIBILITIES:
        raise _fail(root, where, f"visibility = {default_vis!r}; choose one of "
                                 f"{', '.join(VISIBILITIES)}")
    points: dict[str, Points] = {}
    raw_points = value.get("points")
    if not isinstance(raw_points, dict) or not raw_points:
        raise _fail(root, where, "points = { check = N, ... }: name every check of the task "
                                 "with its points")
    for check, p in raw_points.items():
        if not NAME.match(check):
            raise _fail(root, where, f"check name {check!r}: lowercase letters, digits, _")
        if isinstance(p, dict):
            bad = set(p) - {"points", "visibility"}
            vis = p.get("visibility", default_vis)
            pts = p.get("points", 1)
        else:
            bad, vis, pts = set(), default_vis, p
        if bad or isinstance(pts, bool) or not isinstance(pts, (int, float)) or pts < 0 \
                or vis not in VISIBILITIES:
            raise _fail(root, where, f"points of {check}: give a number >= 0 or "
                                     "{ points = N, visibility = \"hidden\" }")
        points[check] = Points(float(pts), str(vis))
    return Task(id=f"{pack}.{name}", file=file, points=points)


def _mutant(root: Path, pack: str, name: str, value: Any, ids: set[str]) -> Mutant:
    where = f"pack.toml [mutants.{name}]"
    path = root / "mutants" / name
    if not isinstance(value, dict) or set(value) != {"loses"} or not isinstance(
            value["loses"], list) or not value["loses"]:
        raise _fail(root, where, "give loses = [\"task.check\", ...]: the checks this mutant "
                                 "must fail, and no other")
    loses = []
    for item in value["loses"]:
        full = item if str(item).startswith(pack + ".") else f"{pack}.{item}"
        if full not in ids:
            raise _fail(root, where, f"loses {item!r}: no such check in [tasks]")
        loses.append(full)
    return Mutant(name=name, path=path, loses=tuple(loses))


def _catalogue(root: Path, lang: str) -> dict[str, str]:
    path = root / "i18n" / f"{lang}.json"
    rel = f"i18n/{lang}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise _fail(root, rel, "missing: every pack has es and en catalogues") from exc
    except (OSError, ValueError) as exc:
        raise _fail(root, rel, f"not a JSON object of key -> text: {exc}") from exc
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise _fail(root, rel, "not a JSON object of key -> text")
    return data


def load_all(roots: list[Path]) -> list[Pack]:
    """Several packs; two with the same name, or a task file graded twice, is an error."""
    packs = [load(r) for r in roots]
    seen: dict[str, Path] = {}
    for p in packs:
        if p.name in seen:
            raise PackError(f"course packs {seen[p.name]} and {p.root} are both named "
                            f"{p.name!r}; rename one in its pack.toml")
        seen[p.name] = p.root
    return packs
