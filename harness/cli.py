"""The ``labgrade`` command. Every command calls one library function; this module only
reads the command line, refuses what cannot work with one line in the run's language, and
prints what the library returned."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from harness import __version__, warm_fork
from harness.cli_guard import (
    EXIT_FAILING,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_USAGE,
    Parser,
    env_lang,
    run_command,
)
from harness.engine import ISOLATION_MODES, grade, write_outputs
from harness.errors import UsageError
from harness.i18n import LANGS, t
from harness.results import SubmissionResult

if TYPE_CHECKING:
    from harness.batch import BatchResult

__all__ = ["EXIT_FAILING", "EXIT_INTERNAL", "EXIT_OK", "EXIT_USAGE", "build_parser", "main"]

CHECK_FORMATS = ("text", "junit", "github", "json")

DESCRIPTION = """\
Grade Python socket-programming labs (Laboratorio 9 and the Unidad 5 recipes) by running the
programs against a private virtual network on this machine.

  student:     labgrade new mi-lab        then   labgrade check mi-lab
  instructor:  labgrade grade DIR         one submission: report.html and results.json
               labgrade batch FOLDER      a whole class: class page, grades.csv, exports
  CI:          labgrade check . --format text,junit,github
"""

EXIT_STATUS = """\
exit status:
  0    the command did its job (grade and batch: whatever the scores)
  1    check: some visible check fails
  2    a usage mistake, or a folder that cannot be graded (one line says what and the fix)
  3    an internal error of labgrade (not the student's fault; LABGRADE_DEBUG=1 shows it)
  130  interrupted (Ctrl-C); 141: the reader of the output went away (| head)"""

EPILOG = EXIT_STATUS + """

Messages are in Spanish unless --lang en or LABGRADE_LANG=en. `labgrade COMMAND --help`
shows each command's options."""

Command = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, tuple[Callable[[argparse._SubParsersAction], None], Command]] = {}  # type: ignore[type-arg]


def _formatter(prog: str) -> argparse.HelpFormatter:
    return argparse.RawDescriptionHelpFormatter(prog, max_help_position=30)


def _common(p: argparse.ArgumentParser) -> None:
    from harness.sandbox.runner import Limits

    p.add_argument("--lang", choices=LANGS, default=env_lang(),
                   help="language of messages and reports (default: es, or $LABGRADE_LANG)")
    p.add_argument("--rubric", type=Path, metavar="FILE",
                   help="TOML rubric: points, visibility, limits (default: the built-in "
                        "packs' points, harness/checks/*/pack.toml, and the limits of "
                        "harness/rubric.toml; `labgrade course rubric` prints it)")
    p.add_argument("--timeout", type=float, metavar="S",
                   help="wall time limit of each student program run, in seconds (default: "
                        f"the rubric's limits.wall_s, {Limits().wall_s:g} s in the shipped "
                        "rubric; a check's own shorter window still applies)")
    p.add_argument("--isolation", choices=ISOLATION_MODES, default="auto",
                   help="auto: the strongest this machine gives; strict: refuse to grade "
                        "without netns+pidns+uid+rlimits; portable: no namespaces "
                        "(default: auto)")
    p.add_argument("--only", action="append", metavar="PREFIX",
                   help="grade only the checks whose id starts with PREFIX, segment by "
                        "segment (repeatable): --only lab9, --only lab9.udp (every "
                        "lab9.udp* task), --only lab9.tcp_server.echo_prefix; a PREFIX "
                        "that selects no check exits 2 (default: every check; see "
                        "harness/selection.py)")
    p.add_argument("--course", action="append", type=Path, metavar="DIR",
                   help="grade with the course pack in DIR instead of the built-in packs "
                        "(repeatable: the tasks of every pack); see labgrade course --help")


def _add_grade(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("grade", help="grade one submission and write its report",
                       description="Grade one submission folder; write report.html and "
                                   "results.json. Exit 0 whatever the score.",
                       formatter_class=_formatter, epilog=EXIT_STATUS)
    p.add_argument("submission", type=Path, help="the submission folder (holds lab9/, recipes/)")
    p.add_argument("--out", type=Path,
                   help="output folder, outside the submission (default: "
                        "reports/<submission name>)")
    _common(p)


def cmd_grade(args: argparse.Namespace) -> int:
    out = args.out or Path("reports") / args.submission.resolve().name
    _refuse_out_inside(out, args.submission)
    result = grade(args.submission, out=out, lang=args.lang, rubric=args.rubric,
                   timeout=args.timeout, isolation=args.isolation, only=args.only,
                   courses=args.course)
    print(summary_line(result))
    print(t("cli.written", args.lang, path=str(out / "report.html")))
    print(t("cli.written", args.lang, path=str(out / "results.json")))
    return EXIT_OK


def _refuse_out_inside(out: Path | None, submission: Path) -> None:
    """An output folder inside the graded folder would be graded and hashed: refuse it."""
    if out is None or not submission.is_dir():
        return
    root, target = submission.resolve(), out.resolve()
    if target == root or root in target.parents:
        suggest = os.path.relpath(root.parent / "reports" / root.name)
        raise UsageError(key="usage.out_inside", out=str(out), path=str(submission),
                         suggest=suggest)


def _add_check(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("check", help="check your own work: visible checks, exit 1 while any "
                                     "fails",
                       description="Run the visible checks on your folder and show each one. "
                                   "Exit 1 while any visible check fails, 0 when all pass.",
                       formatter_class=_formatter, epilog=EXIT_STATUS)
    p.add_argument("submission", type=Path, nargs="?", default=Path("."),
                   help="the submission folder (default: the current folder)")
    p.add_argument("--format", default="text",
                   help=f"comma-separated outputs: {', '.join(CHECK_FORMATS)} (default: text; "
                        "json prints results.json of the visible checks on stdout)")
    p.add_argument("--out", type=Path, help="also write results.json and report.html of the "
                                            "visible checks here (outside the submission)")
    p.add_argument("--junit", type=Path, metavar="PATH",
                   help="where --format junit writes (default: labgrade-junit.xml)")
    _common(p)


def cmd_check(args: argparse.Namespace) -> int:
    formats = _formats(args.format, CHECK_FORMATS)
    if args.junit is not None and "junit" not in formats:
        raise UsageError(key="usage.junit_without_format", path=str(args.junit))
    _refuse_out_inside(args.out, args.submission)
    result = grade(args.submission, lang=args.lang, rubric=args.rubric,
                   timeout=args.timeout, isolation=args.isolation, only=args.only,
                   courses=args.course)
    shown = visible_view(result)
    if args.out is not None:  # what the student may see, like everything check shows
        write_outputs(shown, args.out)
    if "text" in formats:
        print_terminal(shown, shown.checks, args.lang)
    if "json" in formats:
        import json

        print(json.dumps(shown.to_dict(), ensure_ascii=False, indent=2))
    if "junit" in formats:
        from harness.exports import write_junit

        write_junit(shown, args.junit or Path("labgrade-junit.xml"), visible_only=True,
                    lang=args.lang)
    if "github" in formats:
        write_github(shown, args.lang)
    failing = [c for c in shown.checks if c.status in ("failed", "error")]
    return EXIT_FAILING if failing else EXIT_OK


def visible_view(result: SubmissionResult) -> SubmissionResult:
    """The result as a student may see it: visible checks only, and totals over them, so
    no total gives away a hidden check's outcome."""
    checks = [c for c in result.checks if c.visibility == "visible"]
    return replace(result, checks=checks, score=round(sum(c.score for c in checks), 4),
                   max_score=round(sum(c.max_score for c in checks), 4))


def _formats(text: str, allowed: tuple[str, ...]) -> list[str]:
    formats = [f.strip() for f in text.split(",") if f.strip()]
    bad = [f for f in formats if f not in allowed]
    if bad:
        raise UsageError(key="usage.format", bad=",".join(bad), choices=", ".join(allowed))
    return formats


def write_github(result: SubmissionResult, lang: str) -> None:
    """Job summary, annotations and the Classroom result, where the runner provides them."""
    from harness.exports import github_annotations, github_summary_markdown, write_github_output

    for line in github_annotations(result, lang):
        print(line)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as f:
            f.write(github_summary_markdown(result, lang) + "\n")
    output = os.environ.get("GITHUB_OUTPUT")
    if output:
        write_github_output(result, Path(output))


def _add_new(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("new", help="copy the student template to start an assignment",
                       description="Copy the student template (lab9/, recipes/, README.md, "
                                   "the CI workflow) into a new folder.",
                       formatter_class=_formatter, epilog=EXIT_STATUS)
    p.add_argument("dest", type=Path, help="a new (or empty) folder")
    p.add_argument("--lang", choices=LANGS, default=env_lang(),
                   help="language of the docstrings and README (default: es)")


def cmd_new(args: argparse.Namespace) -> int:
    from harness.templates import copy_template

    written = copy_template(args.dest, lang=args.lang)
    print(t("cli.new_done", args.lang, path=str(args.dest), n=len(written)))
    return EXIT_OK


COMMANDS.update({"grade": (_add_grade, cmd_grade), "check": (_add_check, cmd_check),
                 "new": (_add_new, cmd_new)})


def _add_batch(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("batch", help="grade every submission of a folder (subfolders or .zip "
                                     "files) in parallel; class page, grades.csv, exports",
                       description="Grade every submission of a folder (one subfolder or "
                                   ".zip per student) in parallel. Exit 0 whatever the "
                                   "scores; a submission that cannot be graded is listed "
                                   "with its reason.",
                       formatter_class=_formatter, epilog=EXIT_STATUS)
    p.add_argument("submissions", type=Path, help="folder with one subfolder or .zip per student")
    p.add_argument("--out", type=Path, help="output folder (default: reports/<folder name>)")
    p.add_argument("--jobs", "-j", type=int, help="submissions graded at once (default: the "
                                                  "machine's cores)")
    p.add_argument("--force", action="store_true",
                   help="regrade even submissions whose content and rubric did not change")
    p.add_argument("--shard", metavar="I/N",
                   help="grade only the I-th of N slices (1-based), for several machines; "
                        "combine the outputs with labgrade merge")
    p.add_argument("--format", default="",
                   help="also write per submission (comma-separated): gradescope "
                        "(gradescope.json), github (classroom.json, summary.md; a class job "
                        "summary where $GITHUB_STEP_SUMMARY is set), junit (junit.xml, and "
                        "the class junit.xml); exports of an earlier run that this one does "
                        "not write are removed (default: none)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress on stderr")
    _add_platforms(p)
    _common(p)


def _add_platforms(p: argparse.ArgumentParser) -> None:
    """The course platforms' files (harness.platforms; issue 11), of a batch or a merge."""
    p.add_argument("--moodle-worksheet", type=Path, metavar="FILE",
                   help="Moodle's offline grading worksheet (CSV) to fill: writes "
                        "moodle-worksheet.csv, same columns, separator and encoding")
    p.add_argument("--moodle-gradebook", choices=("email", "idnumber", "username"),
                   help="also write moodle-gradebook.csv, rows identified by this column")
    p.add_argument("--moodle-roster", type=Path, metavar="FILE",
                   help="a Moodle export with the identifiers (default: the worksheet)")
    p.add_argument("--canvas", type=Path, metavar="FILE",
                   help="the Canvas gradebook export: writes canvas.csv to import")
    p.add_argument("--assignment", default="labgrade",
                   help="the grade column's name in moodle-gradebook.csv and canvas.csv")
    p.add_argument("--csv-sep", default=",", choices=(",", ";", "tab"),
                   help="separator of moodle-gradebook.csv and canvas.csv (default ,)")


def cmd_batch(args: argparse.Namespace) -> int:
    import time

    from harness.batch import FORMATS, parse_shard, run_batch

    started = time.monotonic()
    out = args.out or Path("reports") / args.submissions.resolve().name
    batch = run_batch(args.submissions, out=out, jobs=args.jobs, lang=args.lang,
                      rubric=args.rubric, timeout=args.timeout, isolation=args.isolation,
                      only=args.only, force=args.force,
                      shard=parse_shard(args.shard) if args.shard else None,
                      formats=_formats(args.format, FORMATS), progress=not args.quiet,
                      courses=args.course)
    print(batch_line(len(batch.entries), graded=len(batch.graded),
                     cached=sum(e.cached for e in batch.graded), ungraded=len(batch.ungraded),
                     seconds=time.monotonic() - started, lang=args.lang))
    for name in ("index.html", "grades.csv"):
        print(t("cli.written", args.lang, path=str(out / name)))
    _platform_files(batch, args, args.lang)
    return EXIT_OK


def _platform_files(batch: BatchResult, args: argparse.Namespace, lang: str) -> None:
    """Write and name the course platforms' files the options ask for (issue 11)."""
    from harness.platforms import write_platform_exports

    written = write_platform_exports(
        batch, moodle_worksheet=args.moodle_worksheet, moodle_gradebook=args.moodle_gradebook,
        moodle_roster=args.moodle_roster, canvas=args.canvas, csv_sep=args.csv_sep,
        assignment=args.assignment, lang=lang)
    for note in written.notes:
        print(note)
    for path in written.paths:
        print(t("cli.written", lang, path=str(path)))


def batch_line(n: int, *, graded: int, cached: int, ungraded: int, seconds: float,
               lang: str) -> str:
    """``3 entregas: 2 corregidas (0 sin cambios), 1 sin corregir; 4.1 s``, with plurals."""
    return t("batch.done", lang, submissions=plural("batch.n_submissions", n, lang),
             graded=plural("batch.n_graded", graded, lang), cached=cached,
             ungraded=ungraded, seconds=f"{seconds:.1f}")


def plural(key: str, n: int, lang: str) -> str:
    """``key.one`` for 1, ``key.other`` otherwise (both languages make plurals this way)."""
    return t(f"{key}.{'one' if n == 1 else 'other'}", lang, n=n)


def _add_merge(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("merge", help="combine the outputs of labgrade batch --shard I/N into "
                                     "one class page and grades.csv",
                       description="Combine the output folders of labgrade batch --shard I/N "
                                   "(every slice once) into one class page and grades.csv, "
                                   "and the course platforms' files the options ask for.",
                       formatter_class=_formatter, epilog=EXIT_STATUS)
    p.add_argument("folders", type=Path, nargs="+", help="the shards' output folders")
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.add_argument("--format", default="",
                   help="junit: also the class junit.xml; github: a class job summary "
                        "(where $GITHUB_STEP_SUMMARY is set) (default: none)")
    _add_platforms(p)


def cmd_merge(args: argparse.Namespace) -> int:
    from harness.batch_merge import merge

    batch = merge(args.folders, out=args.out, formats=_formats(args.format, ("junit", "github")))
    lang = batch.settings.get("lang") or env_lang()
    print(t("batch.merged", lang,
            submissions=plural("batch.n_submissions", len(batch.entries), lang),
            folders=plural("batch.n_folders", len(args.folders), lang)))
    for name in ("index.html", "grades.csv"):
        print(t("cli.written", lang, path=str(args.out / name)))
    _platform_files(batch, args, lang)
    return EXIT_OK


COMMANDS.update({"batch": (_add_batch, cmd_batch), "merge": (_add_merge, cmd_merge)})


def _add_course(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("course", help="course packs: your own exercises (new, test, rubric)",
                       formatter_class=_formatter, epilog=EXIT_STATUS)
    actions = p.add_subparsers(dest="course_command", required=True)
    new = actions.add_parser("new", help="write a starting pack with one working exercise")
    new.add_argument("dir", type=Path, help="a new (or empty) folder")
    new.add_argument("--name", help="the pack's name (default: from the folder name)")
    test = actions.add_parser("test", help="lint the pack and prove it both ways: reference "
                                           "full marks, template zero, each mutant losing "
                                           "exactly its declared checks; exit 1 otherwise")
    test.add_argument("dir", type=Path, help="the pack's folder")
    test.add_argument("--lang", choices=LANGS, default="en", help="language of the messages")
    test.add_argument("--isolation", choices=ISOLATION_MODES, default="auto")
    rubric = actions.add_parser("rubric", help="print the rubric graded with, as a file to "
                                               "start your own --rubric from: the built-in "
                                               "packs' points and the default limits, or "
                                               "those of the packs given")
    rubric.add_argument("dir", type=Path, nargs="*", help="course packs (default: the "
                                                          "built-in ones)")


def cmd_course(args: argparse.Namespace) -> int:
    from harness.packs.course import new_pack, prove_pack

    if args.course_command == "new":
        written = new_pack(args.dir, name=args.name)
        print(f"labgrade: course pack written to {args.dir} ({len(written)} files); next: "
              f"labgrade course test {args.dir}")
        return EXIT_OK
    if args.course_command == "rubric":
        from harness.packs import courses, rubric
        from harness.rubric import load, to_toml

        print(to_toml(rubric(courses(args.dir)) if args.dir else load()), end="")
        return EXIT_OK
    outcome = prove_pack(args.dir, lang=args.lang, isolation=args.isolation, say=print)
    return EXIT_OK if outcome.ok else EXIT_FAILING


COMMANDS.update({"course": (_add_course, cmd_course)})


STATUS_MARK = {"passed": "✔", "failed": "✘", "error": "!", "skipped": "–"}


def summary_line(result: SubmissionResult) -> str:
    return t("cli.summary", result.lang, name=result.submission,
             score=_num(result.score), max=_num(result.max_score),
             isolation=result.isolation, seconds=f"{result.duration_s:.1f}")


def print_terminal(result: SubmissionResult, checks: list, lang: str) -> None:  # type: ignore[type-arg]
    color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    paint = {"passed": "32", "failed": "31", "error": "33", "skipped": "90"}
    for problem in result.problems:
        print(f"! {problem.file}: {problem.message}")
    task = None
    for c in checks:
        if c.task != task:
            task = c.task
            print(f"\n{task}")
        mark = STATUS_MARK.get(c.status, "?")
        if color:
            mark = f"\x1b[{paint.get(c.status, '0')}m{mark}\x1b[0m"
        line = f"  {mark} {c.id.rsplit('.', 1)[1]:<26} {_num(c.score)}/{_num(c.max_score)}"
        print(line + (f"  {c.message}" if c.status != "passed" else ""))
    print("\n" + summary_line(result))


def _num(x: float) -> str:
    return f"{x:g}"


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="labgrade", description=DESCRIPTION, epilog=EPILOG,
                    formatter_class=_formatter)
    parser.add_argument("--version", action="version", version=f"labgrade {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                title="commands")
    for add, _ in COMMANDS.values():
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None:  # the command line: this process is the command's own
        warm_fork.allow_fork()
    return run_command(argv, build_parser, lambda args: COMMANDS[args.command][1](args))


if __name__ == "__main__":
    sys.exit(main())
