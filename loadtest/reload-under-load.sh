#!/usr/bin/env bash
# Reload under load, with the load generator: Sluice serves the committed tiny_mlp; two open-loop
# runs (gRPC and HTTP, 150 req/s each, 12 s) drive it while curl asks Triton's repository API to
# reload the model 50 times. Fails when any request failed (the generator's --require-success),
# when a reload was refused, or when the server counted a drain timeout. A version swap must not
# fail an accepted request: this is the end-to-end proof over real sockets.
#
# usage: bash loadtest/reload-under-load.sh      (builds the jars first if they are missing)
set -euo pipefail
cd "$(dirname "$0")/.."
source loadtest/lib.sh

RELOADS=${RELOADS:-50}
ensure_jars

work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; stop_server; rm -rf "$work"' EXIT

start_server "$work/ports.json" "$work/server.log" "" --model-repository examples/model_repository
http=$(json_get "$work/ports.json" http)
grpc=$(json_get "$work/ports.json" grpc)
metrics=$(json_get "$work/ports.json" metrics)
log "Sluice (pid $SERVER_PID) serving: http $http, grpc $grpc; $RELOADS reloads under load"

for protocol in grpc http; do
  port=$grpc
  if [[ $protocol == http ]]; then port=$http; fi
  java -jar "$LOADTEST_JAR" run --protocol "$protocol" --target "127.0.0.1:$port" \
      --model tiny_mlp --input-shape 1,32 --datatype FP32 --mode open --arrival poisson \
      --rate 150 --warmup 1 --duration 12 --drain 30 --require-success \
      --json-out "$work/$protocol.json" >"$work/$protocol.out" 2>&1 &
  pids+=($!)
done

sleep 2
refused=0
for ((i = 1; i <= RELOADS; i++)); do
  code=$(curl -s -o "$work/load.body" -w '%{http_code}' -X POST \
      "http://127.0.0.1:$http/v2/repository/models/tiny_mlp/load" -d '{}')
  if [[ $code != 200 ]]; then
    log "reload $i answered $code: $(cat "$work/load.body")"
    refused=$((refused + 1))
  fi
  sleep 0.15
done
log "$RELOADS reloads sent ($refused refused)"

status=0
for i in 0 1; do
  protocol=$([[ $i == 0 ]] && echo grpc || echo http)
  if ! wait "${pids[$i]}"; then
    log "FAILED: $protocol load during reloads:"
    tail -5 "$work/$protocol.out" >&2
    status=1
  else
    python3 - "$work/$protocol.json" "$protocol" <<'PY' >&2
import json, sys
r = json.load(open(sys.argv[1]))
ok = r.get("succeeded", r.get("succeeded_count", "?"))
bad = r.get("error_count", r.get("errorCount", "?"))
print(f"[reload] {sys.argv[2]}: {ok} succeeded, {bad} failed during the reloads")
PY
  fi
done
pids=()
timeouts=$(curl -s "http://127.0.0.1:$metrics/metrics" \
    | awk '/^sluice_version_drain_timeouts_total/ {s += $2} END {print s + 0}')
if ((refused > 0)); then status=1; fi
if [[ $timeouts != 0 ]]; then log "FAILED: $timeouts drain timeouts"; status=1; fi
if ((status == 0)); then
  log "reload under load: 1 passed, 0 failed"
else
  tail -20 "$work/server.log" >&2
fi
exit $status
