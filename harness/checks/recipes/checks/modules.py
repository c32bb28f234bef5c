"""The modules a recipe's file imports, read from its syntax tree (nothing is run)."""

from __future__ import annotations

import ast
import sys

from harness.api import Student


def imported_modules(student: Student) -> list[str]:
    """Top-level names of every module the student's file imports, anywhere in the file
    (``import a.b``, ``from a import b``, ``__import__("a")``, ``importlib.import_module("a")``
    with a literal name), in order of appearance, without repeats. Read from the syntax tree
    of the submitted file: nothing is run."""
    def parse() -> list[str]:
        tree = ast.parse(student.source(), filename=student.file)
        names: list[str] = []
        for node in ast.walk(tree):
            found: list[str] = []
            if isinstance(node, ast.Import):
                found = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found = [node.module]
            elif isinstance(node, ast.Call) and _dynamic_import(node):
                found = [node.args[0].value]  # type: ignore[attr-defined]
            for name in found:
                top = name.split(".")[0]
                if top and top not in names:
                    names.append(top)
        return names

    return student.cached("imports", parse)


def _dynamic_import(node: ast.Call) -> bool:
    func = node.func
    named = (isinstance(func, ast.Name) and func.id == "__import__") or \
        (isinstance(func, ast.Attribute) and func.attr == "import_module")
    return named and bool(node.args) and isinstance(node.args[0], ast.Constant) \
        and isinstance(node.args[0].value, str)


def non_standard(modules: list[str]) -> list[str]:
    """The modules that are not part of Python's standard library."""
    return [m for m in modules if m not in sys.stdlib_module_names]
