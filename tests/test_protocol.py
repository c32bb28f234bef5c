"""The engine <-> grading run protocol: one typed configuration in, one typed report out,
small JSON with its shape checked where it is read."""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from pathlib import Path

import pytest

from harness.protocol import ProtocolError, RunConfig, RunReport


def config() -> RunConfig:
    return RunConfig(workdir="/w", report="/r/report.json", isolation={"netns": False},
                     limits={"wall_s": 10.0}, lang="es", only=["lab9"],
                     courses={"/p/lab9": "lab9"}, course_files=["/p/lab9/checks/test_a.py"],
                     task_files={"lab9.a": "lab9/a.py"}, builtin=True, want_netns=True)


def test_both_sides_read_what_the_other_wrote() -> None:
    cfg = config()
    assert RunConfig.from_json(cfg.to_json()) == cfg
    assert cfg.files() == ["/p/lab9/checks/test_a.py"]
    shard = RunConfig(**{**asdict(cfg), "check_files": ["/p/lab9/checks/test_b.py"]})
    assert shard.files() == ["/p/lab9/checks/test_b.py"]
    report = RunReport(outcomes=[{"id": "lab9.a.x", "status": "passed"}],
                       collected=["lab9.a.x"], isolation={"netns": True})
    assert RunReport.from_json(report.to_json()) == report
    assert RunReport.from_json("{}") == RunReport()  # a run that found nothing yet


@pytest.mark.parametrize(("change", "said"), [
    ({"extra": 1}, "unknown fields ['extra']"),
    ({"workdir": None}, "field 'workdir' is NoneType"),
    ({"only": "lab9"}, "field 'only' is str"),
    ({"check_timeout": True}, "field 'check_timeout' is bool"),
])
def test_a_malformed_configuration_is_refused_naming_the_field(change: dict[str, object],
                                                               said: str) -> None:
    data = {**json.loads(config().to_json()), **change}
    with pytest.raises(ProtocolError, match=re.escape(said)) as caught:
        RunConfig.from_json(json.dumps(data), where="config.json")
    assert str(caught.value).startswith("config.json: ")
    missing = json.loads(config().to_json())
    del missing["report"]
    with pytest.raises(ProtocolError, match="missing field 'report'"):
        RunConfig.from_json(json.dumps(missing))
    with pytest.raises(ProtocolError, match="not a JSON object"):
        RunReport.from_json("[]")


def test_the_run_reports_its_isolation_and_leaves_the_engine_s_file_as_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The run's plugin gets its own copy of the configuration (with the namespaces the run
    entered); the engine's config.json is only ever written by the engine, and the isolation
    comes back in the report."""
    from harness import engine
    from tests.conftest import REFERENCE

    seen: dict[str, str] = {}
    real = engine._run_in

    def spy(tmpdir: Path, *args: object, **kwargs: object) -> object:
        out = real(tmpdir, *args, **kwargs)  # type: ignore[arg-type]
        seen["config"] = (tmpdir / "config.json").read_text(encoding="utf-8")
        seen["written"] = json.dumps(out[0]["isolation"])  # type: ignore[index]
        return out

    monkeypatch.setattr(engine, "_run_in", spy)
    result = engine.grade(REFERENCE, only=["recipes.r05_byte_order"], report=False, shards=1)
    assert {c.status for c in result.checks} == {"passed"}
    sent = RunConfig.from_json(seen["config"])
    assert sent.isolation["netns"] is False  # as the engine wrote it: the run enters it
    assert ("netns" in result.isolation) == json.loads(seen["written"])["netns"]


def test_the_journal_keeps_each_whole_outcome_in_order(tmp_path: Path) -> None:
    """A run appends each finished check's outcome to the journal beside its report; read
    back in order, without a last line cut short by a kill, nor anything but objects."""
    from harness.protocol import journal_path, read_journal

    report = tmp_path / "report.json"
    assert read_journal(report) == []  # no journal: a run that finished no check
    first, second = {"id": "lab9.a.x", "status": "passed"}, {"id": "lab9.a.y", "status": "failed"}
    journal_path(report).write_text(
        f"{json.dumps(first)}\n[1, 2]\n{json.dumps(second)}\n{json.dumps(first)[:12]}",
        encoding="utf-8")
    assert journal_path(report) == tmp_path / "report.json.outcomes"
    assert read_journal(report) == [first, second]
