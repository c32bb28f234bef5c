"""``python -m harness.gradescope run|bundle``: see :mod:`harness.gradescope`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from harness.cli_guard import EXIT_OK, Parser, run_command
from harness.i18n import DEFAULT_LANG, LANGS, t

PROG = "python -m harness.gradescope"


def build_parser() -> Parser:
    parser = Parser(prog=PROG, description="labgrade on Gradescope: write the autograder zip "
                                           "(bundle), or grade on Gradescope's machine (run)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = sub.add_parser("run", help="grade /autograder/submission (what run_autograder calls)")
    p.add_argument("--root", type=Path,
                   help="instead of /autograder (or LABGRADE_AUTOGRADER_ROOT)")
    b = sub.add_parser("bundle", help="write the autograder zip to upload to Gradescope")
    b.add_argument("zip", type=Path)
    b.add_argument("--spec",
                   help="required: what pip installs on Gradescope, e.g. "
                        "'labgrade @ git+https://github.com/<course>/labgrade@v1'")
    b.add_argument("--lang", choices=LANGS, default=DEFAULT_LANG,
                   help="language of the messages (default: es)")
    b.add_argument("--only", action="append", metavar="PREFIX")
    b.add_argument("--rubric", type=Path, help="default: the rubric shipped with labgrade")
    b.add_argument("--timeout", type=float, help="default: the rubric's limits.wall_s")
    b.add_argument("--course", action="append", type=Path, metavar="DIR",
                   help="grade with this course pack (repeatable); its checks go in the zip")
    return parser


def dispatch(args: argparse.Namespace) -> int:
    from harness.gradescope import bundle, run

    if args.command == "run":
        written = run(args.root)
    else:
        written = bundle(args.zip, spec=args.spec, lang=args.lang, only=args.only,
                         rubric=args.rubric, timeout=args.timeout, courses=args.course)
    print(t("cli.written", getattr(args, "lang", DEFAULT_LANG), path=str(written)))
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    if argv is None:  # the program itself (run_autograder): its warm server may be forked
        from harness import warm_fork

        warm_fork.allow_fork()
    return run_command(argv, build_parser, dispatch)


if __name__ == "__main__":
    sys.exit(main())
