"""A pids cgroup per student process, where the machine gives one (Linux, as root, a writable
``pids`` hierarchy, v1 or v2), for the levels without a PID namespace.

The engine creates one group per grading run (:func:`create_run_group`) and names it to the
run in :data:`RUN_ENV`; the run moves itself into it, and each student process moves itself
into a child group of its own (``pids.max`` = the ``processes`` limit) before any student
code runs. Its processes are then found by the kernel's list, not by a tag a program can
clear: a fork chain that leaves its session and clears its tag is bounded and ended, and the
engine ends whatever a run it killed left (:meth:`Group.close` on the run's group).
"""

from __future__ import annotations

import itertools
import os
import signal
import sys
from pathlib import Path

RUN_ENV = "LABGRADE_CGROUP"
HIERARCHIES = ("/sys/fs/cgroup/pids", "/sys/fs/cgroup/unified", "/sys/fs/cgroup")
ROUNDS = 100


class Group:
    """One cgroup folder: its processes can be listed, killed, and the folder removed."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def procs_file(self) -> str:
        return str(self.path / "cgroup.procs")

    def pids(self) -> list[int]:
        out = []
        for folder, _dirs, _files in os.walk(self.path):
            try:
                text = Path(folder, "cgroup.procs").read_text(encoding="ascii")
            except OSError:
                continue
            out += [int(p) for p in text.split()]
        return out

    def kill(self) -> None:
        """SIGKILL every process in the group and its children, until none is left (the
        ``pids.max`` bound keeps a fork bomb from outrunning it)."""
        kill_file = self.path / "cgroup.kill"
        if kill_file.exists():
            try:
                kill_file.write_text("1", encoding="ascii")
            except OSError:
                pass
        for _ in range(ROUNDS):
            pids = self.pids()
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass

    def close(self) -> None:
        """Kill what is left and remove the folder (children first). Never raises."""
        self.kill()
        for folder, _dirs, _files in sorted(os.walk(self.path), key=lambda w: -len(w[0])):
            for _ in range(ROUNDS):
                try:
                    os.rmdir(folder)
                    break
                except FileNotFoundError:
                    break
                except OSError:  # the kernel has not finished with an exiting process yet
                    self.kill()


class RunGroup(Group):
    """The grading run's group: makes one child group per student process."""

    _names = itertools.count()

    def create(self, max_pids: int) -> Group | None:
        path = self.path / f"s{next(self._names)}"
        try:
            path.mkdir()
            (path / "pids.max").write_text(str(max_pids), encoding="ascii")
        except OSError:
            Group(path).close()
            return None
        return Group(path)


def _hierarchy() -> Path | None:
    for root in HIERARCHIES:
        path = Path(root)
        if (path / "cgroup.procs").is_file() and _has_pids(path):
            return path
    return None


def _has_pids(path: Path) -> bool:
    if (path / "pids.max").exists() or path.name == "pids":
        return True
    try:  # v2: the controller must be available and enabled for children
        if "pids" not in (path / "cgroup.controllers").read_text().split():
            return False
        if "pids" not in (path / "cgroup.subtree_control").read_text().split():
            (path / "cgroup.subtree_control").write_text("+pids")
        return True
    except OSError:
        return False


def create_run_group(token: str) -> RunGroup | None:
    """A group for one grading run, or None where the machine gives none (not Linux, not
    root, no writable pids hierarchy)."""
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        return None
    root = _hierarchy()
    if root is None:
        return None
    path = root / f"labgrade-{token}"
    try:
        path.mkdir()
    except OSError:
        return None
    group = RunGroup(path)
    if (path / "cgroup.subtree_control").exists():
        try:  # v2: processes may only live in leaves once controllers are enabled
            (path / "cgroup.subtree_control").write_text("+pids")
        except OSError:
            group.close()
            return None
    return group


def join(procs_file: str) -> None:
    """Move the calling process into the group whose ``cgroup.procs`` this is."""
    with open(procs_file, "w", encoding="ascii") as f:
        f.write(str(os.getpid()))


_available: RunGroup | bool | None = False


def available() -> RunGroup | None:
    """The run's group named in :data:`RUN_ENV` (set by the engine), once this process has
    joined it; None without one."""
    global _available
    if _available is False:
        path = os.environ.get(RUN_ENV)
        _available = None
        if path and Path(path, "cgroup.procs").is_file():
            group = RunGroup(Path(path))
            try:
                # v2 forbids processes in a group with children: the run sits in a leaf
                leaf = group.path / "run"
                leaf.mkdir(exist_ok=True)
                join(str(leaf / "cgroup.procs"))
                _available = group
            except OSError:
                _available = None
    return _available if isinstance(_available, RunGroup) else None
