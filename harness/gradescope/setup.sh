#!/usr/bin/env bash
# Gradescope runs this once, when it builds the autograder image: a Python >= 3.11 and a
# virtual environment in /opt/labgrade with what requirements.txt names (the course's harness,
# written by `python -m harness.gradescope bundle --spec ...`, which requires it).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export DEBIAN_FRONTEND=noninteractive

ok() { "$1" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; }

python=""
for candidate in python3.13 python3.12 python3.11 python3; do
  if command -v "$candidate" >/dev/null && ok "$candidate"; then
    python="$(command -v "$candidate")"
    break
  fi
done
apt-get update -qq
if [ -z "$python" ]; then
  # Ubuntu 22.04 images ship Python 3.10; 3.11 is in its universe repository
  apt-get install -y -qq --no-install-recommends python3.11 python3.11-venv
  python="$(command -v python3.11)"
fi
# venv for the interpreter found; netbase gives /etc/services (recipe r04)
version="$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
apt-get install -y -qq --no-install-recommends "python${version}-venv" netbase git || true

"$python" -m venv /opt/labgrade
/opt/labgrade/bin/python -m pip install --quiet --upgrade pip
/opt/labgrade/bin/python -m pip install --quiet -r "$here/requirements.txt"
/opt/labgrade/bin/python -m harness.gradescope --help >/dev/null
