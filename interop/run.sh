#!/usr/bin/env bash
# Runs the Triton-client interop suite against two real Sluice servers.
#
#   bash interop/run.sh                 # whole suite
#   bash interop/run.sh -k perf         # extra arguments go to pytest
#
# Server A: examples/model_repository   (strict readiness, defaults)
# Server B: examples/broken_repository  (--strict-readiness false, --max-request-bytes 1048576,
#           2 s header and body timeouts)
# Server D: tiny_mlp (ONNX) + examples/tf_model_repository (TensorFlow) in one process
# Server C: examples/model_repository    (mutual TLS and an admin token, from interop/make-certs.sh;
#                                          credentials polled every second)
#
# Environment overrides:
#   SLUICE_JAR        jar to run (default gateway/target/sluice-gateway-0.1.0-SNAPSHOT-all.jar;
#                     built with `mvn -q -B -DskipTests install` when missing)
#   JAVA              java binary (default: java)
#   PYTEST_TIMEOUT_S  hard limit for the whole pytest run (default 900)
#   SERVER_START_TIMEOUT_S  how long to wait for each ports file (default 120)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

JAR="${SLUICE_JAR:-gateway/target/sluice-gateway-0.1.0-SNAPSHOT-all.jar}"
JAVA="${JAVA:-java}"
PYTEST_TIMEOUT_S="${PYTEST_TIMEOUT_S:-900}"
SERVER_START_TIMEOUT_S="${SERVER_START_TIMEOUT_S:-120}"
OUT_DIR="$ROOT/interop/target"

log() { echo "[interop] $*"; }
die() { echo "[interop] ERROR: $*" >&2; exit 1; }

# ---------------------------------------------------------------- tooling
bash scripts/python-env.sh

if [ ! -f "$JAR" ]; then
  log "jar $JAR missing: building with mvn -q -B -DskipTests install"
  mvn -q -B -DskipTests install
  [ -f "$JAR" ] || die "build finished but $JAR is still missing"
fi
command -v curl >/dev/null 2>&1 || die "curl is required"

mkdir -p "$OUT_DIR"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/sluice-interop.XXXXXX")"
SERVER_PIDS=()

# ---------------------------------------------------------------- cleanup
stop_servers() {
  local pid i
  for pid in "${SERVER_PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${SERVER_PIDS[@]}"; do
    for i in $(seq 1 100); do            # up to 10 s for a graceful shutdown
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "server pid $pid ignored SIGTERM; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
  SERVER_PIDS=()
}
cleanup() {
  stop_servers
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- servers
# start_server NAME LOG PORTS_FILE ARGS... ; sets LAST_PID
start_server() {
  local name="$1" logf="$2" ports="$3"
  shift 3
  log "starting server $name: $JAVA -jar $JAR serve $* (log: ${logf#$ROOT/})"
  "$JAVA" -jar "$JAR" serve "$@" --http-port 0 --grpc-port 0 --metrics-port 0 --ports-file "$ports" \
    >"$logf" 2>&1 </dev/null &
  LAST_PID=$!
  SERVER_PIDS+=("$LAST_PID")
}

# wait_ports NAME PID PORTS_FILE LOG
wait_ports() {
  local name="$1" pid="$2" ports="$3" logf="$4" waited=0
  while [ ! -s "$ports" ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "[interop] server $name (pid $pid) exited before serving; last lines of ${logf#$ROOT/}:" >&2
      tail -n 60 "$logf" >&2 || true
      exit 1
    fi
    if [ "$waited" -ge $((SERVER_START_TIMEOUT_S * 10)) ]; then
      echo "[interop] server $name did not write $ports within ${SERVER_START_TIMEOUT_S} s; last lines of ${logf#$ROOT/}:" >&2
      tail -n 60 "$logf" >&2 || true
      exit 1
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
}

port_of() {  # port_of PORTS_FILE KEY
  .venv/bin/python -c 'import json,sys; print(int(json.load(open(sys.argv[1]))[sys.argv[2]]))' "$1" "$2"
}

LOG_A="$OUT_DIR/server-a.log"
LOG_B="$OUT_DIR/server-b.log"
LOG_C="$OUT_DIR/server-c.log"
PORTS_A="$TMP/ports-a.json"
PORTS_B="$TMP/ports-b.json"
PORTS_C="$TMP/ports-c.json"
CERTS="$TMP/certs"
bash interop/make-certs.sh "$CERTS"
# Server C serves a copy of the server certificate, so the reload test can replace it.
cp "$CERTS/server.crt" "$CERTS/live.crt"
cp "$CERTS/server.key" "$CERTS/live.key"

start_server A "$LOG_A" "$PORTS_A" --model-repository examples/model_repository
PID_A=$LAST_PID
start_server B "$LOG_B" "$PORTS_B" --model-repository examples/broken_repository \
  --strict-readiness false --max-request-bytes 1048576 \
  --header-timeout-seconds 2 --body-timeout-seconds 2
PID_B=$LAST_PID
start_server C "$LOG_C" "$PORTS_C" --model-repository examples/model_repository \
  --tls-cert-file "$CERTS/live.crt" --tls-key-file "$CERTS/live.key" \
  --tls-client-ca-file "$CERTS/ca.crt" --admin-token-file "$CERTS/token" \
  --credentials-reload-seconds 1
PID_C=$LAST_PID

# Server D: ONNX Runtime and TensorFlow in one JVM: tiny_mlp beside the SavedModels of
# examples/tf_model_repository (the first TF load unpacks TF Java's native library, ~30 s once).
LOG_D="$OUT_DIR/server-d.log"
PORTS_D="$TMP/ports-d.json"
mkdir -p "$TMP/two-engines"
cp -r examples/model_repository/tiny_mlp examples/tf_model_repository/tf_dense_classifier \
  examples/tf_model_repository/tf_text_features examples/tf_model_repository/dense_classifier_onnx \
  "$TMP/two-engines/"
start_server D "$LOG_D" "$PORTS_D" --model-repository "$TMP/two-engines"
PID_D=$LAST_PID

wait_ports A "$PID_A" "$PORTS_A" "$LOG_A"
wait_ports B "$PID_B" "$PORTS_B" "$LOG_B"
wait_ports C "$PID_C" "$PORTS_C" "$LOG_C"
wait_ports D "$PID_D" "$PORTS_D" "$LOG_D"

export SLUICE_HTTP_URL="127.0.0.1:$(port_of "$PORTS_A" http)"
export SLUICE_GRPC_URL="127.0.0.1:$(port_of "$PORTS_A" grpc)"
export SLUICE_METRICS_URL="127.0.0.1:$(port_of "$PORTS_A" metrics)"
export SLUICE_BROKEN_HTTP_URL="127.0.0.1:$(port_of "$PORTS_B" http)"
export SLUICE_BROKEN_GRPC_URL="127.0.0.1:$(port_of "$PORTS_B" grpc)"
export SLUICE_BROKEN_METRICS_URL="127.0.0.1:$(port_of "$PORTS_B" metrics)"
export SLUICE_TLS_HTTP_URL="127.0.0.1:$(port_of "$PORTS_C" http)"
export SLUICE_TLS_GRPC_URL="127.0.0.1:$(port_of "$PORTS_C" grpc)"
export SLUICE_TLS_METRICS_URL="127.0.0.1:$(port_of "$PORTS_C" metrics)"
export SLUICE_TLS_DIR="$CERTS"
export SLUICE_TF_HTTP_URL="127.0.0.1:$(port_of "$PORTS_D" http)"
export SLUICE_TF_GRPC_URL="127.0.0.1:$(port_of "$PORTS_D" grpc)"
export PERF_ANALYZER=".tools/perf_analyzer/perf_analyzer"
# test_drift.py starts its own servers (a drift window must see only its own traffic).
export SLUICE_JAR_PATH="$ROOT/$JAR"
export SLUICE_JAVA="$JAVA"
export SLUICE_LOG_DIR="$OUT_DIR"
export GRPCURL=".tools/grpcurl/grpcurl"
log "server A: http $SLUICE_HTTP_URL grpc $SLUICE_GRPC_URL metrics $SLUICE_METRICS_URL"
log "server B: http $SLUICE_BROKEN_HTTP_URL grpc $SLUICE_BROKEN_GRPC_URL"
log "server C: https $SLUICE_TLS_HTTP_URL grpc+tls $SLUICE_TLS_GRPC_URL (mutual TLS, admin token)"

# ---------------------------------------------------------------- tests
set +e
timeout --kill-after=30 "$PYTEST_TIMEOUT_S" .venv/bin/python -m pytest interop -q -ra "$@"
status=$?
set -e
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
  log "pytest did not finish within ${PYTEST_TIMEOUT_S} s (exit $status); server logs: interop/target/"
fi
exit "$status"
