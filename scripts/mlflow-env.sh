#!/usr/bin/env bash
# Creates .venv-mlflow/ (or $MLFLOW_VENV) from scripts/requirements-mlflow.txt. Idempotent: a
# stamp with the requirements' checksum skips the install when nothing changed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REQ="$ROOT/scripts/requirements-mlflow.txt"
VENV="${MLFLOW_VENV:-$ROOT/.venv-mlflow}"
PYTHON="${PYTHON:-python3}"
STAMP="$VENV/.sluice-stamp"
WANT="req-sha256=$(sha256sum "$REQ" | cut -d' ' -f1)"
if [ -x "$VENV/bin/mlflow" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ]; then
  echo "[mlflow-env] up to date ($VENV)"
  exit 0
fi
echo "[mlflow-env] installing $(grep -v '^#' "$REQ" | tr '\n' ' ') into $VENV"
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQ"
"$VENV/bin/python" -c 'import mlflow, onnx; assert mlflow.__version__ == "3.17.2", mlflow.__version__'
echo "$WANT" > "$STAMP"
echo "[mlflow-env] ready ($VENV)"
