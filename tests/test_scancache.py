"""The scan of the host's world-writable folders kept between grading commands
(harness.sandbox.scancache): used only while everything it rests on is as it was, so a
folder made world-writable, or created world-writable, after it was kept is still found
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
    """A small machine: one writable mount (a tree of folders), a cache folder, and a count
    of the scans made (each one a full walk, as on the real machine)."""
    root = tmp_path / "root"
    for rel in ("usr/lib/python", "var/lib", "srv/data"):
        (root / rel).mkdir(parents=True)
    for folder in [root, *root.rglob("*")]:
        folder.chmod(0o755)
    (root / "var" / "tmp").mkdir(mode=0o1777)
    (root / "var" / "tmp").chmod(0o1777)
    table = [["99", "27", "254:0", "/", str(root), "rw,relatime", "-", "ext4", "/dev/x", "rw"]]
    monkeypatch.setattr(mounts, "writable_mounts", lambda: [list(r) for r in table])
    scans: list[int] = []
    real = mounts._scan

    def counted(*args: Any, **kw: Any) -> None:
        scans.append(1)
        real(*args, **kw)

    monkeypatch.setattr(mounts, "_scan", counted)
    cache = tmp_path / "cache"
    return {"root": root, "table": table, "scans": scans, "cache": str(cache)}


def test_the_kept_scan_is_used_while_nothing_changed(host: dict[str, Any]) -> None:
    root, scans = host["root"], host["scans"]
    first = scancache.world_writable(host["cache"])
    assert first == [str(root / "var" / "tmp")] and len(scans) == 1
    kept = Path(host["cache"]) / scancache.FILE
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE(Path(host["cache"]).stat().st_mode) == 0o700
    assert scancache.world_writable(host["cache"]) == first
    assert len(scans) == 1  # not scanned again


def test_a_folder_made_world_writable_since_is_found(host: dict[str, Any]) -> None:
    root, scans = host["root"], host["scans"]
    scancache.world_writable(host["cache"])
    (root / "srv" / "data").chmod(0o777)  # its change time moves; nothing else does
    found = scancache.world_writable(host["cache"])
    assert str(root / "srv" / "data") in found and len(scans) == 2
    # and a scan that would have been kept had the signatures not been checked would miss it
    assert scancache.world_writable(host["cache"]) == found and len(scans) == 2


def test_a_folder_created_world_writable_is_found_even_with_its_parents_times_put_back(
        host: dict[str, Any]) -> None:
    root = host["root"]
    scancache.world_writable(host["cache"])
    lib = root / "var" / "lib"
    before = lib.stat()
    (lib / "sessions").mkdir()
    (lib / "sessions").chmod(0o1733)
    os.utime(lib, ns=(before.st_atime_ns, before.st_mtime_ns))  # mtime as it was
    assert lib.stat().st_mtime_ns == before.st_mtime_ns
    assert str(lib / "sessions") in scancache.world_writable(host["cache"])


def test_a_changed_mount_table_scans_again(host: dict[str, Any]) -> None:
    scancache.world_writable(host["cache"])
    host["table"][0][0] = "100"  # mounted again (a new mount id)
    scancache.world_writable(host["cache"])
    assert len(host["scans"]) == 2


def test_a_kept_scan_another_user_could_have_written_is_ignored(host: dict[str, Any]) -> None:
    scancache.world_writable(host["cache"])
    kept = Path(host["cache"]) / scancache.FILE
    kept.write_text(kept.read_text().replace(str(host["root"] / "var" / "tmp"), "/nowhere"))
    kept.chmod(0o666)
    assert scancache.world_writable(host["cache"]) == [str(host["root"] / "var" / "tmp")]
    assert len(host["scans"]) == 2
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600  # replaced by the new scan


def test_a_folder_that_could_not_be_listed_is_not_kept(
        host: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.scandir
    blocked = str(host["root"] / "srv")

    def scandir(path: Any) -> Any:
        if path == blocked:
            raise PermissionError(13, "Permission denied", path)
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    scancache.world_writable(host["cache"])
    assert not (Path(host["cache"]) / scancache.FILE).exists()


def test_keeping_it_can_be_turned_off(host: dict[str, Any],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(scancache.OFF_ENV, "0")
    assert scancache.cache_dir() is None
    monkeypatch.setenv(scancache.OFF_ENV, "1")
    monkeypatch.setenv(scancache.DIR_ENV, host["cache"])
    assert scancache.cache_dir() == host["cache"]


def test_the_real_machine_gives_the_same_answer_kept_or_not(tmp_path: Path) -> None:
    fresh = mounts.world_writable()
    assert scancache.world_writable(str(tmp_path / "c")) == fresh
    assert scancache.world_writable(str(tmp_path / "c")) == fresh
