"""Issue 12: the speed levers keep every verdict. A submission's tasks split into shards (one
grading run each, at once), a run collects only the modules it grades, and both ways give the
same outcomes as one run of everything."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from harness import engine
from harness.rubric import load, task_of
from harness.sandbox.isolation import Isolation
from tests.conftest import REFERENCE, TEMPLATE

SMALL = ["recipes.r03_ipv4_convert", "recipes.r04_service_name", "recipes.r05_byte_order"]


def test_every_run_is_given_every_task_largest_first() -> None:
    """Each of the runs gets every task, in the order it tries to claim them (the task with
    the most checks first); the runs share them through the claims folder."""
    rules = load()
    tasks = rules.tasks()
    weight = {tk: sum(1 for c in rules.checks if task_of(c) == tk) for tk in tasks}
    for count in (2, 3, 4):
        parts = engine._shards(tasks, rules, count)
        assert len(parts) == count
        for part in parts:
            assert part is not None and sorted(part) == sorted(tasks)
            assert [weight[tk] for tk in part] == sorted(weight.values(), reverse=True)


def test_one_run_when_one_shard_or_a_task_has_no_module() -> None:
    rules = load()
    assert engine._shards(rules.tasks(), rules, 1) == [rules.tasks()]
    assert engine._shards(["recipes.r05_byte_order"], rules, 4) == [["recipes.r05_byte_order"]]
    odd = ["recipes.r05_byte_order", "recipes.r99_nothing"]
    assert engine._shards(odd, rules, 2) == [odd]
    assert engine._check_files(odd) == {}  # that run collects the whole suite
    with pytest.raises(engine.UsageError):
        engine._shards(rules.tasks(), rules, 0)


def _items(*tasks: str) -> list[Any]:
    """Stand-ins for collected checks: two per task, named ``task/1`` and ``task/2``."""
    from types import SimpleNamespace

    from harness.plugin import TASK

    return [SimpleNamespace(name=f"{tk}/{n}", stash={TASK: tk}) for tk in tasks for n in (1, 2)]


def test_runs_that_share_a_claims_folder_grade_each_task_once(tmp_path: Path) -> None:
    """Two runs over the same checks, in turns: each task is graded by exactly one of them,
    whole; while one run is busy with a long task, the other takes every task left; and
    pytest is told the next check each run will really run."""
    from harness.plugin import claimed

    tasks = ["slow", "a", "b", "c", "d"]
    one = claimed(_items(*tasks), tmp_path)
    two = claimed(_items(*tasks), tmp_path)
    first = [next(one)]  # run one starts the slow task...
    second = list(two)  # ...and run two takes everything else meanwhile
    first += list(one)
    names = [[item.name for item, _ in run] for run in (first, second)]
    assert names[0] == ["slow/1", "slow/2"]
    assert names[1] == ["a/1", "a/2", "b/1", "b/2", "c/1", "c/2", "d/1", "d/2"]
    for run in (first, second):
        nexts = [None if nxt is None else nxt.name for _, nxt in run]
        assert nexts == [*[item.name for item, _ in run][1:], None]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(tasks)


def test_without_a_writable_claims_folder_every_run_grades_every_task(tmp_path: Path) -> None:
    from harness.plugin import claimed

    gone = tmp_path / "gone"  # the engine's folder, removed: no task may go ungraded
    assert [item.name for item, _ in claimed(_items("a", "b"), gone)] == \
        ["a/1", "a/2", "b/1", "b/2"]


def test_merged_runs_report_the_weakest_isolation_and_every_outcome() -> None:
    strong = Isolation(netns=True, pidns=True, uid=5000, rlimits=True, view=True)
    weak = Isolation(netns=False, pidns=True, uid=None, rlimits=True, view=True)
    runs: list[tuple[dict[str, Any], str]] = [
        ({"outcomes": [{"id": "a.b.c"}], "collected": ["a.b.c"], "isolation": vars(strong),
          "budget_s": None, "exit_code": 0}, "log one"),
        ({"outcomes": [{"id": "a.d.e"}], "collected": ["a.d.e", "a.d.f"],
          "isolation": vars(weak), "budget_s": 600.0, "exit_code": None,
          "collect_errors": ["x"]}, "log two")]
    raw, log = engine._merge(runs, strong)
    assert Isolation(**raw["isolation"]).describe() == weak.describe()
    assert [o["id"] for o in raw["outcomes"]] == ["a.b.c", "a.d.e"]
    assert raw["collected"] == ["a.b.c", "a.d.e", "a.d.f"]
    assert raw["budget_s"] == 600.0 and raw["collect_errors"] == ["x"]
    assert log == "log one\nlog two"


def _verdicts(path: Path, shards: int) -> list[tuple[str, str, float]]:
    result = engine.grade(path, only=SMALL, report=False, shards=shards)
    return [(c.id, c.status, c.score) for c in result.checks]


@pytest.mark.parametrize("path", [REFERENCE, TEMPLATE], ids=["reference", "template"])
def test_sharded_grading_gives_the_verdicts_of_one_run(path: Path) -> None:
    one = _verdicts(path, 1)
    assert len(one) == 7
    assert {s for _, s, _ in one} == ({"passed"} if path == REFERENCE else {"failed"})
    assert _verdicts(path, 3) == one


def test_a_run_collects_only_the_selected_modules(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[str]] = []
    real = engine._run_suite

    def spy(*args: Any, **kwargs: Any) -> tuple[dict[str, Any], str]:
        raw, log = real(*args, **kwargs)
        seen.append(sorted(raw.get("collected") or []))
        return raw, log

    monkeypatch.setattr(engine, "_run_suite", spy)
    result = engine.grade(REFERENCE, only=["recipes.r05_byte_order.long"], report=False)
    assert [c.id for c in result.checks] == ["recipes.r05_byte_order.long"]
    assert seen == [["recipes.r05_byte_order.long", "recipes.r05_byte_order.short"]]


def test_a_check_the_rubric_does_not_name_still_runs(tmp_path: Path) -> None:
    """A rubric naming only r04's checks: r05's (a task it does not name) still run, worth
    default_points, as when every module was collected."""
    rubric = tmp_path / "r.toml"
    rubric.write_text('default_points = 2\n[checks]\n"recipes.r04_service_name.well_known_tcp"'
                      ' = 1\n"recipes.r04_service_name.udp_protocol" = 1\n', encoding="utf-8")
    result = engine.grade(REFERENCE, rubric=rubric, only=["recipes.r0"], report=False)
    scores = {c.id: c.score for c in result.checks}
    assert scores["recipes.r04_service_name.well_known_tcp"] == 1.0
    assert scores["recipes.r05_byte_order.long"] == scores["recipes.r05_byte_order.short"] == 2.0
    assert {task_of(c) for c in scores} == {t for t in engine._builtin_tasks()
                                            if t.startswith("recipes.r0")}
    assert all(c.status == "passed" for c in result.checks)


@pytest.mark.parametrize(("busy", "cores", "shards"), [
    (0.0, 2, 2), (0.4, 2, 2), (0.6, 2, 1), (5.0, 2, 1), (0.0, 8, 4), (3.0, 8, 4), (5.0, 8, 3)])
def test_default_shards_are_the_idle_cores(monkeypatch: pytest.MonkeyPatch, busy: float,
                                           cores: int, shards: int) -> None:
    """One grading run per idle core (at most 4): on a busy machine more runs only add their
    start-up, so the processes running now take cores away."""
    monkeypatch.setattr(engine.os, "sched_getaffinity", lambda _pid: set(range(cores)))
    monkeypatch.setattr(engine, "busy_cores", lambda: busy)
    assert engine.default_shards() == shards


@pytest.mark.parametrize(("checks", "cores", "shards"), [
    (1, 2, 1), (29, 2, 1), (32, 2, 1), (33, 2, 2), (85, 2, 2), (85, 8, 3), (500, 8, 4)])
def test_a_run_has_a_share_of_checks_worth_its_start(
        monkeypatch: pytest.MonkeyPatch, checks: int, cores: int, shards: int) -> None:
    """At most one run per RUN_CHECKS selected checks: lab9 alone (29) is one run even on
    idle cores, everything (85) two on two cores; and the idle cores still bound it."""
    monkeypatch.setattr(engine.os, "sched_getaffinity", lambda _pid: set(range(cores)))
    monkeypatch.setattr(engine, "busy_cores", lambda: 0.0)
    assert engine.RUN_CHECKS == 32
    assert engine.default_shards(checks) == shards
    monkeypatch.setattr(engine, "busy_cores", lambda: float(cores))
    assert engine.default_shards(checks) == 1


@pytest.mark.parametrize(("run_checks", "runs"), [(4, 2), (7, 1)])
def test_grade_counts_the_selected_checks_for_its_runs(
        monkeypatch: pytest.MonkeyPatch, run_checks: int, runs: int) -> None:
    """grade() gives default_shards the number of checks --only selects (SMALL: 7 of them),
    not the rubric's: 7 checks at 4 per run are two runs, at 7 per run one."""
    monkeypatch.setattr(engine.os, "sched_getaffinity", lambda _pid: {0, 1})
    monkeypatch.setattr(engine, "busy_cores", lambda: 0.0)
    monkeypatch.setattr(engine, "RUN_CHECKS", run_checks)
    calls: list[int] = []
    real = engine._run_suite

    def spy(*args: Any, **kwargs: Any) -> tuple[dict[str, Any], str]:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "_run_suite", spy)
    result = engine.grade(REFERENCE, only=SMALL, report=False)
    assert len(result.checks) == 7 and {c.status for c in result.checks} == {"passed"}
    assert len(calls) == runs


@pytest.mark.skipif(not Path("/proc/stat").exists(), reason="needs Linux's /proc/stat")
def test_busy_cores_sees_the_processes_running_now() -> None:
    """Two burners count as (at least) two busy cores while they run."""
    from tests.load import Burners

    with Burners(2):
        looks = [engine.busy_cores(looks=20) for _ in range(3)]
    assert max(looks) >= 1.5, looks


def test_busy_cores_falls_back_to_the_load_average(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_proc(*_args: Any, **_kwargs: Any) -> Any:
        raise FileNotFoundError("/proc/stat")

    monkeypatch.setattr(engine, "open", no_proc, raising=False)
    monkeypatch.setattr(engine.os, "getloadavg", lambda: (1.25, 0.0, 0.0))
    assert engine.busy_cores() == 1.25


def test_the_shard_count_is_taken_before_the_warm_server_starts(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """grade() starts the warm server early (its imports overlap the copy); the idle cores
    are counted before that, or the server's own start-up would count as a busy core and
    cost the submission its second grading run."""
    from harness import warm

    order: list[str] = []
    real_shards, real_server = engine.default_shards, warm.server

    def count(checks: int | None = None) -> int:
        order.append("count")
        return real_shards(checks)

    def server(env: dict[str, str]) -> warm.Server | None:
        order.append("server")
        return real_server(env)

    monkeypatch.setattr(engine, "default_shards", count)
    monkeypatch.setattr(warm, "server", server)
    engine.grade(REFERENCE, only=["recipes.r05_byte_order"], report=False)
    assert order[:2] == ["count", "server"], order
