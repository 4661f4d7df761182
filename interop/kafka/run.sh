#!/usr/bin/env bash
# The prediction log to a real Kafka broker: scripts/kafka-broker.sh starts a KRaft broker from
# Maven Central's kafka_2.13, a real Sluice server sends its prediction log there
# (--prediction-log-kafka-bootstrap), tritonclient and curl send requests, and Kafka's own
# console consumer (kafka-tools) reads the topic back; then the broker is stopped and requests
# must still succeed while the log counts its drops.
#
#   bash interop/kafka/run.sh            # extra arguments go to pytest
#
# Environment: SLUICE_JAR (default gateway/target/sluice-gateway-0.1.0-SNAPSHOT-all.jar),
# JAVA (default java).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
JAR="${SLUICE_JAR:-gateway/target/sluice-gateway-0.1.0-SNAPSHOT-all.jar}"
JAVA="${JAVA:-java}"
OUT="$ROOT/interop/target/kafka"
log() { echo "[interop-kafka] $*"; }

bash scripts/python-env.sh >/dev/null
if [ ! -f "$JAR" ]; then
  log "jar $JAR missing: building it"
  mvn -B -ntp -q -pl gateway -am package -DskipTests
fi
mkdir -p "$OUT"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/sluice-kafka.XXXXXX")"
SLUICE_PID=""
cleanup() {
  if [ -n "$SLUICE_PID" ]; then
    kill -TERM "$SLUICE_PID" 2>/dev/null || true
    wait "$SLUICE_PID" 2>/dev/null || true
  fi
  bash scripts/kafka-broker.sh stop "$TMP/broker" || true
  cp "$TMP/broker/server.log" "$OUT/broker.log" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT

started=$SECONDS
BOOTSTRAP="$(bash scripts/kafka-broker.sh start "$TMP/broker")"
log "kafka broker at $BOOTSTRAP after $((SECONDS - started)) s"

# Every request is logged (no drift budget: the test counts records). A delivery timeout of 3 s, so the broker-down test sees its drops counted quickly.
"$JAVA" -jar "$JAR" serve --model-repository examples/model_repository \
  --drift-enabled true --drift-max-rate 0 --prediction-log-kafka-bootstrap "$BOOTSTRAP" \
  --prediction-log-kafka-topic sluice-predictions \
  --prediction-log-kafka-delivery-timeout-ms 3000 \
  --http-port 0 --grpc-port 0 --metrics-port 0 --ports-file "$TMP/ports.json" \
  > "$OUT/sluice.log" 2>&1 < /dev/null &
SLUICE_PID=$!
for _ in $(seq 600); do
  [ -s "$TMP/ports.json" ] && break
  kill -0 "$SLUICE_PID" 2>/dev/null || { tail -40 "$OUT/sluice.log" >&2; exit 1; }
  sleep 0.1
done
port_of() { .venv/bin/python -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$TMP/ports.json" "$1"; }
export SLUICE_HTTP_URL="127.0.0.1:$(port_of http)"
export SLUICE_GRPC_URL="127.0.0.1:$(port_of grpc)"
export SLUICE_METRICS_URL="127.0.0.1:$(port_of metrics)"
export KAFKA_BOOTSTRAP="$BOOTSTRAP"
export KAFKA_BROKER_DIR="$TMP/broker"
export KAFKA_CLASSPATH="$(bash scripts/kafka-broker.sh classpath)"
log "sluice at http $SLUICE_HTTP_URL, grpc $SLUICE_GRPC_URL"
timeout --kill-after=30 300 .venv/bin/python -m pytest interop/kafka/suite_kafka.py -q -ra \
  -p no:cacheprovider "$@"
