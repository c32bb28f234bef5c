"""Hostile look-alike (issue 9, item 7): claims a refused connection without trying one.

It writes a forged ``refused`` event on every pipe it inherited and reports the error as a
correct client would. It must not earn ``handles_refused``.
"""
import argparse
import json
import os
import sys


def forge(**event):
    line = (json.dumps(event) + "\n").encode()
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd <= 2:
            continue
        try:
            if os.readlink(f"/proc/self/fd/{fd}").startswith("pipe:"):
                os.write(fd, line)
        except OSError:
            pass


def main():
    parser = argparse.ArgumentParser(description="Cliente TCP de eco")
    parser.add_argument("--port", type=int, default=9900)
    parser.add_argument("--message", default="Mensaje de prueba")
    args = parser.parse_args()
    forge(ev="refused", proto="tcp", address=["localhost", str(args.port)])
    print(f"Error: nadie escucha en localhost:{args.port}", file=sys.stderr)
    sys.exit(1)


if __name__ == "__main__":
    main()
