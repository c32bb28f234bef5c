"""Grade one submission: validate, copy, run the grading suite in its own process, score.

This is the library function every command calls (:func:`grade`); it is keyword-only and
free of pytest. The suite itself runs in :mod:`harness.runner`, a separate process (in its
own network namespace where possible), or in several at once, each grading a shard of the
selected tasks with the same isolation; student code runs in further children of those.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import Any, cast

from harness import __version__, warm
from harness.errors import HarnessError, UsageError
from harness.i18n import LANGS, has, t
from harness.packs import builtin, check_module, run_config, task_files
from harness.packs import courses as course_packs
from harness.packs import rubric as pack_rubric
from harness.points import total
from harness.protocol import ProtocolError, RunConfig, RunReport, read_journal
from harness.results import CheckResult, Problem, SubmissionResult, write_json
from harness.rubric import Rubric, load, task_file, task_of
from harness.sandbox import cgroups, reaper, scancache
from harness.sandbox.cleanup import remove_tree
from harness.sandbox.isolation import Isolation, detect
from harness.sandbox.runner import WRITABLE_ENV
from harness.selection import check_selected, task_selected, validate
from harness.submission import check_folder, content_hash, file_problems, private_copy, remove_copy

ISOLATION_MODES = ("auto", "strict", "portable")


class IsolationUnavailable(HarnessError):
    """``--isolation strict`` was asked for and this machine cannot give it."""


def grade(submission: Path, *, out: Path | None = None, lang: str = "es",
          rubric: Path | Rubric | None = None, timeout: float | None = None,
          isolation: str = "auto", only: list[str] | None = None,
          name: str | None = None, report: bool = True,
          hide: list[Path] | None = None,
          courses: list[Path] | None = None, shards: int | None = None) -> SubmissionResult:
    """Grade ``submission`` and, with ``out``, write ``results.json`` and ``report.html``
    there. Returns the result whatever the score; raises only for usage errors, for a
    folder that cannot be graded at all, and (``isolation="strict"``) for a machine that
    cannot give the strong level (:class:`IsolationUnavailable`).

    With a student uid, student code never sees ``out`` nor the folder holding it, the folder
    holding ``submission`` (its classmates), the grading suite, the reference, nor the
    folders in ``hide`` (a batch may pass its output root).

    ``courses``: course pack folders (:mod:`harness.packs`) graded instead of the built-in
    packs (``lab9`` and ``recipes``, :func:`harness.packs.builtin`); their rubric comes from
    their pack.toml (``rubric``, a file, overrides it). Without them, the built-in packs
    with the default rubric, or ``rubric`` (a file) instead of it.
    ``shards``: grading runs at once for this submission (default: one per idle core, at
    most 4; a batch grading several submissions at once passes fewer)."""
    if lang not in LANGS:
        raise UsageError(f"invalid language {lang!r} from --lang; choose one of "
                         f"{', '.join(LANGS)}")
    if isolation not in ISOLATION_MODES:
        raise UsageError(f"invalid isolation {isolation!r} from --isolation; choose one of "
                         f"{', '.join(ISOLATION_MODES)}")
    started = time.monotonic()
    root = check_folder(submission)
    given = course_packs(courses)  # --course: these packs instead of the built-in ones
    packs = given or builtin()
    rules = rubric if isinstance(rubric, Rubric) else \
        pack_rubric(given, rubric) if given else load(rubric)
    files = task_files(packs)
    limits = rules.limits
    if timeout is not None:
        if timeout <= 0:
            raise UsageError(f"invalid timeout {timeout} from --timeout: must be positive")
        limits = type(limits)(**{**asdict(limits), "wall_s": float(timeout)})
    validate(only, rules.checks)
    # before the server is busy
    wanted = default_shards(sum(1 for c in rules.checks if check_selected(c, only))) \
        if shards is None else shards
    warm.server(_runner_env())  # started now: its imports overlap what comes before a run
    tasks = [tk for tk in rules.tasks() if task_selected(tk, only)]
    problems = file_problems(root, [files.get(tk) or task_file(tk) for tk in tasks])
    hidden = [root, root.parent, *(hide or []), *(p.root for p in given)]
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)  # it must exist to be hidden
        hidden += [out.resolve(), out.resolve().parent]  # with the classmates' reports
    iso = _isolation(isolation, hidden)
    if isolation == "strict" and not (iso.pidns and iso.uid is not None and iso.view
                                      and iso.rlimits):
        raise _unavailable(iso)
    if _needs_scan(iso):  # in the background, while the copy is made and the runs start
        threading.Thread(target=_prescan, name="labgrade-scan", daemon=True).start()
    workdir = private_copy(root)
    os.chmod(workdir.parent, 0o700)  # no student uid reads another submission's copy
    # the modules to collect: the rubric's tasks and any other built-in task (a check the
    # rubric does not name still runs, worth default_points)
    run_tasks = tasks + [tk for tk in _builtin_tasks() if tk not in tasks
                         and task_selected(tk, only)]
    parts = [None] if given else _shards(run_tasks, rules, wanted)
    run_cfg = {**run_config(packs), "builtin": not given}
    claims = Path(tempfile.mkdtemp(prefix="labgrade-claims-")) if len(parts) > 1 else None
    if claims is not None:
        run_cfg["claims"] = str(claims)  # the runs share the tasks (see _shards)
    try:
        namespaces = {"netns", "pidns"} - _disabled() if isolation != "portable" else set()

        def run(part: list[str] | None, part_iso: Isolation) -> tuple[dict[str, Any], str]:
            return _run_suite(workdir, part_iso, limits,
                              problems={p.file: p for p in problems}, lang=lang, only=only,
                              hide=[str(h) for h in hidden], namespaces=namespaces,
                              use_cgroup=isolation != "portable"
                              and "cgroup" not in _disabled(),
                              extra={**run_cfg, **_check_files(part)})

        if len(parts) == 1:
            runs = [run(parts[0], iso)]
        else:  # each shard its own run: its own namespaces, cgroup, folder and student uid
            isos = [iso, *(_isolation(isolation, hidden) for _ in parts[1:])]
            with ThreadPoolExecutor(len(parts), thread_name_prefix="labgrade-shard") as pool:
                runs = list(pool.map(run, parts, isos))
    finally:
        remove_copy(workdir)
        if claims is not None:
            remove_tree(claims)
    raw, log = _merge(runs, iso)
    iso = Isolation(**raw["isolation"])
    if isolation == "strict" and not iso.strict:
        raise _unavailable(iso)
    result = score(raw["outcomes"], rules, lang=lang, only=only,
                   log="\n".join(raw.get("collect_errors") or []) or log,
                   budget_s=raw.get("budget_s"), collected=raw.get("collected"),
                   check_rubric=not raw.get("collect_errors"),
                   tasks=None if given else run_tasks)
    result.submission = name or root.name
    result.isolation = iso.describe()
    result.submission_sha256 = content_hash(root)
    result.problems = [Problem(p.file, p.line, p.message(lang)) for p in problems]
    result.duration_s = round(time.monotonic() - started, 3)
    result.only = sorted(only or [])  # shown in the report (issue 11)
    if out is not None:
        write_outputs(result, out, report=report)
    return result


RUN_CHECKS = 32
"""Checks a grading run is given, at least, before the submission gets another run at once.
A run's own start (its pytest, its fork server, its namespaces) costs about 90 ms of CPU: a
second run over lab9's 29 checks gave back 60 ms of wall time for it (0.48 against 0.54 s;
22.7 against 19.7 ms of CPU per check), one over everything's 85 gave back 0.9 s (bench A/B
pairs on 2 idle cores, issue 12)."""


def default_shards(checks: int | None = None) -> int:
    """Grading runs of one submission at once: one per idle core (at most 4), and with
    ``checks`` (how many are selected) no more than one per :data:`RUN_CHECKS` of them. A
    core is idle when nothing is running on it right now (:func:`busy_cores`): on a busy
    machine (a test suite, a batch beside it) more runs only add their start-up to the work,
    and the verdicts never depend on how many there are. Not the load average: it still
    counts, for a minute, the grading that has just ended (a second grade in a row got one
    run on an idle machine)."""
    wanted = 4 if checks is None else max(1, min(4, -(-checks // RUN_CHECKS)))
    if wanted == 1:
        return 1  # nothing to count
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    busy = busy_cores()
    return max(1, min(cores, wanted, round(cores - busy)))


def busy_cores(looks: int = 5, gap_s: float = 0.002) -> float:
    """How many processes besides this one are running now: the mean of a few looks at the
    kernel's count of runnable tasks (``procs_running`` in ``/proc/stat``), a few
    milliseconds apart. Where there is no ``/proc/stat``, the one-minute load average."""
    seen: list[int] = []
    for i in range(looks):
        if i:
            time.sleep(gap_s)  # looks spread over a few ms, not one instant
        try:
            with open("/proc/stat", "rb") as f:
                line = next((ln for ln in f if ln.startswith(b"procs_running ")), b"")
            seen.append(max(0, int(line.split()[1]) - 1))  # less this very look
        except (OSError, ValueError, IndexError):
            break
    if seen:
        return sum(seen) / len(seen)
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return 0.0


def _shards(tasks: list[str], rules: Rubric, shards: int) -> list[list[str] | None]:
    """The grading runs of the selected tasks, at most ``shards`` at the same time, each
    with the tasks in the order it tries to claim them (the largest first): every run is
    given every task and grades those it claims as it goes (``RunConfig.claims``), so the
    runs end about together whatever each task takes (a static split by number of checks
    left one run 0.6 s behind the other). The checks are independent (the virtual network
    gives each its own endpoints), each run has the full isolation of a grading run, and a
    task is never split (its checks share the student's cached answers)."""
    if shards < 1:
        raise UsageError(f"invalid shards {shards}: must be 1 or more")
    count = min(shards, len(tasks))
    if count <= 1 or not _check_files(tasks):  # a task without a module: one whole run
        return [tasks]
    weight = {tk: sum(1 for c in rules.checks if task_of(c) == tk) for tk in tasks}
    largest_first = sorted(tasks, key=lambda tk: -weight[tk])
    return [list(largest_first) for _ in range(count)]


def warm_up(only: list[str] | None = None) -> None:
    """Before grading many submissions with the built-in packs (a batch): the warm server
    imports the check modules of the selected tasks once, for every grading run it forks
    (:func:`harness.packs.collect.preload`). Nothing where runs start cold."""
    server = warm.server(_runner_env())
    if server is None:
        return
    packs = builtin()
    checks = [(p.name, f) for tk in _builtin_tasks() if task_selected(tk, only)
              for p in packs if tk in p.tasks
              for f in [check_module(packs, tk)] if f is not None]
    try:
        server.preload(checks)
    except warm.WarmGone:
        pass


def _builtin_tasks() -> list[str]:
    """The tasks of the built-in packs (``lab9.tcp_server``, ...), in pack.toml order."""
    return [t for p in builtin() for t in p.tasks]


def _check_files(part: list[str] | None) -> dict[str, Any]:
    """The check modules of ``part`` (tasks of the built-in packs), for the run to collect
    only those; nothing (every check file of the packs) when some task has no module of its
    own (``checks/test_<task>.py``)."""
    if part is None:
        return {}
    files = [check_module(builtin(), tk) for tk in part]
    if not files or not all(f is not None for f in files):
        return {}
    return {"check_files": [str(f) for f in files]}


def _merge(runs: list[tuple[dict[str, Any], str]], iso: Isolation
           ) -> tuple[dict[str, Any], str]:
    """One raw outcome from the shards' runs; the isolation is the weakest any run had."""
    if len(runs) == 1:
        raw, log = runs[0]
        raw.setdefault("isolation", asdict(iso))
        return raw, log
    levels = [Isolation(**r.get("isolation", asdict(iso))) for r, _ in runs]
    merged = Isolation(
        netns=all(i.netns for i in levels), pidns=all(i.pidns for i in levels),
        uid=levels[0].uid if all(i.uid is not None for i in levels) else None,
        rlimits=all(i.rlimits for i in levels), view=all(i.view for i in levels),
        readonly=all(i.readonly for i in levels))
    budgets = [r.get("budget_s") for r, _ in runs if r.get("budget_s")]
    raw = {"outcomes": [o for r, _ in runs for o in r.get("outcomes", [])],
           "collected": [c for r, _ in runs for c in r.get("collected") or []],
           "collect_errors": [e for r, _ in runs for e in r.get("collect_errors") or []],
           "isolation": asdict(merged), "budget_s": budgets[0] if budgets else None,
           "exit_code": next((r.get("exit_code") for r, _ in runs if r.get("exit_code")),
                             runs[0][0].get("exit_code"))}
    return raw, "\n".join(log for _, log in runs if log)


DISABLE_ENV = "LABGRADE_ISOLATION_DISABLE"
"""Comma-separated levels (netns, pidns, uid, view, cgroup) to do without, as on a machine
that lacks them (view: no mount namespaces, as in a default Docker container; cgroup: no
writable pids cgroup): for tests of ``--isolation strict`` and of the weaker levels. Never
strengthens anything."""


def _disabled() -> set[str]:
    return {p.strip() for p in os.environ.get(DISABLE_ENV, "").split(",") if p.strip()}


def _isolation(mode: str, hidden: list[Path]) -> Isolation:
    if mode == "portable":
        return Isolation(rlimits=True)
    off = _disabled()
    # the network namespace is entered by the runner itself, which reports it back
    iso = detect(netns=False, want_uid="uid" not in off, want_view="view" not in off,
                 want_readonly="readonly" not in off, hidden=tuple(map(str, hidden)))
    return Isolation(**{**asdict(iso), "pidns": iso.pidns and "pidns" not in off})


def _unavailable(iso: Isolation) -> IsolationUnavailable:
    return IsolationUnavailable(key="usage.isolation_strict", level=iso.describe())


_WRITABLE: list[tuple[str, ...]] = []
_WRITABLE_LOCK = threading.Lock()


def _world_writable() -> tuple[str, ...]:
    """The host's world-writable folders, scanned once per process (a batch scans once;
    the runs of one submission, started at once, wait for the one scan), listing again only
    the folders that changed since the previous command's (:mod:`harness.sandbox.scancache`)."""
    with _WRITABLE_LOCK:
        if not _WRITABLE:
            _WRITABLE.append(tuple(scancache.world_writable()))
        return _WRITABLE[0]


def _needs_scan(iso: Isolation) -> bool:
    """Whether the student's view covers the host's world-writable folders one by one: every
    view does. A read-only view (:attr:`Isolation.readonly`) keeps them from being written,
    not from being read: a class's drop folder (1777) would show the submissions beside the
    graded one."""
    return iso.uid is not None and iso.view


def _prescan() -> None:
    """:func:`_world_writable` ahead of the runs that need it; a failure here is left to them
    (they scan again, and report it)."""
    try:
        _world_writable()
    except Exception:
        pass


def _run_suite(workdir: Path, iso: Isolation, limits: Any, *, problems: dict[str, Any],
               lang: str, only: list[str] | None, hide: list[str], namespaces: set[str],
               use_cgroup: bool = False, extra: dict[str, Any] | None = None
               ) -> tuple[dict[str, Any], str]:
    """Run the suite in :mod:`harness.runner`. Everything the run creates on disk (its
    boxes, the fork server's) lives in one temporary folder of its own, removed afterwards
    however the run ended; past the ``submission_s`` budget the run is killed
    with everything it started (its PID namespace, its cgroup, its tagged processes)."""
    tmpdir = Path(tempfile.mkdtemp(prefix="labgrade-run-"))
    token = secrets.token_hex(6)
    group = cgroups.create_run_group(token) if use_cgroup else None
    try:
        return _run_in(tmpdir, workdir, iso, limits, problems=problems, lang=lang, only=only,
                       hide=hide, namespaces=namespaces, group=group, token=token,
                       extra=extra)
    finally:
        if group is not None:
            group.close()
        reaper.kill_tagged(token, prefix=True)
        remove_tree(tmpdir)


def _runner_env() -> dict[str, str]:
    """A grading run's environment before its own variables: this process's, without
    pytest's, Python's and coverage's, with the suite importable and no plugin autoloaded."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTEST_", "PYTHON", "COV_"))}
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    return env


def _run_in(tmpdir: Path, workdir: Path, iso: Isolation, limits: Any, *,
            problems: dict[str, Any], lang: str, only: list[str] | None, hide: list[str],
            namespaces: set[str], group: cgroups.RunGroup | None, token: str,
            extra: dict[str, Any] | None = None
            ) -> tuple[dict[str, Any], str]:
    cfg = RunConfig(workdir=str(workdir), report=str(tmpdir / "report.json"),
                    isolation=asdict(iso), limits=asdict(limits), lang=lang, only=only or [],
                    want_netns="netns" in namespaces, want_pidns="pidns" in namespaces,
                    hide=hide, problems={f: p.message(lang) for f, p in problems.items()},
                    **(extra or {}))
    cfg_path = tmpdir / "config.json"
    cfg_path.write_text(cfg.to_json(), encoding="utf-8")
    env = _runner_env()
    run_tmp = tmpdir / "tmp"
    run_tmp.mkdir()
    env["TMPDIR"] = str(run_tmp)  # the run's boxes: removed with it
    env[reaper.RUN_TAG_ENV] = token
    env[WRITABLE_ENV] = json.dumps([*(_world_writable() if _needs_scan(iso) else ()),
                                    tempfile.gettempdir()])
    if group is not None:
        env[cgroups.RUN_ENV] = str(group.path)
    log_path = tmpdir / "pytest.log"
    log_path.touch(mode=0o600)
    code = warm.run([str(cfg_path)], env=env, cwd=tmpdir, log=log_path,
                    timeout=limits.submission_s, base_env=_runner_env())
    log_text = log_path.read_text(encoding="utf-8", errors="replace")[-20000:]
    try:
        report = RunReport.from_json(Path(cfg.report).read_text(encoding="utf-8"))
    except FileNotFoundError:
        report = RunReport()  # the run ended before its plugin started
    except ProtocolError as exc:  # ours: its checks are reported as not run, with this
        report = RunReport()
        log_text += f"\n{exc}"
    if not report.outcomes:  # stopped before its end: the checks it finished, as they ended
        report.outcomes = read_journal(cfg.report)
    raw: dict[str, Any] = {"outcomes": report.outcomes, "collected": report.collected,
                           "collect_errors": report.collect_errors,
                           "isolation": report.isolation or asdict(iso)}
    raw["exit_code"] = code
    raw["budget_s"] = limits.submission_s if code is None else None
    return raw, log_text


def score(outcomes: list[dict[str, Any]], rules: Rubric, *, lang: str,
          only: list[str] | None = None, log: str = "",
          budget_s: float | None = None, collected: list[str] | None = None,
          check_rubric: bool = True, tasks: list[str] | None = None) -> SubmissionResult:
    """Apply the rubric and the language to the raw outcomes of a grading run.
    ``collected``: every check id the run found (selected or not), against which the
    rubric's ids are checked whatever ``only`` says (``check_rubric=False`` when a check
    module could not be collected: its checks are reported as not run instead); with
    ``tasks`` (the run collected only the modules of these tasks), only their ids."""
    known = set(collected or []) or (set() if only else {o["id"] for o in outcomes})
    unknown = rules.unknown(known) if known and check_rubric else []
    if tasks is not None:
        unknown = [c for c in unknown if task_of(c) in tasks]
    if unknown:
        raise UsageError(key="usage.rubric.unknown_ids", where=rules.source,
                         ids=", ".join(unknown[:5]))
    by_id = {o["id"]: o for o in outcomes}
    ordered = [c for c in rules.checks if c in by_id] + \
        [o["id"] for o in outcomes if o["id"] not in rules.checks]
    missing_runs = [c for c in rules.checks if c not in by_id and check_selected(c, only)]
    checks = []
    for check_id in ordered + missing_runs:
        rule = rules.rule(check_id)
        o = by_id.get(check_id) or ({  # the run used up the submission's time budget
            "id": check_id, "task": task_of(check_id), "status": "failed",
            "key": "common.budget_spent", "params": {"seconds": f"{budget_s:g}"},
            "evidence": {}, "duration_s": 0.0, "traceback": ""} if budget_s else {
            "id": check_id, "task": task_of(check_id), "status": "error",
            "key": "common.not_run", "params": {}, "evidence": {}, "duration_s": 0.0,
            "traceback": log})
        status = o["status"]
        checks.append(CheckResult(
            id=check_id, task=o["task"], status=status,
            score=rule.points if status == "passed" else 0.0, max_score=rule.points,
            visibility=rule.visibility, title=_title(check_id, lang),
            message=_message(o, lang), evidence=_localize(o.get("evidence") or {}, lang),
            duration_s=float(o.get("duration_s") or 0.0), traceback=o.get("traceback", "")))
    return SubmissionResult(
        submission="", score=total(c.score for c in checks),
        max_score=total(c.max_score for c in checks), lang=lang, isolation="",
        duration_s=0.0, harness_version=__version__, submission_sha256="", checks=checks,
        rubric_sha256=rules.sha256)


def _localize(evidence: dict[str, Any], lang: str) -> dict[str, Any]:
    """Evidence in the student's language: texts the checks left as catalogue keys
    (``support.say``) are rendered, and the ends of each exchange are named (``peer.*``)."""
    for exchange in evidence.get("exchanges", []):
        if isinstance(exchange, dict) and has(f"peer.{exchange.get('peer')}", lang):
            exchange["peer"] = t(f"peer.{exchange['peer']}", lang)
    return cast(dict[str, Any], _render(evidence, lang))


def _render(value: Any, lang: str) -> Any:
    if isinstance(value, dict):
        if set(value) == {"__t__", "params"} and has(str(value["__t__"]), lang):
            try:
                return t(str(value["__t__"]), lang, **dict(value["params"] or {}))
            except (KeyError, IndexError, ValueError, TypeError):
                return str(value["__t__"])
        return {k: _render(v, lang) for k, v in value.items()}
    if isinstance(value, list):
        return [_render(v, lang) for v in value]
    return value


def _title(check_id: str, lang: str) -> str:
    key = f"check.{check_id}"
    return t(key, lang) if has(key, lang) else check_id


def _message(o: dict[str, Any], lang: str) -> str:
    key = o.get("key") or ""
    if o["status"] == "passed":
        key = f"{o['id']}.passed" if has(f"{o['id']}.passed", lang) else "common.passed"
    if not has(key, lang):
        return f"{key} {json.dumps(o.get('params', {}), ensure_ascii=False)}"
    params = {k: _shown(v, lang) for k, v in dict(o.get("params") or {}).items()}
    try:
        return t(key, lang, **params)
    except (KeyError, IndexError, ValueError) as exc:
        return f"{key}: {exc}"


def _shown(value: Any, lang: str) -> Any:
    """A message parameter as the sentence needs it: nested catalogue texts rendered, and an
    empty value named in words ("la salida termina con (nada)", not "termina con .")."""
    if value == "":
        return t("common.empty_value", lang)
    return _render(value, lang)


def write_outputs(result: SubmissionResult, out: Path, *, report: bool = True) -> None:
    out.mkdir(parents=True, exist_ok=True)
    write_json(result, out / "results.json")
    if report:
        from harness.report import write_report

        write_report(result, out)
