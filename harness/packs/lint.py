"""Static checks of a course pack: what ``labgrade course test`` refuses before grading.

Every problem is one line ``<pack>/<file>: <what>`` so an instructor can go straight to it.
"""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

from harness.packs import declarative
from harness.packs.model import LANGS, Pack, PackError

PUBLIC = "harness.api"


def lint(pack: Pack) -> list[str]:
    """Every problem found (empty: the pack is well formed)."""
    problems: list[str] = []
    defined: dict[str, str] = {}  # check id -> where
    used: list[tuple[str, str]] = []  # (message key, where)
    for path in pack.check_files:
        where = pack.where(path)
        if path.suffix == ".toml":
            try:
                ex = declarative.load(path, pack.name)
            except PackError as exc:
                problems.append(str(exc))
                continue
            _task_known(pack, ex.task, where, problems)
            for c in ex.checks:
                defined[f"{ex.task}.{c.name}"] = where
                used.append((c.fail, f"{where}: check {c.name!r}"))
        else:
            _python(pack, path, where, defined=defined, used=used, problems=problems)
    for helper in sorted((pack.root / "checks").glob("*.py")):
        if helper not in pack.check_files:  # same import and message rules, no TASK
            _python(pack, helper, pack.where(helper), defined=defined, used=used,
                    problems=problems, helper=True)
    rubric_ids = pack.check_ids()
    for check_id in rubric_ids:
        if check_id not in defined:
            problems.append(f"{pack.root.name}/pack.toml: points for {check_id}, but no check "
                            "defines it (a test_<name> function or a [[check]] of that task)")
    for check_id, where in defined.items():
        if check_id not in rubric_ids:
            problems.append(f"{where}: check {check_id} is not in pack.toml (add it to the "
                            "task's points)")
    titles = [(f"task.{t}", "pack.toml") for t in pack.tasks] + \
        [(f"check.{c}", "pack.toml") for c in rubric_ids]
    for key, where in [*used, *titles]:
        for lang in LANGS:
            if key not in pack.messages[lang]:
                problems.append(f"{pack.root.name}/i18n/{lang}.json: missing key {key!r} "
                                f"(used by {where})")
    problems += _catalogues(pack)
    for m in pack.mutants:
        if not m.path.is_dir() or not any(p.is_file() for p in m.path.rglob("*")):
            problems.append(f"{pack.where(m.path)}: missing or empty (put the files that "
                            "replace the reference's there)")
    declared = {m.name for m in pack.mutants}
    for folder in sorted((pack.root / "mutants").glob("*")):
        if folder.is_dir() and folder.name not in declared:
            problems.append(f"{pack.where(folder)}: not in pack.toml (add [mutants."
                            f"{folder.name}] with the checks it loses)")
    for part, folder in (("reference", pack.reference), ("template", pack.template)):
        if not folder.is_dir():
            problems.append(f"{pack.root.name}/pack.toml: the {part} folder {folder} is "
                            "missing")
    return problems


def _task_known(pack: Pack, task: str, where: str, problems: list[str]) -> None:
    if task not in pack.tasks:
        problems.append(f"{where}: task {task!r} is not in pack.toml (tasks: "
                        f"{', '.join(pack.tasks) or '—'})")


def _python(pack: Pack, path: Path, where: str, *, defined: dict[str, str],
            used: list[tuple[str, str]], problems: list[str], helper: bool = False) -> None:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (SyntaxError, UnicodeDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        problems.append(f"{where}{f':{line}' if line else ''}: cannot be read: {exc}")
        return
    task = None
    names: list[str] = []
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "TASK" for t in stmt.targets) \
                and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str):
            task = stmt.value.value
        if isinstance(stmt, ast.FunctionDef) and stmt.name.startswith("test_"):
            names.append(stmt.name.removeprefix("test_"))
        if isinstance(stmt, ast.Assign):  # checks made by a helper: test_a, test_b = make()
            for target in stmt.targets:
                elts = target.elts if isinstance(target, ast.Tuple) else [target]
                names += [e.id.removeprefix("test_") for e in elts
                          if isinstance(e, ast.Name) and e.id.startswith("test_")]
    if helper:
        pass
    elif task is None:
        problems.append(f"{where}: no TASK = \"{pack.name}.<task>\" at the top of the module")
    else:
        _task_known(pack, task, where, problems)
        for name in names:
            defined[f"{task}.{name}"] = where
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) \
                else [node.module or ""]
            if isinstance(node, ast.ImportFrom) and modules == ["harness"]:
                modules = [f"harness.{a.name}" for a in node.names]
            for mod in modules:
                if (mod == "harness" or mod.startswith("harness.")) and not (
                        mod == PUBLIC or mod.startswith(PUBLIC + ".")):
                    problems.append(f"{where}:{node.lineno}: imports {mod}, a labgrade "
                                    f"internal; use only {PUBLIC}")
        if isinstance(node, ast.Call):
            key = _message_key(node)
            if key is not None:
                used.append((key, f"{where}:{node.lineno}"))


def _message_key(call: ast.Call) -> str | None:
    """The literal key of ``fail(key, ...)``, ``skip(key, ...)``, ``say(key, ...)``,
    ``expect(ok, key, ...)`` (also as methods)."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else \
        func.id if isinstance(func, ast.Name) else ""
    index = {"fail": 0, "skip": 0, "say": 0, "expect": 1}.get(name)
    if index is None or len(call.args) <= index:
        return None
    arg = call.args[index]
    return arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None


def _fields(text: str) -> set[str]:
    try:
        return {f for _, f, _, _ in string.Formatter().parse(text) if f}
    except ValueError:
        return {"<malformed>"}


def _catalogues(pack: Pack) -> list[str]:
    out = []
    es, en = pack.messages["es"], pack.messages["en"]
    for key in sorted(set(es) ^ set(en)):
        missing = "en" if key in es else "es"
        out.append(f"{pack.root.name}/i18n/{missing}.json: missing key {key!r} (it is in the "
                   "other language)")
    prefix = re.compile(rf"^(task\.|check\.)?{re.escape(pack.name)}\.")
    for key in sorted(set(es) | set(en)):
        if not prefix.match(key):
            out.append(f"{pack.root.name}/i18n: key {key!r} must start with "
                       f"{pack.name}. (or task.{pack.name}. / check.{pack.name}.)")
        if key in es and key in en and _fields(es[key]) != _fields(en[key]):
            out.append(f"{pack.root.name}/i18n: key {key!r} has fields "
                       f"{sorted(_fields(es[key]))} in es but {sorted(_fields(en[key]))} in en")
    return out
