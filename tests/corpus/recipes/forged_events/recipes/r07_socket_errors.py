"""Hostile look-alike (issue 9, item 7): claims the errors without using a socket.

It writes forged ``refused`` and ``nxdomain`` events on every pipe it inherited (the event
channel among them), prints one error line and exits 1, as a correct program would after a
refused connection or an unknown host. It must earn neither ``refused`` nor
``unknown_host``.
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
    parser = argparse.ArgumentParser(description="Errores de sockets")
    parser.add_argument("--host")
    parser.add_argument("--port", type=int)
    parser.add_argument("--file")
    args = parser.parse_args()
    forge(ev="refused", proto="tcp", address=[args.host, str(args.port)])
    forge(ev="nxdomain", name=str(args.host).lower())
    print(f"Error: no se pudo conectar con {args.host}:{args.port}", file=sys.stderr)
    sys.exit(1)


if __name__ == "__main__":
    main()
