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


def test_an_installed_copy_carries_the_built_in_packs(tmp_path: Path) -> None:
    """What setuptools puts in the wheel (``build_py``, the wheel's contents) holds every
    file of the built-in packs, and there they load, lint clean and find their reference and
    template in ``harness/_data``."""
    import subprocess
    import sys

    lib = tmp_path / "lib"
    proc = subprocess.run(
        [sys.executable, "-c", "import setuptools; setuptools.setup()", "-q", "build_py",
         "--build-lib", str(lib)], cwd=REPO, capture_output=True, text=True, timeout=300,
        check=False)
    assert proc.returncode == 0, proc.stderr
    tracked = [p.relative_to(REPO).as_posix() for p in (REPO / "harness" / "checks").rglob("*")
               if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"]
    packs = [f for f in tracked if f.count("/") >= 3]  # harness/checks/<pack>/...
    assert any(f.endswith("lab9/pack.toml") for f in packs)
    assert any("/mutants/" in f for f in packs) and any("/i18n/" in f for f in packs)
    assert [f for f in tracked if not (lib / f).is_file()] == []
    script = ("from harness.packs import builtin\nfrom harness.packs.lint import lint\n"
              "for p in builtin():\n    print(p.name, p.reference, p.template, lint(p))\n")
    shown = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True,
                           text=True, env={"PYTHONPATH": str(lib), "PATH": "/usr/bin:/bin"},
                           timeout=120, check=False)
    assert shown.returncode == 0, shown.stderr
    data = lib / "harness" / "_data"
    assert shown.stdout.splitlines() == [
        f"{name} {data / 'reference'} {data / 'student_template'} []"
        for name in ("lab9", "recipes")]
