#!/usr/bin/env bash
# SIGTERM under load: Sluice serves the committed tiny_mlp while two open-loop runs (gRPC and HTTP,
# RATE req/s each) drive it; mid-run the server gets SIGTERM. It must turn readiness false at
# once, finish every request it had admitted, refuse the rest cleanly and exit 0.
#
# A request counts as lost when the client saw anything but a success or a clean refusal
# (HTTP 503, gRPC UNAVAILABLE, a refused connection once the server has gone, or a request the
# generator never sent): a reset or a
# connection closed under a request it had sent (io_closed), a timeout, any other status. The
# server also logs whether its shutdown grace ran out with requests unanswered. Fails on a
# lost request, on an exit status other than 0, or when readiness stayed true after the signal.
#
# usage: bash loadtest/drain-under-load.sh        (RATE=300 DURATION=12 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
source loadtest/lib.sh

RATE=${RATE:-300}
DURATION=${DURATION:-12}
ensure_jars

work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; stop_server; rm -rf "$work"' EXIT

start_server "$work/ports.json" "$work/server.log" "" --model-repository examples/model_repository \
    --shutdown-grace-seconds 20
http=$(json_get "$work/ports.json" http)
grpc=$(json_get "$work/ports.json" grpc)
server=$SERVER_PID
log "Sluice (pid $server) serving: http $http, grpc $grpc; SIGTERM mid-run"

for protocol in grpc http; do
  port=$grpc
  if [[ $protocol == http ]]; then port=$http; fi
  java -jar "$LOADTEST_JAR" run --protocol "$protocol" --target "127.0.0.1:$port" \
      --model tiny_mlp --input-shape 1,32 --datatype FP32 --mode open --arrival poisson \
      --rate "$RATE" --warmup 1 --duration "$DURATION" --drain 30 \
      --json-out "$work/$protocol.json" >"$work/$protocol.out" 2>&1 &
  pids+=($!)
done

# The signal comes once both loads are being answered (at most DURATION/2 + 8 s in), so a slow
# start on a busy machine cannot leave the window without a success before it.
metrics=$(json_get "$work/ports.json" metrics)
sleep 2
for ((i = 0; i < 40; i++)); do
  served=$(curl -s "http://127.0.0.1:$metrics/metrics" \
      | awk '/^nv_inference_request_success_total\{.*model="tiny_mlp"/ {s += $2} END {print s + 0}')
  if ((${served%.*} >= 2 * RATE)); then break; fi
  sleep 0.25
done
sleep $((DURATION / 2 - 2))
kill -TERM "$server"
signalled=$(date +%s%N)
ready_false_ms=""
for ((i = 0; i < 200; i++)); do
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$http/v2/health/ready" || true)
  if [[ $code != 200 ]]; then
    ready_false_ms=$(( ($(date +%s%N) - signalled) / 1000000 ))
    break
  fi
done
rc=0
wait "$server" || rc=$?
exited_ms=$(( ($(date +%s%N) - signalled) / 1000000 ))
SERVER_PID=""

status=0
for i in 0 1; do
  wait "${pids[$i]}" || true
done
pids=()
for protocol in grpc http; do
  python3 - "$work/$protocol.json" "$protocol" <<'PY' >&2 || status=1
import json, sys
r = json.load(open(sys.argv[1]))
w = r["windows"][0] if "windows" in r else r
errors = w.get("errors", {})
# Refused, or never sent at all (the generator's own in-flight cap once the server has gone).
refused = {k: v for k, v in errors.items()
           if k in ("http_503", "grpc_UNAVAILABLE", "io_connect") or k.startswith("not_sent")}
lost = {k: v for k, v in errors.items() if k not in refused}
print(f"[drain] {sys.argv[2]}: {w['succeeded']} succeeded, refused {refused or 0}, lost {lost or 0}")
if w["succeeded"] == 0:
    print(f"[drain] {sys.argv[2]}: nothing succeeded before the signal")
sys.exit(1 if lost or w["succeeded"] == 0 else 0)
PY
done
log "SIGTERM → readiness false in ${ready_false_ms:-?} ms, process exited $rc after ${exited_ms} ms"
grep -E "shutting down|grace .* ran out" "$work/server.log" >&2 || true
if [[ $rc != 0 ]]; then log "FAILED: exit status $rc (expected 0)"; status=1; fi
if [[ -z $ready_false_ms ]]; then log "FAILED: readiness stayed true after SIGTERM"; status=1; fi
if grep -q "ran out" "$work/server.log"; then log "FAILED: requests unanswered at exit"; status=1; fi
if ((status == 0)); then
  log "drain under load: 1 passed, 0 failed"
else
  tail -20 "$work/server.log" >&2
fi
exit $status
