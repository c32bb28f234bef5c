"""Removing whatever a student process left: any tree it can make, never raising.

``shutil.rmtree`` recurses once per level (a 3000-level tree raises ``RecursionError``, which
``ignore_errors`` does not catch) and builds full paths (past ``PATH_MAX`` a deep tree cannot
be named at all). :func:`remove_tree` walks with directory descriptors and an explicit stack,
so depth costs memory, not recursion, and no path is ever longer than one name. It makes
unreadable folders readable first (a student may ``chmod 000`` its own folders; root does not
need it, the portable level does). A failure is reported by the return value and never
raised: a clean-up problem is the grader's housekeeping, never a verdict on the student.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

MAX_OPEN = 64
"""Folders held open at once; a deeper branch is moved up and removed from the top."""
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def remove_tree(path: str | os.PathLike[str]) -> bool:
    """Remove ``path`` and everything under it (a file or a folder; symlinks are removed,
    never followed). True when nothing of it is left."""
    path = Path(path)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    try:
        if not stat.S_ISDIR(st.st_mode):
            os.unlink(path)
            return True
        os.rmdir(path)  # empty (a box whose files lived on the student's own tmpfs)
        return True
    except OSError:
        pass
    try:
        parent = os.open(path.parent, _DIR_FLAGS)
    except OSError:
        return False
    try:
        _remove_dir(parent, path.name)
    except Exception:  # housekeeping must not raise, whatever the tree
        pass
    finally:
        os.close(parent)
    return not os.path.lexists(path)


def _open_dir(parent_fd: int, name: str) -> int | None:
    try:
        return os.open(name, _DIR_FLAGS, dir_fd=parent_fd)
    except PermissionError:
        try:
            os.chmod(name, 0o700, dir_fd=parent_fd, follow_symlinks=False)
            return os.open(name, _DIR_FLAGS, dir_fd=parent_fd)
        except (OSError, NotImplementedError):
            return None
    except OSError:
        return None


def _remove_dir(top_parent: int, top_name: str) -> None:
    """Depth first with an explicit stack of open folders: ``(fd, names left, name)``."""
    fd = _open_dir(top_parent, top_name)
    if fd is None:
        return
    stack: list[tuple[int, list[str], str]] = []
    moved = 0
    try:
        stack.append((fd, _names(fd), top_name))
        while stack:
            fd, names, done_name = stack[-1]
            if not names:
                stack.pop()
                os.close(fd)
                parent_fd = stack[-1][0] if stack else top_parent
                try:
                    os.rmdir(done_name, dir_fd=parent_fd)
                except PermissionError:
                    _make_writable(parent_fd)
                    try:
                        os.rmdir(done_name, dir_fd=parent_fd)
                    except OSError:
                        pass
                except OSError:
                    pass
                continue
            name = names.pop()
            try:
                st = os.lstat(name, dir_fd=fd)
            except OSError:
                continue
            if stat.S_ISDIR(st.st_mode):
                if len(stack) >= MAX_OPEN:
                    # too deep to hold a descriptor per level: move the rest of the branch
                    # up to the top folder (same file system) and remove it from there
                    moved += 1
                    flat = f".labgrade-flat-{moved}"
                    try:
                        os.rename(name, flat, src_dir_fd=fd, dst_dir_fd=stack[0][0])
                        stack[0][1].append(flat)
                    except OSError:
                        pass
                    continue
                child = _open_dir(fd, name)
                if child is not None:
                    stack.append((child, _names(child), name))
                continue
            try:
                os.unlink(name, dir_fd=fd)
            except PermissionError:
                _make_writable(fd)
                try:
                    os.unlink(name, dir_fd=fd)
                except OSError:
                    pass
            except OSError:
                pass
    finally:
        for fd, _names_left, _name in stack:
            os.close(fd)


def _names(fd: int) -> list[str]:
    try:
        return os.listdir(fd)
    except OSError:
        return []


def _make_writable(fd: int) -> None:
    try:
        os.chmod(fd, 0o700)
    except OSError:
        pass
