"""The pytest wiring of the grading suite: options, fixtures, and scored outcomes.

The grading run (:mod:`harness.runner`) starts pytest on the check files of its course packs
(the built-in ones, ``harness/checks/lab9`` and ``harness/checks/recipes``, by default) with
this plugin, :mod:`harness.packs.collect` and ``--lg-config``, a JSON file the engine wrote.
Each test function is one check; its id is ``<module TASK>.<function name without test_>``.
Outcomes are written as plain JSON for the engine, which applies the rubric and the language.

A check's verdict is a :class:`~harness.checks.support.CheckFailed` (``failed``); any other
exception is the harness's own problem (``error``, with its traceback, never blamed on the
student); :func:`harness.api.skip` is ``skipped`` with its message (``pytest.skip`` too, with its
reason).
"""

from __future__ import annotations

import itertools
import json
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.api.verdicts import CheckSkipped
from harness.checks.student import Student
from harness.checks.support import CheckFailed, Probe
from harness.errors import HarnessError
from harness.protocol import RunConfig, journal_path
from harness.rubric import task_file
from harness.sandbox.isolation import Isolation
from harness.sandbox.runner import Limits, Sandbox
from harness.selection import check_selected

CONFIG = pytest.StashKey[RunConfig]()
OUTCOMES = pytest.StashKey[dict[str, dict[str, Any]]]()
CHECK_ID = pytest.StashKey[str]()
_CONFIG_REF: dict[str, pytest.Config] = {}  # for hooks that pytest calls without the config
TASK = pytest.StashKey[str]()
PROBE = pytest.StashKey[Probe]()
COLLECTED = pytest.StashKey[list[str]]()
COLLECT_ERRORS = pytest.StashKey[list[str]]()
ENCODED = pytest.StashKey[dict[str, str]]()
"""Each finished check's outcome as JSON: the file of outcomes is rewritten after every check
(a run stopped midway still reports what it finished) without encoding them all again."""


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("labgrade")
    group.addoption("--lg-config", help="grading run configuration (JSON, written by labgrade)")


def pytest_configure(config: pytest.Config) -> None:
    path = config.getoption("--lg-config")
    if not path:
        raise pytest.UsageError("the grading suite runs through labgrade: use "
                                "`labgrade grade DIR` (no --lg-config given)")
    try:
        config.stash[CONFIG] = RunConfig.from_json(Path(path).read_text(encoding="utf-8"),
                                                   where=str(path))
    except (OSError, HarnessError) as exc:
        raise pytest.UsageError(f"invalid --lg-config {path}: {exc}") from exc
    config.stash[OUTCOMES] = {}
    _CONFIG_REF["config"] = config
    _write_outcomes(config)  # the report exists, with the run's isolation, from the start


def check_id_of(item: pytest.Item) -> tuple[str, str]:
    module = getattr(item, "module", None)
    task = getattr(module, "TASK", None)
    name = getattr(item, "originalname", item.name)
    if not isinstance(task, str):
        raise pytest.UsageError(f"{item.nodeid}: check modules must define TASK")
    return f"{task}.{name.removeprefix('test_')}", task


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    only = config.stash[CONFIG].only
    keep, drop = [], []
    collected = config.stash[COLLECTED] = []
    for item in items:
        check_id, task = check_id_of(item)
        item.stash[CHECK_ID] = check_id
        item.stash[TASK] = task
        collected.append(check_id)
        if not check_selected(check_id, only):
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


class Grading:
    """Session-wide state: the sandbox over the private working copy, and the problems."""

    def __init__(self, cfg: RunConfig) -> None:
        self.cfg = cfg
        self.workdir = Path(cfg.workdir)
        self.sandbox = Sandbox(self.workdir, isolation=Isolation(**cfg.isolation),
                               limits=Limits(**cfg.limits), hide=cfg.hide)
        self.problems: dict[str, str] = cfg.problems
        self.cache: dict[tuple[str, str], Any] = {}
        # the sources as submitted, read before any student code runs (a student process
        # can rewrite its working copy; checks that read code use this snapshot)
        self.sources: dict[str, bytes] = {
            p.relative_to(self.workdir).as_posix(): p.read_bytes()
            for p in self.workdir.rglob("*.py") if p.is_file() and not p.is_symlink()}

    def student(self, task: str, probe: Probe) -> Student:
        file = self.cfg.task_files.get(task) or task_file(task)
        return Student(self.sandbox, file, self.problems.get(file), probe, cache=self.cache,
                       source=self.sources.get(file))


@pytest.fixture(scope="session")
def grading(request: pytest.FixtureRequest) -> Iterator[Grading]:
    g = Grading(request.config.stash[CONFIG])
    yield g
    g.sandbox.close()


@pytest.fixture
def probe(request: pytest.FixtureRequest) -> Probe:
    p = Probe(request.node.stash[CHECK_ID])
    request.node.stash[PROBE] = p
    return p


@pytest.fixture
def student(request: pytest.FixtureRequest, grading: Grading, probe: Probe) -> Iterator[Student]:
    s = grading.student(request.node.stash[TASK], probe)
    yield s
    s.stop_all()


def _fake(cls_name: str) -> Any:
    @pytest.fixture
    def fixture() -> Iterator[Any]:
        from harness import fakes

        server = getattr(fakes, cls_name)()
        server.start()
        try:
            yield server
        finally:
            server.stop()

    return fixture


web_server = _fake("WebServer")
tcp_echo_server = _fake("TcpEchoServer")
udp_echo_server = _fake("UdpEchoServer")
ntp_server = _fake("NtpServer")
iss_api = _fake("IssApi")
reset_server = _fake("ResetServer")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    outcomes = item.config.stash[OUTCOMES]
    check_id = item.stash.get(CHECK_ID, item.nodeid)
    current = outcomes.get(check_id)
    if call.when == "setup":
        current = outcomes[check_id] = {"id": check_id, "task": item.stash.get(TASK, ""),
                                        "status": "passed", "key": "", "params": {},
                                        "evidence": {}, "traceback": "", "start": call.start}
    assert current is not None
    probe = item.stash.get(PROBE, None)
    if probe is not None:
        current["evidence"] = probe.evidence
    current["duration_s"] = round(time.time() - current["start"], 4)
    if report.passed or current["status"] != "passed":
        return report  # keep the first verdict (a teardown cannot overturn a failure)
    exc = call.excinfo.value if call.excinfo is not None else None
    if report.skipped and isinstance(exc, CheckSkipped):  # harness.api.skip: a message key
        current.update(status="skipped", key=exc.key, params=_jsonable(exc.params))
    elif report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(exc)
        current.update(status="skipped", key="common.skipped",
                       params={"reason": str(reason).removeprefix("Skipped: ")})
    elif isinstance(exc, CheckFailed):
        current.update(status="failed", key=exc.key, params=_jsonable(exc.params))
    else:
        current.update(status="error", key="common.harness_error",
                       params={"error": f"{type(exc).__name__}: {exc}"[:500]},
                       traceback="".join(traceback.format_exception(exc)) if exc else
                       str(report.longrepr))
    return report


def _jsonable(params: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(params, default=str))


def _encode_finished(config: pytest.Config) -> list[str]:
    """The outcomes of the checks finished since the last call, as JSON (each encoded once:
    final once its check has finished)."""
    encoded = config.stash.setdefault(ENCODED, {})
    new = []
    for check_id, o in config.stash[OUTCOMES].items():
        if check_id not in encoded:
            encoded[check_id] = json.dumps({k: v for k, v in o.items() if k != "start"},
                                           default=str)
            new.append(encoded[check_id])
    return new


def _write_outcomes(config: pytest.Config) -> None:
    """Write the run's report (:class:`~harness.protocol.RunReport`) with every outcome so
    far (atomically): when the run starts, once its checks are collected, and at its end."""
    cfg = config.stash.get(CONFIG, None)
    if not cfg:
        return
    _encode_finished(config)
    rest = json.dumps({"collected": config.stash.get(COLLECTED, []),
                       "collect_errors": config.stash.get(COLLECT_ERRORS, []),
                       "isolation": cfg.isolation}, default=str)
    out = Path(cfg.report)
    tmp = out.with_suffix(".tmp")
    tmp.write_text(f'{{"outcomes": [{", ".join(config.stash[ENCODED].values())}], {rest[1:]}',
                   encoding="utf-8")
    tmp.replace(out)


def _journal(config: pytest.Config) -> None:
    """Append each check's outcome to the run's journal as it finishes (one JSON line): a
    run stopped midway (its time budget spent) still reports the checks it finished, without
    writing every outcome again after each check (:func:`harness.protocol.read_journal`)."""
    cfg = config.stash.get(CONFIG, None)
    if cfg is None:
        return
    new = _encode_finished(config)
    if new:
        with open(journal_path(cfg.report), "a", encoding="utf-8") as f:
            f.write("".join(f"{line}\n" for line in new))


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session: pytest.Session) -> bool | None:
    """With a claims folder (several grading runs share the submission's tasks), run the
    checks of the tasks this run claims, task by task; pytest's own loop otherwise."""
    claims = session.config.stash[CONFIG].claims
    if not claims or session.config.option.collectonly:
        return None
    for item, nextitem in claimed(session.items, Path(claims)):
        item.config.hook.pytest_runtest_protocol(item=item, nextitem=nextitem)
        if session.shouldfail:
            raise session.Failed(session.shouldfail)
        if session.shouldstop:
            raise session.Interrupted(session.shouldstop)
    return True


def claimed(items: list[pytest.Item], claims: Path
            ) -> Iterator[tuple[pytest.Item, pytest.Item | None]]:
    """``(item, the next item this run will run)`` for the items of each task this run
    claims in ``claims``, in order. A task is claimed just before the last check of the task
    before it runs (pytest tears a check's fixtures down knowing which check comes next)."""
    tasks: dict[str, list[pytest.Item]] = {}
    for item in items:
        tasks.setdefault(item.stash[TASK], []).append(item)
    mine = (group for task, group in tasks.items() if _claim(claims, task))
    current = next(mine, None)
    while current is not None:
        yield from itertools.pairwise(current)
        following = next(mine, None)
        yield current[-1], following[0] if following else None
        current = following


def _claim(claims: Path, task: str) -> bool:
    """Whether this run takes ``task``: it made the task's folder first. A claims folder that
    cannot be written is no reason to leave a task ungraded: then every run grades it (the
    engine keeps one outcome per check)."""
    try:
        (claims / task).mkdir()
    except FileExistsError:
        return False
    except OSError:
        return True
    return True


def pytest_collectreport(report: pytest.CollectReport) -> None:
    """A check module that cannot be collected (a course pack's broken import): kept, so the
    engine reports its checks as not run with the reason instead of doubting the rubric."""
    config = _CONFIG_REF.get("config")
    if report.failed and config is not None:
        config.stash.setdefault(COLLECT_ERRORS, []).append(
            f"{report.nodeid}: {str(report.longrepr)[-1500:]}")


def pytest_collection_finish(session: pytest.Session) -> None:
    _write_outcomes(session.config)  # with the checks collected


def pytest_runtest_logfinish(nodeid: str, location: tuple[str, int | None, str]) -> None:
    config = _CONFIG_REF.get("config")
    if config is not None:
        _journal(config)


def pytest_sessionfinish(session: pytest.Session) -> None:
    _write_outcomes(session.config)
