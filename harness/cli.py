"""The ``labgrade`` command: a thin layer over library functions.

    labgrade grade DIR [--out DIR] [--lang es|en] [--rubric FILE] [--timeout S]
    labgrade check [DIR] [--format text,junit,github] [--lang es|en]
    labgrade new DIR [--lang es|en]
    labgrade course new DIR | labgrade course test DIR     (course packs; --course DIR on
                                                            grade, check and batch)

Exit status: 0 when the command did its job (``grade`` whatever the score); ``check`` exits 1
while any visible check fails; 2 for usage errors and folders that cannot be graded.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from harness import __version__
from harness.engine import ISOLATION_MODES, grade
from harness.errors import HarnessError
from harness.i18n import LANGS, t
from harness.results import SubmissionResult

EXIT_OK, EXIT_FAILING, EXIT_USAGE = 0, 1, 2
CHECK_FORMATS = ("text", "junit", "github", "json")

Command = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, tuple[Callable[[argparse._SubParsersAction], None], Command]] = {}  # type: ignore[type-arg]


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", choices=LANGS, default=os.environ.get("LABGRADE_LANG", "es"),
                   help="language of messages and reports (default: es)")
    p.add_argument("--rubric", type=Path, help="TOML rubric (points, visibility, limits)")
    p.add_argument("--timeout", type=float,
                   help="wall time limit of each student program run, in seconds")
    p.add_argument("--isolation", choices=ISOLATION_MODES, default="auto",
                   help="auto: the strongest this machine gives; strict: refuse to grade "
                        "without netns+pidns+uid+rlimits; portable: no namespaces")
    p.add_argument("--only", action="append", metavar="PREFIX",
                   help="grade only the checks whose id starts with PREFIX, segment by "
                        "segment (repeatable): --only lab9, --only lab9.udp (every "
                        "lab9.udp* task), --only lab9.tcp_server.echo_prefix; a PREFIX "
                        "that selects no check exits 2 (see harness/selection.py)")
    p.add_argument("--course", action="append", type=Path, metavar="DIR",
                   help="grade with the course pack in DIR instead of the built-in checks "
                        "(repeatable: the tasks of every pack); see labgrade course --help")


def _add_grade(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("grade", help="grade one submission and write its report")
    p.add_argument("submission", type=Path, help="the submission folder")
    p.add_argument("--out", type=Path,
                   help="output folder (default: reports/<submission name>)")
    _common(p)


def cmd_grade(args: argparse.Namespace) -> int:
    out = args.out or Path("reports") / args.submission.resolve().name
    result = grade(args.submission, out=out, lang=args.lang, rubric=args.rubric,
                   timeout=args.timeout, isolation=args.isolation, only=args.only,
                   courses=args.course)
    print(summary_line(result))
    print(t("cli.written", args.lang, path=str(out / "report.html")))
    print(t("cli.written", args.lang, path=str(out / "results.json")))
    return EXIT_OK


def _add_check(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("check", help="check your own work: visible checks, exit 1 while any "
                                     "fails")
    p.add_argument("submission", type=Path, nargs="?", default=Path("."),
                   help="the submission folder (default: the current folder)")
    p.add_argument("--format", default="text",
                   help=f"comma-separated outputs: {', '.join(CHECK_FORMATS)} (default: text)")
    p.add_argument("--out", type=Path, help="also write results.json and report.html here")
    p.add_argument("--junit", type=Path, default=Path("labgrade-junit.xml"),
                   help="where --format junit writes (default: labgrade-junit.xml)")
    _common(p)


def cmd_check(args: argparse.Namespace) -> int:
    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    bad = [f for f in formats if f not in CHECK_FORMATS]
    if bad:
        raise HarnessError(f"invalid --format {','.join(bad)}; choose from "
                           f"{', '.join(CHECK_FORMATS)}")
    result = grade(args.submission, out=args.out, lang=args.lang, rubric=args.rubric,
                   timeout=args.timeout, isolation=args.isolation, only=args.only,
                   courses=args.course)
    visible = [c for c in result.checks if c.visibility == "visible"]
    if "text" in formats:
        print_terminal(result, visible, args.lang)
    if "json" in formats:
        import json

        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    if "junit" in formats:
        from harness.exports import write_junit

        write_junit(result, args.junit, visible_only=True, lang=args.lang)
    if "github" in formats:
        write_github(result, args.lang)
    failing = [c for c in visible if c.status in ("failed", "error")]
    return EXIT_FAILING if failing else EXIT_OK


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
    p = sub.add_parser("new", help="copy the student template to start an assignment")
    p.add_argument("dest", type=Path, help="a new (or empty) folder")
    p.add_argument("--lang", choices=LANGS, default="es", help="language of the docstrings")


def cmd_new(args: argparse.Namespace) -> int:
    from harness.templates import copy_template

    written = copy_template(args.dest, lang=args.lang)
    print(t("cli.new_done", args.lang, path=str(args.dest), n=len(written)))
    return EXIT_OK


COMMANDS.update({"grade": (_add_grade, cmd_grade), "check": (_add_check, cmd_check),
                 "new": (_add_new, cmd_new)})


def _add_batch(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("batch", help="grade every submission of a folder (subfolders or .zip "
                                     "files) in parallel; class page, grades.csv, exports")
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
                        "the class junit.xml)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress on stderr")
    # course platforms (harness.platforms; issue 11)
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
    _common(p)


def cmd_batch(args: argparse.Namespace) -> int:
    import time

    from harness.batch import parse_shard, run_batch

    started = time.monotonic()
    out = args.out or Path("reports") / args.submissions.resolve().name
    batch = run_batch(args.submissions, out=out, jobs=args.jobs, lang=args.lang,
                      rubric=args.rubric, timeout=args.timeout, isolation=args.isolation,
                      only=args.only, force=args.force,
                      shard=parse_shard(args.shard) if args.shard else None,
                      formats=[f.strip() for f in args.format.split(",") if f.strip()],
                      progress=not args.quiet, courses=args.course)
    print(t("batch.done", args.lang, n=len(batch.entries), graded=len(batch.graded),
            cached=sum(e.cached for e in batch.graded), ungraded=len(batch.ungraded),
            seconds=f"{time.monotonic() - started:.1f}"))
    for name in ("index.html", "grades.csv"):
        print(t("cli.written", args.lang, path=str(out / name)))
    from harness.platforms import write_platform_exports  # issue 11: course platforms

    written = write_platform_exports(
        batch, moodle_worksheet=args.moodle_worksheet, moodle_gradebook=args.moodle_gradebook,
        moodle_roster=args.moodle_roster, canvas=args.canvas, csv_sep=args.csv_sep,
        assignment=args.assignment, lang=args.lang)
    for note in written.notes:
        print(note)
    for path in written.paths:
        print(t("cli.written", args.lang, path=str(path)))
    return EXIT_OK


def _add_merge(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("merge", help="combine the outputs of labgrade batch --shard I/N into "
                                     "one class page and grades.csv")
    p.add_argument("folders", type=Path, nargs="+", help="the shards' output folders")
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.add_argument("--format", default="",
                   help="junit: also the class junit.xml; github: a class job summary "
                        "(where $GITHUB_STEP_SUMMARY is set)")


def cmd_merge(args: argparse.Namespace) -> int:
    from harness.batch_merge import merge

    batch = merge(args.folders, out=args.out,
                  formats=[f.strip() for f in args.format.split(",") if f.strip()])
    lang = batch.settings.get("lang") or "es"
    print(t("batch.merged", lang, n=len(batch.entries), folders=len(args.folders)))
    for name in ("index.html", "grades.csv"):
        print(t("cli.written", lang, path=str(args.out / name)))
    return EXIT_OK


COMMANDS.update({"batch": (_add_batch, cmd_batch), "merge": (_add_merge, cmd_merge)})


def _add_course(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("course", help="course packs: your own exercises (new, test)")
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


def cmd_course(args: argparse.Namespace) -> int:
    from harness.packs.course import new_pack, prove_pack

    if args.course_command == "new":
        written = new_pack(args.dir, name=args.name)
        print(f"labgrade: course pack written to {args.dir} ({len(written)} files); next: "
              f"labgrade course test {args.dir}")
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
        where = f"{problem.file}:{problem.line}" if problem.line else problem.file
        print(f"! {where}: {problem.message}")
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
    parser = argparse.ArgumentParser(prog="labgrade", description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", action="version", version=f"labgrade {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for add, _ in COMMANDS.values():
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command][1](args)
    except HarnessError as exc:
        print(f"labgrade: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
