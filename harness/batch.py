"""Grade a whole class: every submission of a folder, in parallel, into one output folder.

``SUBMISSIONS/`` holds one submission per subfolder or per ``.zip`` (as course platforms
export them). :func:`run_batch` grades each with :func:`harness.engine.grade`, which runs the
suite in its own contained process; a pool of ``jobs`` threads only waits on those. A
submission that cannot be graded (an unsafe archive, a harness error, anything) becomes an
*ungraded* entry with its reason; the batch goes on.

The output folder::

    index.html                     the class page (harness.report.classpage)
    grades.csv                     the gradebook (harness.exports.write_grades_csv)
    batch.json                     the manifest: settings and one entry per submission
    submissions/<name>/            report.html, results.json (+ the --format exports)

Re-running skips a submission whose ``results.json`` says it was graded from the same
content (``submission_sha256``), rubric (``rubric_sha256``), harness version, language and
selection of checks, unless ``force``; a change of ``timeout`` or ``isolation`` since the
previous run in that folder regrades everything, and so does any check that ended in a
harness ``error``.

Across machines: ``shard=(i, n)`` grades the i-th of n slices of the submissions sorted by
name (every n-th, starting at the i-th), and :func:`harness.batch_merge.merge` combines the
shards' output folders into one class page and gradebook. A CI matrix, for instance::

    strategy: {matrix: {shard: [1, 2, 3, 4]}}
    steps:
      - run: labgrade batch submissions/ --shard ${{ matrix.shard }}/4 --out out-${{ matrix.shard }}
      - uses: actions/upload-artifact@v4  # then one job: labgrade merge out-* --out class
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from harness import __version__
from harness.batch_progress import Progress
from harness.batch_zip import TASK_DIRS, UnsafeArchive, extract, submission_root
from harness.engine import ISOLATION_MODES, grade, warm_up
from harness.errors import HarnessError, UsageError
from harness.i18n import LANGS, t
from harness.packs import courses as course_packs
from harness.packs import rubric as pack_rubric
from harness.platforms.moodle import platform_names
from harness.results import SubmissionResult, read_json
from harness.rubric import Rubric, load
from harness.selection import check_selected, validate
from harness.submission import content_hash, is_output_folder

MANIFEST = "batch.json"
SUBMISSIONS_DIR = "submissions"
MANIFEST_VERSION = 1
FORMATS = ("gradescope", "github", "junit")
SKIP_NAMES = frozenset({"__MACOSX"})


@dataclass
class Source:
    """One submission found in the submissions folder."""

    name: str
    """Its name in every output: the folder's name, or the archive's without ``.zip``."""
    path: Path
    kind: str
    """``folder`` or ``zip``."""
    duplicate_of: str = ""
    """The folder or archive that already has this name (this one is not graded)."""


@dataclass
class Entry:
    """One submission's line in a batch: graded (perhaps earlier, from the cache) or not."""

    name: str
    source: str
    """The file or folder name it came from, in the submissions folder."""
    status: str
    """``graded`` or ``ungraded``."""
    reason: str = ""
    """Why it could not be graded, in the batch's language (``ungraded`` only)."""
    detail: str = ""
    """A harness traceback, for the instructor, when the reason is a harness bug."""
    cached: bool = False
    """Graded by an earlier run, content and rubric unchanged."""
    score: float | None = None
    max_score: float | None = None
    submission_sha256: str = ""
    duration_s: float = 0.0


@dataclass
class BatchResult:
    """What a batch (or a merge) produced."""

    out: Path
    entries: list[Entry]
    results: dict[str, SubmissionResult] = field(default_factory=dict)
    """The graded submissions' results, by name."""
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def graded(self) -> list[Entry]:
        return [e for e in self.entries if e.status == "graded"]

    @property
    def ungraded(self) -> list[Entry]:
        return [e for e in self.entries if e.status != "graded"]


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/4"`` -> ``(2, 4)``; a bad value raises with where it came from and the fix."""
    try:
        i, n = (int(x) for x in text.split("/"))
    except ValueError:
        i, n = 0, 0
    if not (n >= 1 and 1 <= i <= n):
        raise UsageError(key="usage.shard", value=text)
    return i, n


def default_jobs() -> int:
    """The machine's cores (those this process may run on, where the OS says)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def discover(folder: Path, *, exclude: Path | None = None) -> list[Source]:
    """Submissions of ``folder``, sorted by name. A second submission with a name already
    taken (``ana/`` and ``ana.zip``) is kept, named after its file and marked, to be
    reported as ungraded rather than silently dropped. ``exclude`` (the output folder, when
    it lies inside: the folder of ``folder`` that holds it) and any folder holding a batch
    manifest are not submissions. An output folder inside a submission is refused, and so is
    a folder with no submission at all (naming the nearest match)."""
    if not folder.is_dir():
        raise UsageError(key="usage.submissions_not_found", path=str(folder))
    if any((folder / d).is_dir() for d in TASK_DIRS):
        raise UsageError(key="usage.no_submissions.single", path=str(folder))
    out = exclude.resolve() if exclude is not None else None
    found: list[Source] = []
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if path.name.startswith(".") or path.name in SKIP_NAMES:
            continue
        if path.is_dir() and _holds_output(path, out):
            continue
        if path.is_dir():
            found.append(Source(path.name, path, "folder"))
        elif path.is_file() and path.suffix.lower() == ".zip" and path.stem:
            found.append(Source(path.stem, path, "zip"))
    if not found:
        raise UsageError(key="usage.no_submissions", path=str(folder))
    # course-platform archives (Moodle's "Download all submissions"): the participant's name
    # instead of the folder's (harness.platforms.moodle; report's hook, issue 11)
    shown = platform_names([src.name for src in found])
    for src in found:
        src.name = shown[src.name]
    taken: dict[str, Source] = {}
    for src in sorted(found, key=lambda s: (s.name, s.kind != "folder", s.path.name)):
        if src.name in taken:
            src.duplicate_of, src.name = taken[src.name].path.name, src.path.name
        else:
            taken[src.name] = src
    return sorted(found, key=lambda s: s.name)


def _holds_output(path: Path, out: Path | None) -> bool:
    """Whether ``path`` (a folder of the submissions folder) is, or holds, an output folder:
    this run's ``out``, or what an earlier run wrote (one submission's results, or a batch's
    folder, itself or one level down). ``out`` inside a real submission, something that holds more
    than outputs, is refused: it would be graded with it."""
    real = path.resolve()
    if out is not None and (out == real or real in out.parents):
        if out != real and any(not e.name.startswith(".") and not is_output_folder(e)
                               and not (e.resolve() == out or e.resolve() in out.parents)
                               for e in _entries(path)):
            raise UsageError(key="usage.out_inside_submission", out=str(out), name=path.name)
        return True
    return is_output_folder(path) or any((e / MANIFEST).is_file() for e in _entries(path)
                                         if e.is_dir())


def _entries(path: Path) -> list[Path]:
    try:
        return list(path.iterdir())
    except OSError:
        return []


def shard_of(items: list[Any], shard: tuple[int, int] | None) -> list[Any]:
    """The i-th of n deterministic slices of ``items`` (already sorted): every n-th."""
    if shard is None:
        return list(items)
    i, n = shard
    return list(items[i - 1::n])


def selected_ids(rules: Rubric, only: list[str] | None) -> set[str]:
    """The rubric's checks that a run with ``only`` grades (the engine's selection rule)."""
    return {c for c in rules.checks if check_selected(c, only)}


def _reason(key: str, lang: str = "en", **params: Any) -> str:
    return t(f"batch.reason.{key}", lang, **params)


def run_batch(submissions: Path, *, out: Path, jobs: int | None = None, lang: str = "es",
              rubric: Path | Rubric | None = None, timeout: float | None = None,
              isolation: str = "auto", only: list[str] | None = None, force: bool = False,
              shard: tuple[int, int] | None = None, formats: list[str] | None = None,
              progress: bool = True, courses: list[Path] | None = None) -> BatchResult:
    """Grade every submission of ``submissions`` into ``out``; see the module docstring.

    Raises only for usage errors (a bad option, a missing folder); every problem of one
    submission is an ungraded entry of the result.
    """
    if lang not in LANGS:
        raise UsageError(f"invalid language {lang!r} from --lang; choose one of {', '.join(LANGS)}")
    if isolation not in ISOLATION_MODES:
        raise UsageError(f"invalid isolation {isolation!r} from --isolation; choose one of "
                         f"{', '.join(ISOLATION_MODES)}")
    if timeout is not None and not (math.isfinite(timeout) and timeout > 0):
        raise UsageError(key="usage.timeout", value=f"{timeout:g}")
    formats = list(formats or [])
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise UsageError(key="usage.format", bad=",".join(bad), choices=", ".join(FORMATS))
    jobs = default_jobs() if jobs is None else jobs
    if jobs < 1:
        raise UsageError(key="usage.jobs", value=jobs)
    packs = course_packs(courses)
    rules = rubric if isinstance(rubric, Rubric) else \
        pack_rubric(packs, rubric) if packs else load(rubric)
    validate(only, rules.checks)
    _refuse_overlap(submissions, out)
    sources = shard_of(discover(submissions, exclude=out), shard)
    settings = {"lang": lang, "rubric_sha256": rules.sha256, "rubric": rules.source,
                "harness_version": __version__, "only": sorted(only or []),
                "timeout": timeout, "isolation": isolation,
                "shard": f"{shard[0]}/{shard[1]}" if shard else None}
    out.mkdir(parents=True, exist_ok=True)
    previous = read_manifest(out, missing_ok=True)
    reuse = not force and (previous is None or all(
        previous["settings"].get(k) == settings[k] for k in ("timeout", "isolation")))
    job = _Job(out=out, lang=lang, rules=rules, timeout=timeout, isolation=isolation,
               only=only, reuse=reuse, formats=formats, expected=selected_ids(rules, only),
               submissions=submissions, courses=list(courses or []), jobs=jobs)
    bar = Progress(len(sources), lang=lang, enabled=progress)
    entries: list[Entry] = []
    results: dict[str, SubmissionResult] = {}
    if not courses and len(sources) > 1:
        warm_up(only)  # the check modules imported once for all the class's grading runs
    with tempfile.TemporaryDirectory(prefix="labgrade-batch-") as tmp:
        job.tmp = Path(tmp)
        pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="labgrade")
        try:
            for entry, result in pool.map(lambda s: _finish(job, s, bar), sources):
                entries.append(entry)
                if result is not None:
                    results[entry.name] = result
        finally:  # on Ctrl-C: start nothing new, wait for the gradings under way
            pool.shutdown(wait=True, cancel_futures=True)
            bar.close()
    batch = BatchResult(out=out, entries=sorted(entries, key=lambda e: e.name),
                        results=results, settings=settings)
    _remove_stale_submissions(out, previous, {e.name for e in entries})
    write_class_outputs(batch, formats=formats)
    return batch


def _refuse_overlap(submissions: Path, out: Path) -> None:
    """``out/submissions/`` must not be (or hold) the folder being graded: a report would be
    written into a student's folder."""
    reports, graded = (out / SUBMISSIONS_DIR).resolve(), submissions.resolve()
    if reports == graded or reports in graded.parents:
        raise UsageError(key="usage.out_holds_submissions", out=str(out),
                         path=str(submissions))


def _remove_stale_submissions(out: Path, previous: dict[str, Any] | None,
                              names: set[str]) -> None:
    """Folders an earlier run in ``out`` wrote for submissions that are gone now: only names
    that run's manifest lists, so nothing labgrade did not write is touched."""
    if previous is None:
        return
    for raw in previous.get("entries", []):
        name = raw.get("name") if isinstance(raw, dict) else None
        if not isinstance(name, str) or name in names or not name \
                or Path(name).name != name or name in (".", ".."):
            continue
        stale = out / SUBMISSIONS_DIR / name
        if stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale, ignore_errors=True)


@dataclass
class _Job:
    out: Path
    lang: str
    rules: Rubric
    timeout: float | None
    isolation: str
    only: list[str] | None
    reuse: bool
    formats: list[str]
    expected: set[str]
    courses: list[Path] = field(default_factory=list)
    jobs: int = 1
    """Submissions graded at once: each gets the cores left (``grade(shards=...)``)."""
    tmp: Path = Path()
    submissions: Path = Path()


def _finish(job: _Job, src: Source, bar: Progress) -> tuple[Entry, SubmissionResult | None]:
    entry, result = _grade_one(job, src)
    bar.finished(entry.name, _line(entry, job.lang), cached=entry.cached)
    return entry, result


def _line(entry: Entry, lang: str) -> str:
    if entry.status != "graded":
        return t("batch.line.ungraded", lang, name=entry.name, reason=entry.reason)
    key = "batch.line.cached" if entry.cached else "batch.line.graded"
    return t(key, lang, name=entry.name, score=f"{entry.score:g}", max=f"{entry.max_score:g}",
             seconds=f"{entry.duration_s:.1f}")


def _grade_one(job: _Job, src: Source) -> tuple[Entry, SubmissionResult | None]:
    """Grade one submission; never raises."""
    dest = job.out / SUBMISSIONS_DIR / src.name
    if src.duplicate_of:
        return _ungraded(src, None, _reason("duplicate", job.lang, first=src.duplicate_of,
                                            second=src.path.name)), None
    scratch = Path(tempfile.mkdtemp(prefix="sub-", dir=job.tmp))
    try:
        if src.kind == "zip":
            root = submission_root(extract(src.path, scratch / src.name))
        else:
            root = submission_root(src.path)
        sha = content_hash(root)
        cached = _cached(job, dest, src.name, sha) if job.reuse else None
        if cached is not None:
            result = cached
        else:
            result = grade(root, out=dest, lang=job.lang, rubric=job.rules,
                           timeout=job.timeout, isolation=job.isolation, only=job.only,
                           name=src.name, hide=_hidden(job, src), courses=job.courses,
                           shards=max(1, default_jobs() // job.jobs))
        write_exports(result, dest, job.formats)
        return Entry(src.name, src.path.name, "graded", cached=cached is not None,
                     score=result.score, max_score=result.max_score,
                     submission_sha256=result.submission_sha256,
                     duration_s=result.duration_s), result
    except UnsafeArchive as exc:
        return _ungraded(src, dest, exc.message(job.lang)), None
    except HarnessError as exc:
        return _ungraded(src, dest, exc.message(job.lang)), None
    except Exception as exc:  # a harness bug: shown to the instructor, the batch goes on
        reason = _reason("internal", job.lang, error=f"{type(exc).__name__}: {exc}")
        return _ungraded(src, dest, reason, traceback.format_exc()), None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _hidden(job: _Job, src: Source) -> list[Path]:
    """What a submission of the batch must not see (with the ``uid`` level's private view):
    the whole submissions folder (its classmates, zipped or not, and its own original), the
    whole output root (every report, ``grades.csv``, ``batch.json``), and the batch's
    temporary folder (every extracted archive). The engine adds the submission's own folder,
    the one holding it, and the grading suite."""
    return [p.resolve() for p in (job.submissions, job.out, job.tmp, src.path.parent)]


def _ungraded(src: Source, dest: Path | None, reason: str, detail: str = "") -> Entry:
    if dest is not None:  # a stale grade must not outlive the reason it is gone
        for stale in ("results.json", "report.html", "student.html",
                      *sum(EXPORT_FILES.values(), ())):
            (dest / stale).unlink(missing_ok=True)
    return Entry(src.name, src.path.name, "ungraded", reason=reason, detail=detail)


def _cached(job: _Job, dest: Path, name: str, sha: str) -> SubmissionResult | None:
    """The earlier result in ``dest`` when it still holds for this content and settings."""
    try:
        result = read_json(dest / "results.json")
    except (OSError, ValueError, TypeError):
        return None
    ids = {c.id for c in result.checks}
    if (result.submission_sha256 != sha or result.rubric_sha256 != job.rules.sha256
            or result.harness_version != __version__ or result.lang != job.lang
            or result.submission != name or not (dest / "report.html").is_file()
            or not (dest / "student.html").is_file()
            or ids & set(job.rules.checks) != job.expected
            or any(c.status == "error" for c in result.checks)):
        return None
    return result


EXPORT_FILES = {"gradescope": ("gradescope.json",), "github": ("classroom.json", "summary.md"),
                "junit": ("junit.xml",)}
"""The files of one submission that each ``--format`` writes, beside its report."""


def write_exports(result: SubmissionResult, dest: Path, formats: list[str]) -> None:
    """The platform exports of one submission, next to its ``results.json``; those of an
    earlier run that this one does not write are removed, so none outlives its grade."""
    from harness import exports

    for fmt, names in EXPORT_FILES.items():
        if fmt not in formats:
            for name in names:
                (dest / name).unlink(missing_ok=True)

    if "gradescope" in formats:
        exports.write_gradescope(result, dest / "gradescope.json")
    if "github" in formats:
        exports.write_github_classroom(result, dest / "classroom.json")
        exports.write_github_summary(result, dest / "summary.md")
    if "junit" in formats:
        exports.write_junit(result, dest / "junit.xml")


def write_class_outputs(batch: BatchResult, *, formats: list[str] | None = None) -> None:
    """``grades.csv``, ``index.html`` and ``batch.json`` of a batch or a merge."""
    from harness.exports import write_class_junit, write_grades_csv
    from harness.report.classpage import write_class_page

    graded = [batch.results[e.name] for e in batch.graded]
    write_grades_csv(graded, batch.out / "grades.csv",
                     ungraded=[e.name for e in batch.ungraded])
    write_class_page(batch, batch.out / "index.html")
    if "junit" in (formats or []):
        write_class_junit(graded, batch.out / "junit.xml")
    else:  # an earlier run's class junit.xml would disagree with this run's grades
        (batch.out / "junit.xml").unlink(missing_ok=True)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if "github" in (formats or []) and summary:
        from harness.exports import class_summary_markdown

        with open(summary, "a", encoding="utf-8") as fh:
            fh.write(class_summary_markdown(
                graded, {e.name: e.reason for e in batch.ungraded},
                lang=batch.settings.get("lang") or "es"))
    write_manifest(batch)


def write_manifest(batch: BatchResult) -> Path:
    data = {"manifest_version": MANIFEST_VERSION, "settings": batch.settings,
            "entries": [asdict(e) for e in batch.entries]}
    path = batch.out / MANIFEST
    tmp = path.with_name(MANIFEST + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(path)
    return path


def read_manifest(folder: Path, *, missing_ok: bool = False) -> dict[str, Any] | None:
    """The manifest of an output folder; a missing or broken one raises a usage error."""
    path = folder / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if missing_ok:
            return None
        raise UsageError(key="usage.not_batch_output", path=str(folder)) from None
    except (OSError, ValueError) as exc:
        if missing_ok:
            return None
        raise UsageError(key="usage.merge.unreadable", path=str(path), error=str(exc)) from exc
    if not isinstance(data, dict) or data.get("manifest_version") != MANIFEST_VERSION \
            or not isinstance(data.get("entries"), list):
        if missing_ok:
            return None
        raise UsageError(key="usage.merge.manifest", path=str(path), version=MANIFEST_VERSION)
    data.setdefault("settings", {})
    return data


def entry_from_dict(data: dict[str, Any]) -> Entry:
    known = {f for f in Entry.__dataclass_fields__}
    return Entry(**{k: v for k, v in data.items() if k in known})
