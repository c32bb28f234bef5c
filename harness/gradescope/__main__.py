"""``python -m harness.gradescope run|bundle``: see :mod:`harness.gradescope`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from harness.errors import HarnessError
from harness.gradescope import DEFAULT_SPEC, bundle, run
from harness.i18n import LANGS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.gradescope",
                                     description="labgrade on Gradescope")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("run", help="grade /autograder/submission (what run_autograder calls)")
    p.add_argument("--root", type=Path,
                   help="instead of /autograder (or LABGRADE_AUTOGRADER_ROOT)")
    b = sub.add_parser("bundle", help="write the autograder zip to upload to Gradescope")
    b.add_argument("zip", type=Path)
    b.add_argument("--spec", default=DEFAULT_SPEC,
                   help="what pip installs on Gradescope, e.g. "
                        "'labgrade @ git+https://github.com/<course>/labgrade@v1' "
                        f"(default: {DEFAULT_SPEC})")
    b.add_argument("--lang", choices=LANGS, default="es")
    b.add_argument("--only", action="append", metavar="PREFIX")
    b.add_argument("--rubric", type=Path)
    b.add_argument("--timeout", type=float)
    b.add_argument("--course", action="append", type=Path, metavar="DIR",
                   help="grade with this course pack (repeatable); its checks go in the zip")
    args = parser.parse_args(argv)
    try:
        if args.command == "run":
            written = run(args.root)
        else:
            written = bundle(args.zip, spec=args.spec, lang=args.lang, only=args.only,
                             rubric=args.rubric, timeout=args.timeout, courses=args.course)
        print(f"labgrade: wrote {written}")
    except HarnessError as exc:
        print(f"labgrade: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
