"""The listings behind the scan of the host's world-writable folders, kept between grading
commands (harness.sandbox.scancache): a folder is listed again whenever it changed since, so
a folder made world-writable, or created world-writable, after they were kept is still found
(and covered in the student's view) by the next grading."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest

from harness.sandbox import mounts, scancache


@pytest.fixture
def host(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """A small machine: one writable mount (a tree of folders), a cache folder beside it,
    and the folders each scan listed."""
    root = tmp_path / "root"
    for rel in ("usr/lib/python", "var/lib", "srv/data"):
        (root / rel).mkdir(parents=True)
    for folder in [root, *root.rglob("*")]:
        folder.chmod(0o755)
    (root / "var" / "tmp").mkdir()
    (root / "var" / "tmp").chmod(0o1777)
    table = [["99", "27", "254:0", "/", str(root), "rw,relatime", "-", "ext4", "/dev/x", "rw"]]
    monkeypatch.setattr(mounts, "_mount_rows", lambda: [list(r) for r in table])
    # the folders were all made a moment ago: kept anyway here (the tests of the rule set it)
    monkeypatch.setattr(mounts, "RACY_NS", 0)
    listed: list[str] = []
    real = os.scandir

    def scandir(path: Any) -> Any:
        listed.append(str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    return {"root": root, "table": table, "listed": listed, "cache": str(tmp_path / "cache")}


def scan(host: dict[str, Any]) -> list[str]:
    host["listed"].clear()
    return scancache.world_writable(host["cache"])


def test_unchanged_folders_are_not_listed_again(host: dict[str, Any]) -> None:
    root = host["root"]
    first = scan(host)
    assert first == [str(root / "var" / "tmp")]
    assert str(root / "srv") in host["listed"]
    kept = Path(host["cache"]) / scancache.FILE
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE(Path(host["cache"]).stat().st_mode) == 0o700
    assert scan(host) == first
    assert host["listed"] == []  # every folder looked at, none listed


def test_a_folder_made_world_writable_since_is_found(host: dict[str, Any]) -> None:
    root = host["root"]
    scan(host)
    (root / "srv" / "data").chmod(0o777)  # its mode and change time move, nothing else
    assert str(root / "srv" / "data") in scan(host)


def test_a_folder_created_world_writable_is_found_even_with_its_parents_times_put_back(
        host: dict[str, Any]) -> None:
    root = host["root"]
    scan(host)
    lib = root / "var" / "lib"
    before = lib.stat()
    (lib / "sessions").mkdir()
    (lib / "sessions").chmod(0o1733)
    os.utime(lib, ns=(before.st_atime_ns, before.st_mtime_ns))  # mtime as it was
    assert lib.stat().st_mtime_ns == before.st_mtime_ns
    assert str(lib / "sessions") in scan(host)
    assert host["listed"] == [str(lib)]  # the one folder that changed


def test_a_file_system_mounted_since_is_scanned(host: dict[str, Any], tmp_path: Path) -> None:
    scan(host)
    other = tmp_path / "other"
    (other / "shared").mkdir(parents=True)
    other.chmod(0o755)
    (other / "shared").chmod(0o777)
    host["table"].append(["100", "27", "254:1", "/", str(other), "rw", "-", "xfs", "/dev/y", "rw"])
    assert str(other / "shared") in scan(host)


def test_kept_listings_another_user_could_have_written_are_ignored(
        host: dict[str, Any]) -> None:
    scan(host)
    kept = Path(host["cache"]) / scancache.FILE
    # listings that hide srv's subfolders, in a file anyone may write
    kept.write_text(kept.read_text().replace('["data"]', "[]"))
    kept.chmod(0o666)
    (host["root"] / "srv" / "data").chmod(0o777)
    assert str(host["root"] / "srv" / "data") in scan(host)
    assert str(host["root"] / "srv") in host["listed"]  # listed afresh
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600  # replaced by this scan's


@pytest.mark.parametrize("bad", ['[".."]', '["."]', '[""]', '["a/b"]', '["da\\u0000ta"]',
                                 '["data", "x\\u0000"]', '["data", null]', '[7]', '"data"',
                                 "DEEP"])
def test_malformed_listings_are_ignored(host: dict[str, Any], bad: str) -> None:
    scan(host)
    kept = Path(host["cache"]) / scancache.FILE
    text = kept.read_text()
    if bad == "DEEP":  # deeper than json can parse
        kept.write_text("[" * 100_000 + "]" * 100_000)
    else:
        kept.write_text(text.replace('["data"]', bad))
    scan(host)
    assert str(host["root"] / "srv") in host["listed"]


@pytest.mark.parametrize(("entry", "ok"), [
    ([[1, 2, 3, 4, 5], ["a", "b.c", "..d"]], True), ([[1, 2, 3, 4, 5], []], True),
    ([[1, 2, 3, 4, True], ["a"]], False), ([[1, 2, 3, 4], ["a"]], False),
    ([[1, 2, 3, 4, 5.0], ["a"]], False), ([[1, 2, 3, 4, 5], ["a", "b\0"]], False),
    ([[1, 2, 3, 4, 5], ["a\0b"]], False), ([[1, 2, 3, 4, 5], ["a", ".."]], False),
    ([[1, 2, 3, 4, 5], ["", "a"]], False), ([[1, 2, 3, 4, 5], [b"a"]], False),
    ([[1, 2, 3, 4, 5], "ab"], False), ([[1, 2, 3, 4, 5]], False)])
def test_only_well_formed_listings_are_taken(entry: list[Any], ok: bool) -> None:
    """A signature is five integers (no bool, no float), the names are strings that name an
    entry of the folder (none empty, ``.``, ``..``, none with ``/`` or NUL): one bad entry and
    the file is ignored whole."""
    good = {"/srv": [[1, 2, 3, 4, 5], ["data"]]}
    assert scancache._valid(good) == good
    assert (scancache._valid({**good, "/x": entry}) is not None) is ok


@pytest.mark.parametrize("racy_ns", [mounts.RACY_NS, 0], ids=["rule", "without-the-rule"])
def test_a_folder_changed_as_the_scan_began_is_listed_again_even_if_its_times_stay(
        host: dict[str, Any], monkeypatch: pytest.MonkeyPatch, racy_ns: int) -> None:
    """On a file system whose clock ticks once a second (or on an older kernel, every few
    ms), a folder changed within the tick of the last change keeps its times: a listing made
    in that tick is not kept. Here the times never move, as if every change fell in it."""
    monkeypatch.setattr(mounts, "RACY_NS", racy_ns)
    real = mounts.signature
    monkeypatch.setattr(mounts, "signature", lambda st: [*real(st)[:3], 0, 0])
    lib = host["root"] / "var" / "lib"
    scan(host)
    (lib / "sessions").mkdir()
    (lib / "sessions").chmod(0o1733)
    found = scan(host)
    if racy_ns:
        assert str(lib / "sessions") in found
    else:  # what the rule prevents
        assert str(lib / "sessions") not in found


def test_folders_of_network_file_systems_are_listed_at_every_scan(
        host: dict[str, Any]) -> None:
    host["table"][0][7] = "nfs4"
    assert scan(host) == [str(host["root"] / "var" / "tmp")]
    assert scan(host) == [str(host["root"] / "var" / "tmp")]
    assert str(host["root"] / "srv") in host["listed"]  # listed again
    assert not (Path(host["cache"]) / scancache.FILE).exists()


def test_they_are_not_kept_in_a_folder_another_user_controls(
        host: dict[str, Any], tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("giving a folder to another user needs root")
    theirs = tmp_path / "home-of-someone-else"
    theirs.mkdir()
    os.chown(theirs, 54321, 54321)
    host["cache"] = str(theirs / ".cache" / "labgrade")
    scan(host)
    assert not (theirs / ".cache").exists()
    open_to_all = tmp_path / "open"
    open_to_all.mkdir()
    open_to_all.chmod(0o777)  # writable by others, not sticky
    host["cache"] = str(open_to_all / "labgrade")
    scan(host)
    assert not (open_to_all / "labgrade").exists()


def test_a_folder_that_could_not_be_listed_is_listed_next_time(
        host: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    root = host["root"]
    (root / "srv" / "data").chmod(0o777)
    counting = os.scandir

    def scandir(path: Any) -> Any:
        if str(path) == str(root / "srv"):
            raise PermissionError(13, "Permission denied", path)
        return counting(path)

    monkeypatch.setattr(os, "scandir", scandir)
    assert str(root / "srv" / "data") not in scan(host)
    monkeypatch.setattr(os, "scandir", counting)
    assert str(root / "srv" / "data") in scan(host)


def test_keeping_them_can_be_turned_off(host: dict[str, Any],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(scancache.OFF_ENV, "0")
    assert scancache.cache_dir() is None
    assert scancache.world_writable() == [str(host["root"] / "var" / "tmp")]
    assert not Path(host["cache"]).exists()
    monkeypatch.setenv(scancache.OFF_ENV, "1")
    monkeypatch.setenv(scancache.DIR_ENV, host["cache"])
    assert scancache.cache_dir() == host["cache"]


def test_they_are_kept_in_the_users_cache_and_never_in_the_working_folder(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(scancache.OFF_ENV, raising=False)
    monkeypatch.delenv(scancache.DIR_ENV, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert scancache.cache_dir() == str(tmp_path / ".cache" / "labgrade")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert scancache.cache_dir() == str(tmp_path / "xdg" / "labgrade")
    monkeypatch.setenv("XDG_CACHE_HOME", "relative")  # ignored, as the XDG spec says
    assert scancache.cache_dir() == str(tmp_path / ".cache" / "labgrade")
    monkeypatch.setenv("HOME", "")  # no home: "~" stays "~", a relative path
    monkeypatch.setattr(os.path, "expanduser", lambda path: path)
    assert scancache.cache_dir() is None
    monkeypatch.setenv(scancache.DIR_ENV, "cache")
    assert scancache.cache_dir() is None


def test_the_real_machine_gives_the_same_answer_kept_or_not(tmp_path: Path) -> None:
    fresh = mounts.world_writable()
    assert scancache.world_writable(str(tmp_path / "c")) == fresh
    assert (tmp_path / "c" / scancache.FILE).exists()
    assert scancache.world_writable(str(tmp_path / "c")) == fresh


def test_a_file_system_with_no_mount_of_its_own_is_scanned_too(
        host: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """A btrfs subvolume any user may create has a device of its own and no line in the
    mount table: the scan goes on into it (a real mount's folders are scanned from its own
    line, or not at all: ``/proc``)."""
    volume = host["root"] / "srv" / "data"
    (volume / "shared").mkdir()
    (volume / "shared").chmod(0o777)
    real = os.lstat

    class Elsewhere:
        def __init__(self, st: os.stat_result) -> None:
            for name in dir(st):
                if name.startswith("st_"):
                    setattr(self, name, getattr(st, name))
            self.st_dev = st.st_dev + 1000

    def lstat(path: Any, *args: Any, **kw: Any) -> Any:
        st = real(path, *args, **kw)
        inside = str(path) == str(volume) or str(path).startswith(str(volume) + os.sep)
        return Elsewhere(st) if inside else st

    monkeypatch.setattr(os, "lstat", lstat)
    assert str(volume / "shared") in scan(host)
    # the same folder as the mount point of another file system (read-only: not scanned from
    # its own line either): left to that line
    host["table"].append(["101", "27", "0:99", "/", str(volume), "ro", "-", "btrfs", "/dev/z",
                          "ro"])
    assert str(volume / "shared") not in scan(host)


def test_mount_points_are_read_with_every_escape_the_kernel_writes() -> None:
    assert mounts._unescape("/mnt/a\\040b\\011c\\012d\\134e") == "/mnt/a b\tc\nd\\e"
