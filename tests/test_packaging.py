"""The wheel carries every part of the harness, the reference and the student template."""

from __future__ import annotations

import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_every_harness_package_is_listed() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(REPO).parts)
             for p in (REPO / "harness").rglob("__init__.py")}
    assert found - listed == set()
    for data in ("reference", "student_template"):
        dirs = {f"harness._data.{data}"} | {
            f"harness._data.{data}.{d.name}" for d in (REPO / data).iterdir()
            if d.is_dir() and any(d.glob("*.py"))}
        assert dirs <= listed
