#!/usr/bin/env bash
# Alias moves under load, with the load generator: a real MLflow server (scripts/mlflow-server.sh)
# holds two versions of 'fraud' (the tiny MLP, other weights); Sluice follows its champion alias
# (--mlflow-poll-seconds 1). The generator drives it open-loop over gRPC and HTTP (RATE req/s
# each) twice: once steady, once while the alias moves SWAPS times (each move waits until the
# new version answers). Fails on any failed request or drain timeout; prints both p99s, their
# ratio, and the server's RSS before and after the moves.
#
# usage: bash loadtest/mlflow-swap-under-load.sh     (RATE=150 SWAPS=20 by default)
#        SHORT=1 bash loadtest/mlflow-swap-under-load.sh   (3 moves, short runs)
set -euo pipefail
cd "$(dirname "$0")/.."
source loadtest/lib.sh

if [[ -n ${SHORT:-} ]]; then
  RATE=${RATE:-100} SWAPS=${SWAPS:-3} WARMUP_S=${WARMUP_S:-4} STEADY_S=${STEADY_S:-8}
else
  RATE=${RATE:-150} SWAPS=${SWAPS:-20} WARMUP_S=${WARMUP_S:-15} STEADY_S=${STEADY_S:-15}
fi
if [[ ! -f $GATEWAY_JAR || ! -f $LOADTEST_JAR ]]; then
  log "building the gateway and loadtest jars"
  mvn -q -B -DskipTests -pl gateway,loadtest -am package
fi
bash scripts/mlflow-env.sh >&2
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; stop_server;
      bash scripts/mlflow-server.sh stop "$work/mlflow" || true; rm -rf "$work"' EXIT

uri=$(bash scripts/mlflow-server.sh start "$work/mlflow")
.venv-mlflow/bin/python interop/mlflow/register.py --uri "$uri" --name fraud --batch 1,2 \
    >"$work/versions.txt" 2>"$work/register.log"
alias_to() {
  curl -sf -X POST -H 'Content-Type: application/json' \
      -d "{\"name\": \"fraud\", \"alias\": \"champion\", \"version\": \"$1\"}" \
      "$uri/api/2.0/mlflow/registered-models/alias" >/dev/null
}
alias_to 1
start_server "$work/ports.json" "$work/server.log" "" --mlflow-uri "$uri" --mlflow-model fraud \
    --mlflow-poll-seconds 1 --model-cache "$work/cache"
http=$(json_get "$work/ports.json" http)
grpc=$(json_get "$work/ports.json" grpc)
metrics=$(json_get "$work/ports.json" metrics)
body=$(python3 -c 'import json; print(json.dumps({"inputs": [{"name": "input", "shape": [1, 32], "datatype": "FP32", "data": [0.5] * 32}]}))')
served() {
  curl -s -X POST "http://127.0.0.1:$http/v2/models/fraud/infer" -d "$body" \
      | python3 -c 'import json,sys; print(json.load(sys.stdin).get("model_version", ""))'
}
rss() { awk '/^VmRSS/ {print $2}' "/proc/$SERVER_PID/status"; }

# run_load PHASE SECONDS: both protocols at once, in the background.
run_load() {
  pids=()
  for protocol in grpc http; do
    port=$grpc
    if [[ $protocol == http ]]; then port=$http; fi
    java -jar "$LOADTEST_JAR" run --protocol "$protocol" --target "127.0.0.1:$port" \
        --model fraud --input-shape 1,32 --datatype FP32 --mode open --arrival poisson \
        --rate "$RATE" --warmup 1 --duration "$2" --drain 30 --require-success \
        --json-out "$work/$1-$protocol.json" >"$work/$1-$protocol.out" 2>&1 &
    pids+=($!)
  done
}
wait_load() {
  local status=0 i
  for i in 0 1; do
    if ! wait "${pids[$i]}"; then
      log "FAILED: $1 load:"; tail -5 "$work/$1-$([[ $i == 0 ]] && echo grpc || echo http).out" >&2
      status=1
    fi
  done
  pids=()
  return $status
}

# A cold JVM's first seconds are JIT and class loading: warm up before the steady baseline.
log "warm-up: $RATE req/s over gRPC and over HTTP for $WARMUP_S s"
run_load warmup "$WARMUP_S"
wait_load warmup || log "warm-up had errors (a cold JVM on a busy machine); not counted"
log "steady: $RATE req/s over gRPC and over HTTP for $STEADY_S s"
run_load steady "$STEADY_S"
wait_load steady
rss_before=$(rss)
log "swaps: $SWAPS champion moves under the same load"
run_load swaps $((SWAPS * 3 + 10))
sleep 2
follow=()
for ((i = 1; i <= SWAPS; i++)); do
  target=$(( i % 2 == 1 ? 2 : 1 ))
  t0=$(date +%s.%N)
  alias_to "$target"
  until [[ $(served) == "$target" ]]; do sleep 0.05; done
  follow+=("$(python3 -c "import time; print(round(time.time() - $t0, 2))")")
done
log "alias move to first answer from the new version (s): ${follow[*]}"
status=0
wait_load swaps || status=1
rss_after=$(rss)
timeouts=$(curl -s "http://127.0.0.1:$metrics/metrics" \
    | awk '/^sluice_version_drain_timeouts_total/ {s += $2} END {print s + 0}')
python3 - "$work" "$rss_before" "$rss_after" <<'PY' >&2
import json, sys
w, before, after = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for p in ("grpc", "http"):
    s = json.load(open(f"{w}/steady-{p}.json"))
    m = json.load(open(f"{w}/swaps-{p}.json"))
    def p99(r): return r["latency_us"]["p99"]
    def errs(r): return r["error_count"]
    print(f"[swap] {p}: p99 steady {p99(s):.0f} us, during swaps {p99(m):.0f} us"
          f" (ratio {p99(m) / p99(s):.2f}); failed {errs(s)} steady, {errs(m)} during swaps")
print(f"[swap] RSS {before} KiB before the moves, {after} KiB after")
PY
if [[ $timeouts != 0 ]]; then log "FAILED: $timeouts drain timeouts"; status=1; fi
if ((status == 0)); then log "swap under load: 1 passed, 0 failed"; else tail -20 "$work/server.log" >&2; fi
exit $status
