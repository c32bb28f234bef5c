"""pytest wiring of course packs in the grading run (``-p harness.packs.collect``).

The run is given each pack's check files as paths. A Python check module is imported under
a name of its own (``labgrade_pack.<pack>.<stem>``: two packs may both have
``test_server.py``; helpers beside it are reached with relative imports); a TOML exercise
becomes a module built by :func:`harness.packs.declarative.module`. Both are collected like
the built-in checks, with the same fixtures and the same scored outcomes.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from harness.packs import declarative
from harness.plugin import CONFIG

_FOLDERS = pytest.StashKey[dict[Path, "str | None"]]()


def _pack_of(path: Path, config: pytest.Config) -> str | None:
    """The pack name when ``path`` is a check file of a pack of this run (each folder
    resolved once: pytest asks for every file it walks)."""
    folders = config.stash.setdefault(_FOLDERS, {})
    folder = path.resolve().parent if path.is_symlink() else path.parent
    if folder not in folders:
        real = folder.resolve()
        folders[folder] = next((str(name) for root, name in config.stash[CONFIG].courses.items()
                                if real == Path(root) / "checks"), None)
    return folders[folder]


class PackModule(pytest.Module):
    """A pack's check file, loaded without touching ``sys.path``."""

    pack: str = ""

    def _getobj(self) -> Any:
        if self.path.suffix == ".toml":
            return declarative.module(declarative.load(self.path, self.pack))
        usable = _preloads_usable(self.config.stash[CONFIG].builtin)  # before _package()
        package = _package(self.pack, self.path.parent)
        name = f"{package}.{self.path.stem}"
        ready = sys.modules.get(name)
        mark = getattr(ready, PRELOADED, None)
        if usable and mark and mark[0] == str(self.path):
            return ready  # imported by the warm server, untouched since (preload())
        spec = importlib.util.spec_from_file_location(name, self.path)
        if spec is None or spec.loader is None:
            raise pytest.UsageError(f"cannot import {self.path}")
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        spec.loader.exec_module(mod)
        return mod


PRELOADED = "__labgrade_preloaded__"
"""Set on each module :func:`preload` imported: ``(file, mtime_ns)`` when it was read."""
_fresh: bool | None = None


def preload(checks: list[tuple[str, Path]]) -> None:
    """Import these check modules (``(pack name, file)``) and what they import of their pack,
    marking each with its file's time (the warm server, for a batch: every grading run it
    forks finds them imported). Only for the built-in packs, whose modules only define
    things when imported and are collected without assertion rewriting."""
    before = set(sys.modules)
    for pack, path in checks:
        importlib.import_module(f"{_package(pack, path.parent)}.{path.stem}")
    for name in set(sys.modules) - before:
        file = getattr(sys.modules[name], "__file__", None)
        if name.startswith("labgrade_pack.") and file:
            setattr(sys.modules[name], PRELOADED, (file, os.stat(file).st_mtime_ns))


def _preloads_usable(builtin: bool) -> bool:
    """Whether this run may use the preloaded modules: it grades the built-in packs and every
    preloaded module's file is as it was when read. Otherwise (decided once per run) every
    preloaded module is forgotten, so that nothing of them is found by name (a course pack
    of the same name has modules of its own), and all are imported afresh."""
    global _fresh
    if _fresh is None:
        marked = {n: getattr(m, PRELOADED) for n, m in list(sys.modules.items())
                  if getattr(m, PRELOADED, None)}
        _fresh = builtin and all(_same(*mark) for mark in marked.values())
        if not _fresh:
            for name in marked:
                del sys.modules[name]
            for name in [n for n in sys.modules if n.startswith("labgrade_pack.")]:
                del sys.modules[name]  # their packages too: rebuilt by _package()
    return _fresh


def _same(file: str, mtime_ns: int) -> bool:
    try:
        return os.stat(file).st_mtime_ns == mtime_ns
    except OSError:
        return False


def _package(pack: str, checks: Path) -> str:
    """The pack's ``checks/`` as the package ``labgrade_pack.<pack>``: its check modules can
    share helpers with relative imports (``from .common import ask``)."""
    root = sys.modules.setdefault("labgrade_pack", types.ModuleType("labgrade_pack"))
    root.__path__ = []  # a namespace of packs only, never searched on disk
    name = f"labgrade_pack.{pack}"
    if name not in sys.modules:
        package = types.ModuleType(name)
        package.__path__ = [str(checks)]
        package.__package__ = name
        sys.modules[name] = package
    return name


def pack_module(root: Path, stem: str) -> types.ModuleType:
    """The module ``checks/<stem>.py`` of the pack at ``root``, imported as a grading run
    imports it (``labgrade_pack.<pack>.<stem>``, its relative imports working): for tests of
    a pack's helpers."""
    from harness.packs.model import load

    pack = load(root)
    return importlib.import_module(f"{_package(pack.name, pack.root / 'checks')}.{stem}")


def _make(parent: pytest.Collector, path: Path, pack: str) -> PackModule:
    module: PackModule = PackModule.from_parent(parent, path=path)
    module.pack = pack
    return module


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makemodule(module_path: Path, parent: pytest.Collector) -> Any:
    pack = _pack_of(module_path, parent.config)
    return _make(parent, module_path, pack) if pack else None


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> Any:
    if file_path.suffix != ".toml":
        return None
    pack = _pack_of(file_path, parent.config)
    return _make(parent, file_path, pack) if pack else None
