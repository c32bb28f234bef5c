"""The grading run: one process per submission, started by the engine as
``python -m harness.runner CONFIG.json``.

It first moves into a network namespace of its own with only loopback (where the machine
allows it), so nothing the checks start can reach beyond the machine and two submissions
graded at once cannot meet, and it becomes the subreaper of its descendants (a daemon that a
student program leaves behind is handed back to it and ended); then it runs pytest with the
plugin over the check files of the course packs it is given (the built-in packs' by default:
``harness/checks/lab9``, ``harness/checks/recipes``), ignoring every conftest, ini file and
auto-loaded plugin around it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from harness.protocol import RunConfig

INI = Path(__file__).with_name("checks") / "grading.ini"
"""pytest's settings for a grading run (its folder is the run's rootdir)."""
BUILTIN_ONLY = ("--assert=plain", "--capture=no", *(f"-pno:{name}" for name in (
    "doctest", "junitxml", "pastebin", "legacypath", "tmpdir", "monkeypatch", "recwarn",
    "setuponly", "setupplan", "stepwise", "logging", "unittest", "unraisableexception",
    "threadexception", "debugging", "faulthandler", "subtests")))
"""For the built-in packs only (``builtin`` in the run's configuration), whose checks use none
of these: no assertion rewriting (their ``assert`` lines only narrow types after a verdict;
rewriting every module on import cost about a quarter of a second of CPU per run), no output
capture (they print nothing; and a run forked by a template, :mod:`harness.template`, writes
to its own log, not to the descriptors the template's capture would have saved) and none
of pytest's plugins they do not use (nor :func:`_no_wrapped_fixture_scan`). A course pack's
checks keep pytest's defaults."""


def main(argv: list[str]) -> int:
    given = Path(argv[0])
    cfg = RunConfig.from_json(given.read_text(encoding="utf-8"), where=str(given))
    cfg_path = prepare(cfg, given)
    import pytest

    if cfg.builtin:
        _no_wrapped_fixture_scan()
    return int(pytest.main(pytest_args(cfg, cfg_path)))


def prepare(cfg: RunConfig, given: Path) -> Path:
    """Everything of a run before pytest: its namespaces, its subreaper and janitor, its
    cgroup; returns the configuration file for the plugin (``--lg-config``)."""
    from harness.sandbox.reaper import become_subreaper

    become_subreaper()  # orphaned student processes come back to us, to be ended
    iso = cfg.isolation
    if cfg.want_netns:
        from harness.sandbox import isolation

        iso["netns"] = isolation.enter_network_namespace()
        if iso["netns"] and cfg.want_pidns and not iso["pidns"]:
            iso["pidns"] = isolation.can_unshare(isolation.CLONE_NEWPID)  # in our user ns
        if iso["pidns"]:
            from harness.sandbox.launcher import enter_pid_namespace

            # the run itself is PID 1 of a namespace of its own: however it ends (even
            # killed by the engine's last-resort timeout), nothing it started outlives it
            enter_pid_namespace()
    from harness.sandbox import cgroups
    from harness.sandbox.reaper import start_janitor

    start_janitor()  # orphans are reaped as they die, not only at the end
    cgroups.available()  # join the run's cgroup (set by the engine) before anything starts
    # the plugin's copy, with the namespaces entered (the engine's file stays as written;
    # the isolation goes back in the run's report)
    cfg_path = given.with_name("run.json")
    cfg_path.write_text(cfg.to_json(), encoding="utf-8")
    return cfg_path


def pytest_args(cfg: RunConfig, cfg_path: Path | str) -> list[str]:
    """pytest's command line for the run of ``cfg`` (its plugin reads ``cfg_path``)."""
    return ["-p", "harness.plugin", "-p", "pytest_timeout", "-p", "no:cacheprovider",
            "--noconftest", "-c", str(INI), "--rootdir", str(INI.parent), "-q", "-rN",
            "--no-header", "--tb=native", "--lg-config", str(cfg_path),
            "-o", f"timeout={cfg.check_timeout:g}",
            "-p", "harness.packs.collect", "--continue-on-collection-errors",
            *(BUILTIN_ONLY if cfg.builtin else ()), *cfg.files()]


def _no_wrapped_fixture_scan() -> None:
    """pytest 9 unwraps every attribute of every plugin and test module it scans for
    fixtures, only to warn about a fixture hidden behind another decorator: about a tenth
    of a grading run's CPU spent on a warning meant for authors of fixtures. The built-in
    packs' fixtures are ours, and tested; a course pack's run keeps the warning."""
    from _pytest.fixtures import FixtureManager

    if hasattr(FixtureManager, "_check_for_wrapped_fixture"):
        FixtureManager._check_for_wrapped_fixture = lambda *_args, **_kw: None  # type: ignore[method-assign]


if __name__ == "__main__":
    os.environ.pop("PYTEST_ADDOPTS", None)
    sys.exit(main(sys.argv[1:]))
