"""The grading run: one process per submission, started by the engine as
``python -m harness.runner CONFIG.json``.

It first moves into a network namespace of its own with only loopback (where the machine
allows it), so nothing the checks start can reach beyond the machine and two submissions
graded at once cannot meet, and it becomes the subreaper of its descendants (a daemon that a
student program leaves behind is handed back to it and ended); then it runs pytest over
``harness/checks`` with the plugin, ignoring every conftest, ini file and auto-loaded plugin
around it.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

CHECKS_DIR = Path(__file__).with_name("checks")
INI = CHECKS_DIR / "grading.ini"


def main(argv: list[str]) -> int:
    cfg_path = Path(argv[0])
    cfg = json.loads(cfg_path.read_text(encoding="utf-8"))
    from harness.sandbox.reaper import become_subreaper

    become_subreaper()  # orphaned student processes come back to us, to be ended
    if cfg.get("want_netns"):
        from harness.sandbox import isolation

        iso = cfg["isolation"]
        iso["netns"] = isolation.enter_network_namespace()
        if iso["netns"] and cfg.get("want_pidns") and not iso["pidns"]:
            iso["pidns"] = isolation.can_unshare(isolation.CLONE_NEWPID)  # in our user ns
        cfg_path.write_text(json.dumps(cfg), encoding="utf-8")
        if iso["pidns"]:
            from harness.sandbox.launcher import enter_pid_namespace

            # the run itself is PID 1 of a namespace of its own: however it ends (even
            # killed by the engine's last-resort timeout), nothing it started outlives it
            enter_pid_namespace()
    import pytest

    args = ["-p", "harness.plugin", "-p", "pytest_timeout", "-p", "no:cacheprovider",
            "--noconftest", "-c", str(INI), "--rootdir", str(CHECKS_DIR), "-q", "-rN",
            "--no-header", "--tb=short", "--lg-config", str(cfg_path),
            "-o", f"timeout={cfg.get('check_timeout', 120)}",
            *(["-p", "harness.packs.collect", "--continue-on-collection-errors",
               *cfg["course_files"]] if cfg.get("courses")
              else [str(CHECKS_DIR)])]
    code = pytest.main(args)
    return int(code)


if __name__ == "__main__":
    os.environ.pop("PYTEST_ADDOPTS", None)
    sys.exit(main(sys.argv[1:]))
