#!/usr/bin/env bash
# Runs every test: the Java unit and integration tests (Maven Surefire), a smoke run of the
# load generator, 50 model reloads and 3 version-folder swaps under gRPC and HTTP load, a SIGTERM under load, then the interop suite in which the real clients (tritonclient http and grpc,
# perf_analyzer, grpcurl, curl) drive the built server, and the MLflow registry suite. Installs what it needs itself.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/python-env.sh
mvn -B -ntp install
# The Gatling simulation lives in its own profile: check that it compiles.
mvn -B -ntp -q -pl loadtest -Pgatling test-compile
bash loadtest/smoke.sh
bash loadtest/reload-under-load.sh
# Poll mode: a version folder added and removed under gRPC and HTTP load, 0 failures (short: < 60 s).
SHORT=1 bash loadtest/folder-swap-under-load.sh
bash loadtest/drain-under-load.sh
bash scripts/promtool-test.sh
bash interop/run.sh
# A real mlflow server (its own venv, .venv-mlflow/) and two Sluice servers following it.
bash interop/mlflow/run.sh
