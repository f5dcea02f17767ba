#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image (not per submission).
# It installs Python >= 3.11, bubblewrap when Debian/Ubuntu has it, and this project with its
# dependencies into a virtual environment every user can read: the student's code runs as an
# unprivileged user and must be able to start that Python. Everything else of ours (the source:
# reference, hidden tests, data with its test labels) is made readable by root only.
set -euo pipefail
SOURCE=/autograder/source
VENV=/opt/mlp-grader/venv
export DEBIAN_FRONTEND=noninteractive

apt-get update
apt-get install -y --no-install-recommends python3 python3-pip python3-venv ca-certificates
# bubblewrap isolates the student's code; where it is missing or the container forbids
# namespaces the grader falls back to rlimits and an unprivileged user, and says so.
apt-get install -y --no-install-recommends bubblewrap \
  || echo "setup.sh: bubblewrap not installed; grading will use the rlimit fallback"

PY=""
for candidate in python3 python3.13 python3.12 python3.11; do
  if command -v "$candidate" >/dev/null \
     && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    PY="$(command -v "$candidate")"
    break
  fi
done
if [ -z "$PY" ]; then  # Ubuntu 22.04 ships 3.10; its universe has 3.11
  apt-get install -y --no-install-recommends python3.11 python3.11-venv
  PY="$(command -v python3.11)"
fi

mkdir -p "$(dirname "$VENV")"
"$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install --no-cache-dir --upgrade pip
# Editable, so the grader finds the assignment and the data sources beside it in $SOURCE.
"$VENV/bin/python" -m pip install --no-cache-dir -e "$SOURCE"
# Build the assignment's data files now rather than during the first submission, where the grader
# has a data-set command (python -m grader.datasets); without one, grading builds them when needed.
if "$VENV/bin/python" -c 'import importlib.util as u; u.find_spec("grader.datasets.__main__").name' 2>/dev/null; then
  "$VENV/bin/python" -m grader.datasets --assignment "$SOURCE/@ASSIGNMENT@" \
    || echo "setup.sh: could not prepare the data sets now; grading will build them when first needed"
fi
chmod -R a+rX "$(dirname "$VENV")"
# The source holds the reference, the hidden tests and the labels: root only (run_autograder and the
# grader run as root; the student's worker, another uid, must not read them in any mode).
chmod -R go-rwx "$SOURCE"
chmod 700 "$SOURCE" "$SOURCE/run_autograder"
if command -v bwrap >/dev/null && bwrap --ro-bind / / --unshare-net --unshare-pid --proc /proc true 2>/dev/null; then
  echo "setup.sh: bubblewrap works here; student code will run in its sandbox"
else
  echo "setup.sh: bubblewrap cannot run in this container; student code will run confined by Landlock, seccomp, rlimits and a uid of its own (see docs/security.md)"
fi
# Fail the image build now, not the first student's submission, if the grader cannot start.
"$VENV/bin/python" -c "import grader.gradescope.run, numpy, libcst, pytest"
echo "setup.sh: mlp-grader installed in $VENV with $("$VENV/bin/python" --version)"
