#!/usr/bin/env bash
# Automatic rollback under steady open-loop load, measured from the outside. Sluice serves two
# copies of the committed tiny_mlp (versions 1 and 2) with a policy sending WEIGHT% of the
# traffic to version 2; the load generator offers RATE req/s (Poisson arrivals) for DURATION s.
# FAULT_AT s into the run a fault is injected into the canary through the admin API, and the
# script polls GET /v2/models/tiny_mlp/traffic every 50 ms until the canary is rolled back:
#
#   1. errors: {"error_rate": ERROR_RATE}  -> expected reason error_rate (the circuit breaker)
#   2. delay:  {"delay_ms": DELAY_MS}      -> expected reason latency_p99 (the latency guard)
#
# It reports, per scenario, the time from the fault to the rollback, the reason, and the client's
# error ratio over the whole run (failed canary requests are retried once on stable, so the
# client should see none). Fails when a scenario is not rolled back for the expected reason
# within MAX_ROLLBACK_S, or when the client error ratio exceeds MAX_ERROR_RATIO.
#
# usage: bash loadtest/canary-rollback.sh        (builds the jars first if they are missing)
#        RATE=500 WEIGHT=10 PROTOCOL=grpc bash loadtest/canary-rollback.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source loadtest/lib.sh

RATE=${RATE:-500}
WEIGHT=${WEIGHT:-10}
ERROR_RATE=${ERROR_RATE:-0.5}
DELAY_MS=${DELAY_MS:-50}
DURATION=${DURATION:-20}
FAULT_AT=${FAULT_AT:-6}
PROTOCOL=${PROTOCOL:-http}
MAX_ROLLBACK_S=${MAX_ROLLBACK_S:-5}
MAX_ERROR_RATIO=${MAX_ERROR_RATIO:-0.001}

ensure_jars

work=$(mktemp -d)
load_pid=""
trap '[[ -n $load_pid ]] && kill "$load_pid" 2>/dev/null; stop_server; rm -rf "$work"' EXIT

start_two_versions "$work"
log "Sluice (pid $SERVER_PID): http $http, grpc $grpc; $PROTOCOL load at $RATE req/s, canary $WEIGHT%"

admin() {  # admin METHOD PATH [BODY]: the admin API on loopback (no token configured)
  curl -sS --fail-with-body -X "$1" "$base$2" -H 'Content-Type: application/json' ${3:+--data "$3"}
}

now() { date +%s.%N; }

status=0
results=()
scenario() {  # scenario NAME FAULT_JSON EXPECTED_REASON
  local name=$1 fault=$2 expected=$3
  admin PUT /versions/2/faults '{}' >/dev/null
  admin PUT /traffic "{\"stable\": \"1\", \"candidates\": [{\"version\": \"2\", \"weight\": $WEIGHT}]}" \
      >/dev/null
  java -jar "$LOADTEST_JAR" run --protocol "$PROTOCOL" --target "127.0.0.1:$port" \
      --model tiny_mlp --input-shape 1,32 --datatype FP32 --mode open --arrival poisson \
      --rate "$RATE" --warmup 1 --duration "$DURATION" --drain 30 \
      --json-out "$work/$name.json" >"$work/$name.out" 2>&1 &
  load_pid=$!
  sleep "$FAULT_AT"
  local t0 t1 state reason="none" elapsed="none"
  t0=$(now)
  admin PUT /versions/2/faults "$fault" >/dev/null
  while :; do
    state=$(admin GET /traffic)
    # The server's own timestamp of the rollback (same machine, same clock), not the poll's.
    read -r reason at < <(python3 -c 'import json,sys; c=json.load(sys.stdin)["state"]["candidates"][0]; print(c.get("reason",""), c.get("rolled_back_at","")) if c["state"]=="rolled_back" else print("", "")' <<<"$state")
    t1=$(now)
    if [[ -n $reason ]]; then
      elapsed=$(python3 -c "import datetime; t = datetime.datetime.fromisoformat('$at'.replace('Z', '+00:00')).timestamp(); print(f'{t - $t0:.3f}')")
      break
    fi
    if python3 -c "import sys; sys.exit(0 if $t1 - $t0 > $DURATION else 1)"; then
      reason="none"
      break
    fi
    sleep 0.05
  done
  wait "$load_pid" || true
  load_pid=""
  local line
  line=$(python3 - "$work/$name.json" "$name" "$reason" "$elapsed" "$expected" \
      "$MAX_ROLLBACK_S" "$MAX_ERROR_RATIO" <<'PY'
import json, sys
path, name, reason, elapsed, expected, max_s, max_ratio = sys.argv[1:]
r = json.load(open(path))
sent = r["scheduled"]
errors = r["error_count"]
ratio = errors / sent if sent else 1.0
ok = reason == expected and elapsed != "none" and float(elapsed) <= float(max_s) \
    and ratio <= float(max_ratio)
print(json.dumps({"scenario": name, "passed": ok, "rolled_back_reason": reason,
                  "seconds_to_rollback": None if elapsed == "none" else float(elapsed),
                  "offered_rps": r["offered_rate"], "requests": sent, "client_errors": errors,
                  "client_error_ratio": round(ratio, 6), "client_errors_by_kind": r["errors"],
                  "client_p99_ms": round(r["latency_us"]["p99"] / 1000, 3)}))
PY
)
  echo "$line"
  results+=("$line")
  if ! grep -q '"passed": true' <<<"$line"; then status=1; fi
}

scenario errors "{\"error_rate\": $ERROR_RATE, \"delay_ms\": 0}" error_rate
scenario delay "{\"error_rate\": 0, \"delay_ms\": $DELAY_MS}" latency_p99
if ((status == 0)); then
  log "canary rollback: 2 passed, 0 failed"
else
  log "canary rollback: FAILED (see above); server log tail:"
  tail -20 "$work/server.log" >&2
fi
exit $status
