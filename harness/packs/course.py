"""``labgrade course new`` and ``labgrade course test``: start a pack, and prove it both ways.

``course test`` refuses a pack unless: it lints clean (:mod:`harness.packs.lint`), its
reference earns full marks, its template earns zero, and each declared mutant fails exactly
the checks pack.toml says it loses (a mutant is graded on the tasks whose files it replaces:
the rest is the reference, proven already). Every refusal names the pack, the file and the
check.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from harness.errors import UsageError
from harness.packs import courses
from harness.packs.lint import lint
from harness.packs.model import Mutant, Pack
from harness.packs.starter import files as starter_files


def new_pack(dest: Path, *, name: str | None = None) -> list[Path]:
    """Write the starting pack into ``dest`` (new or empty); returns the files written."""
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise UsageError(f"cannot create a course pack in {dest}: it exists and is not an "
                         "empty folder; choose a new folder")
    pack = name or re.sub(r"[^a-z0-9_]", "_", dest.resolve().name.lower()).strip("_")
    if not pack or not pack[0].isalpha():
        pack = "curso"
    written = []
    for rel, text in starter_files(pack).items():
        path = dest / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


@dataclass
class PackTest:
    """The outcome of ``course test``: a line per step, and the problems found."""

    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _cause(traceback: str) -> str:
    """The line of a traceback or pytest log that names the error (``E   ImportError: ...``)."""
    lines = [ln.strip().removeprefix("E").strip() for ln in traceback.splitlines()
             if re.match(r"^(E\s+)?\w+(Error|Exception)\b", ln.strip())]
    return lines[0][:300] if lines else "see the traceback in results.json"


def _changed_tasks(pack: Pack, mutant: Mutant) -> list[str] | None:
    """The tasks a mutant must be graded on: those whose files it replaces (the others are
    the reference's, which earned full marks), or every task (None) when it replaces a file
    that is no task's own (a helper module any task may import) or says it loses a check of
    a task it does not touch."""
    files = {p.relative_to(mutant.path).as_posix() for p in mutant.path.rglob("*")
             if p.is_file() and "__pycache__" not in p.parts}
    tasks = {t.id for t in pack.tasks.values() if t.file in files}
    if files - {t.file for t in pack.tasks.values()} or not tasks:
        return None
    if any(not any(c.startswith(t + ".") for t in tasks) for c in mutant.loses):
        return None
    return sorted(tasks)


def prove_pack(root: Path, *, lang: str = "en", isolation: str = "auto",
              say: Callable[[str], None] | None = None) -> PackTest:
    """Lint the pack, then grade its reference, its template and each mutant with it."""
    out = PackTest()

    def line(text: str) -> None:
        out.lines.append(text)
        if say is not None:
            say(text)

    from harness.engine import grade

    pack = courses([root])[0]
    found = lint(pack)
    if found:
        out.problems += found
        for p in found:
            line(f"✘ {p}")
        return out
    line(f"✔ lint: {len(pack.tasks)} tasks, {len(pack.check_ids())} checks, es and en")
    name = pack.root.name
    ref = grade(pack.reference, lang=lang, isolation=isolation, courses=[pack.root],
                report=False)
    bad = [c for c in ref.checks if c.status != "passed"]
    for c in bad:
        out.problems.append(f"{name}/reference: {c.id} {c.status}: {c.message}"
                            + (f" ({_cause(c.traceback)})" if c.status == "error" else ""))
    line(f"{'✘' if bad else '✔'} reference: {ref.score:g}/{ref.max_score:g}")
    tpl = grade(pack.template, lang=lang, isolation=isolation, courses=[pack.root],
                report=False)
    scored = [c for c in tpl.checks if c.score > 0 or c.status == "error"]
    for c in scored:
        out.problems.append(f"{name}/template: {c.id} {c.status} (a template earns zero)"
                            + (f": {c.message}" if c.status == "error" else ""))
    line(f"{'✘' if scored else '✔'} template: {tpl.score:g}/{tpl.max_score:g}")
    for m in pack.mutants:
        with tempfile.TemporaryDirectory(prefix="labgrade-mutant-") as tmp:
            sub = Path(tmp) / m.name
            shutil.copytree(pack.reference, sub,
                            ignore=shutil.ignore_patterns("__pycache__"))
            shutil.copytree(m.path, sub, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("__pycache__"))
            result = grade(sub, lang=lang, isolation=isolation, courses=[pack.root],
                           report=False, only=_changed_tasks(pack, m))
        lost = {c.id for c in result.checks if c.status != "passed"}
        errors = [c for c in result.checks if c.status == "error"]
        missed = sorted(set(m.loses) - lost)
        extra = sorted(lost - set(m.loses) - {c.id for c in errors})
        for check_id in missed:
            out.problems.append(f"{name}/mutants/{m.name}: {check_id} passed, but pack.toml "
                                "says this mutant loses it")
        for check_id in extra:
            msg = next(c.message for c in result.checks if c.id == check_id)
            out.problems.append(f"{name}/mutants/{m.name}: {check_id} failed too (not in its "
                                f"loses): {msg}")
        for c in errors:
            out.problems.append(f"{name}/mutants/{m.name}: {c.id} error: {c.message}")
        ok = not (missed or extra or errors)
        line(f"{'✔' if ok else '✘'} mutant {m.name}: loses {', '.join(sorted(lost)) or '—'}")
    for p in out.problems:
        line(f"  {p}")
    return out
