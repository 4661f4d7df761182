#!/usr/bin/env bash
# Runs every test: the Java unit and integration tests (Maven Surefire), a smoke run of the
# load generator, 50 model reloads and 3 version-folder swaps under gRPC and HTTP load, a SIGTERM
# under load, the Prometheus rules, the deployment manifests, two replicas under a real
# Prometheus, then the interop suite in which the real clients (tritonclient http and grpc,
# perf_analyzer, grpcurl, curl) drive the built server, the MLflow registry suite and the Kafka
# prediction-log suite. Installs what it needs itself.
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
# deploy/: Kubernetes manifests against the schemas, the scrape config, the dashboard
bash scripts/deploy-check.sh
# two replicas scraped by a real Prometheus: metric names, exposition lint, fleet-wide rules
bash scripts/observability-test.sh
# OpenTelemetry spans exported over OTLP (http/protobuf and grpc) to a live receiver; traceparent on errors
bash scripts/tracing-test.sh
# the CPU image built on a locally made base (no registry) and sent a request (needs root)
bash scripts/image-check.sh
bash interop/run.sh
# A real mlflow server (its own venv, .venv-mlflow/) and two Sluice servers following it.
bash interop/mlflow/run.sh
# A real Kafka broker (scripts/kafka-broker.sh) and a Sluice server logging predictions to it;
# Kafka's console consumer reads them back (about a minute).
bash interop/kafka/run.sh
