"""A program for :mod:`harness.warm`'s tests, run as a grading run would be: forked from the
warm server. ``python -m tests.warm_probe REPORT WHAT``: writes what it finds to REPORT (JSON)
and then does WHAT (``ok``, ``exit3``, ``say``, ``raise``, ``signal``, ``sleep``, ``thread``)."""

from __future__ import annotations

import atexit
import gc
import json
import os
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path


def main() -> None:
    report, what = Path(sys.argv[1]), sys.argv[2]
    seen = {
        "pid": os.getpid(), "ppid": os.getppid(), "argv": sys.argv[1:],
        "env": dict(os.environ), "cwd": os.getcwd(), "fds": sorted(
            int(fd) for fd in os.listdir("/proc/self/fd")),
        "stdin": sys.stdin.read(), "tmp": tempfile.gettempdir(),
        "sigint_default": signal.getsignal(signal.SIGINT) is signal.default_int_handler,
        "sigchld_default": signal.getsignal(signal.SIGCHLD) == signal.SIG_DFL,
        "threads": threading.active_count(), "main": __name__,
        "gc": [gc.isenabled(), list(gc.get_threshold())],
        # what a server forked from the engine must not hand down (harness.warm_fork)
        "path": sys.path, "bytecode": not sys.dont_write_bytecode,
        "exitfuncs": atexit._ncallbacks(),
        "start_lock_free": not getattr(sys.modules.get("harness.warm"), "_start_lock",
                                       threading.Lock()).locked(),
        "streams": [
            [s.encoding, s.errors, s.line_buffering] for s in (sys.stdin, sys.stdout,
                                                               sys.stderr)],
        "handlers": {name: repr(signal.getsignal(getattr(signal, name)))
                     for name in ("SIGTERM", "SIGHUP", "SIGUSR1", "SIGPIPE", "SIGALRM")}}
    partial = report.with_suffix(".part")  # whole or absent: the tests poll for the file
    partial.write_text(json.dumps(seen), encoding="utf-8")
    partial.replace(report)
    print("to stdout")
    print("to stderr", file=sys.stderr)
    if what == "exit3":
        sys.exit(3)
    elif what == "say":
        sys.exit("bye")
    elif what == "raise":
        raise ValueError("probe")
    elif what == "signal":
        os.kill(os.getpid(), signal.SIGTERM)
    elif what == "sleep":
        time.sleep(120)
    elif what == "thread":  # a non-daemon thread is joined before the run ends
        def late() -> None:
            time.sleep(0.2)
            report.with_suffix(".late").write_text("late", encoding="utf-8")
        threading.Thread(target=late).start()


if __name__ == "__main__":
    main()
