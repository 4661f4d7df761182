#!/usr/bin/env bash
# The MLflow registry suite: a real `mlflow server` (scripts/mlflow-server.sh: sqlite, artifact
# proxy, loopback), ONNX models logged with mlflow.onnx (interop/mlflow/register.py), and a real
# Sluice server following them (--mlflow-uri); tritonclient (HTTP and gRPC) asks while the tests
# move aliases through MLflow's REST API, stop and restart the registry, and register bad versions.
#
#   bash interop/mlflow/run.sh            # extra arguments go to pytest
#
# Environment: SLUICE_JAR (default gateway/target/sluice-gateway-0.1.0-SNAPSHOT-all.jar),
# JAVA (default java), MLFLOW_POLL_SECONDS (default 2).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
JAR="${SLUICE_JAR:-gateway/target/sluice-gateway-0.1.0-SNAPSHOT-all.jar}"
JAVA="${JAVA:-java}"
POLL="${MLFLOW_POLL_SECONDS:-2}"
OUT="$ROOT/interop/target/mlflow"
log() { echo "[interop-mlflow] $*"; }

bash scripts/python-env.sh
bash scripts/mlflow-env.sh
if [ ! -f "$JAR" ]; then
  log "jar $JAR missing: building it"
  mvn -B -ntp -q -pl gateway -am package -DskipTests
fi
mkdir -p "$OUT"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/sluice-mlflow.XXXXXX")"
SLUICE_PID=""
SLUICE_B_PID=""
SLUICE_C_PID=""
SLUICE_D_PID=""
PROXY_PID=""
cleanup() {
  for pid in $SLUICE_PID $SLUICE_B_PID $SLUICE_C_PID $SLUICE_D_PID $PROXY_PID; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in $SLUICE_PID $SLUICE_B_PID $SLUICE_C_PID $SLUICE_D_PID $PROXY_PID; do
    wait "$pid" 2>/dev/null || true
  done
  bash scripts/mlflow-server.sh stop "$TMP/mlflow" || true
  cp "$TMP/mlflow/server.log" "$OUT/mlflow-server.log" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT

URI="$(bash scripts/mlflow-server.sh start "$TMP/mlflow")"
log "mlflow server at $URI"
# Versions 1..7 of 'fraud': good ones with different weights (1, 2, 6, 7), a signature that does
# not match the graph (3), a model.onnx corrupted in the store (4), its own config.pbtxt (5).
.venv-mlflow/bin/python interop/mlflow/register.py --uri "$URI" --name fraud \
  --artifacts-dir "$TMP/mlflow/mlartifacts" --batch 1,2,3:signature,4:corrupt,5:config,6,7 \
  > "$TMP/versions.txt" 2> "$OUT/register.log"
log "registered fraud versions $(grep -E "^[0-9]+$" "$TMP/versions.txt" | tr "\n" " ")"
curl -sf -X POST -H 'Content-Type: application/json' \
  -d '{"name": "fraud", "alias": "champion", "version": "1"}' \
  "$URI/api/2.0/mlflow/registered-models/alias" >/dev/null
# Versions 1..4 of 'churn', for server D's alias-driven rollouts: 1, 2 and 3 the same weights
# (seed 1: a challenger that agrees), 4 other weights (seed 2: one whose answers disagree).
.venv-mlflow/bin/python interop/mlflow/register.py --uri "$URI" --name churn --batch 1,1,1,2 \
  > "$TMP/churn-versions.txt" 2>> "$OUT/register.log"
curl -sf -X POST -H 'Content-Type: application/json' \
  -d '{"name": "churn", "alias": "champion", "version": "1"}' \
  "$URI/api/2.0/mlflow/registered-models/alias" >/dev/null

# Server A polls every $POLL s, beside the folder repository. Server B polls only every 5
# minutes and is told of alias moves by an MLflow webhook signed with a shared secret.
"$JAVA" -jar "$JAR" serve --mlflow-uri "$URI" --mlflow-model fraud \
  --mlflow-poll-seconds "$POLL" --model-cache "$TMP/cache" \
  --model-repository examples/model_repository \
  --http-port 0 --grpc-port 0 --metrics-port 0 --ports-file "$TMP/ports.json" \
  > "$OUT/sluice.log" 2>&1 < /dev/null &
SLUICE_PID=$!
head -c 24 /dev/urandom | base64 > "$TMP/webhook-secret"
"$JAVA" -jar "$JAR" serve --mlflow-uri "$URI" --mlflow-model fraud \
  --mlflow-poll-seconds 300 --model-cache "$TMP/cache-b" \
  --mlflow-webhook-secret-file "$TMP/webhook-secret" \
  --http-port 0 --grpc-port 0 --metrics-port 0 --ports-file "$TMP/ports-b.json" \
  > "$OUT/sluice-b.log" 2>&1 < /dev/null &
SLUICE_B_PID=$!
# Server C reaches MLflow through a fault-injecting proxy (interop/mlflow/fault_proxy.py).
.venv/bin/python interop/mlflow/fault_proxy.py "$URI" "$TMP/proxy-port" > "$OUT/proxy.log" 2>&1 &
PROXY_PID=$!
for _ in $(seq 100); do [ -s "$TMP/proxy-port" ] && break; sleep 0.1; done
PROXY="http://127.0.0.1:$(cat "$TMP/proxy-port")"
"$JAVA" -jar "$JAR" serve --mlflow-uri "$PROXY" --mlflow-model fraud \
  --mlflow-poll-seconds "$POLL" --model-cache "$TMP/cache-c" \
  --http-port 0 --grpc-port 0 --metrics-port 0 --ports-file "$TMP/ports-c.json" \
  > "$OUT/sluice-c.log" 2>&1 < /dev/null &
SLUICE_C_PID=$!
# Server D rolls out every challenger move of 'churn' by itself, with windows of seconds, and
# writes the outcome back to MLflow (champion moved, or the version tagged).
"$JAVA" -jar "$JAR" serve --mlflow-uri "$URI" --mlflow-model churn \
  --mlflow-poll-seconds "$POLL" --model-cache "$TMP/cache-d" \
  --mlflow-rollout true --rollout-shadow-seconds 3 --rollout-step-seconds 3 \
  --rollout-steps 5,25,50 --mlflow-promote true \
  --http-port 0 --grpc-port 0 --metrics-port 0 --ports-file "$TMP/ports-d.json" \
  > "$OUT/sluice-d.log" 2>&1 < /dev/null &
SLUICE_D_PID=$!
for f in ports ports-b ports-c ports-d; do
  for _ in $(seq 1200); do
    [ -s "$TMP/$f.json" ] && break
    kill -0 "$SLUICE_PID" 2>/dev/null && kill -0 "$SLUICE_B_PID" 2>/dev/null \
      && kill -0 "$SLUICE_C_PID" 2>/dev/null && kill -0 "$SLUICE_D_PID" 2>/dev/null \
      || { tail -40 "$OUT/sluice.log" "$OUT/sluice-b.log" "$OUT/sluice-c.log" \
             "$OUT/sluice-d.log" >&2; exit 1; }
    sleep 0.1
  done
  [ -s "$TMP/$f.json" ] || { echo "sluice did not write $f.json" >&2; exit 1; }
done
port() { .venv/bin/python -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$TMP/${2:-ports}.json" "$1"; }
export SLUICE_B_HTTP_URL="127.0.0.1:$(port http ports-b)"
export SLUICE_B_METRICS_URL="127.0.0.1:$(port metrics ports-b)"
export WEBHOOK_SECRET_FILE="$TMP/webhook-secret"
export SLUICE_C_HTTP_URL="127.0.0.1:$(port http ports-c)"
export SLUICE_C_METRICS_URL="127.0.0.1:$(port metrics ports-c)"
export FAULT_PROXY_URL="$PROXY"
export SLUICE_D_HTTP_URL="127.0.0.1:$(port http ports-d)"
export SLUICE_D_GRPC_URL="127.0.0.1:$(port grpc ports-d)"
export SLUICE_D_METRICS_URL="127.0.0.1:$(port metrics ports-d)"

export SLUICE_HTTP_URL="127.0.0.1:$(port http)"
export SLUICE_GRPC_URL="127.0.0.1:$(port grpc)"
export SLUICE_METRICS_URL="127.0.0.1:$(port metrics)"
export SLUICE_PID MLFLOW_URI="$URI" MLFLOW_DIR="$TMP/mlflow" MLFLOW_POLL_SECONDS="$POLL"
export MLFLOW_CACHE="$TMP/cache"
log "sluice: http $SLUICE_HTTP_URL grpc $SLUICE_GRPC_URL (pid $SLUICE_PID)"
set +e
timeout --kill-after=30 900 .venv/bin/python -m pytest interop/mlflow/suite_mlflow.py -q -s -ra -p no:cacheprovider "$@"
status=$?
set -e
exit "$status"
