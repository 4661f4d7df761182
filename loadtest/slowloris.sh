#!/usr/bin/env bash
# Slow clients starve no one: other clients' latency with and without 500 slowloris sockets, in
# one run, and how long those sockets survive.
#
# A server on tiny_mlp pinned to SERVER_CPU (one event loop); the load generator and
# loadtest/slowloris.py pinned to CLIENT_CPU. One unreported window first warms the JIT. Per
# round: the load generator alone (open loop, Poisson, RATE req/s over HTTP, DURATION s), then
# the same while SOCKETS slowloris sockets each send their headers one byte a second and reopen
# when the server answers or closes (they start WARMUP s before the window, so the window sees
# them at steady state, 408s and reconnects included). The table gives, per
# round, p50 / p99 / errors of the generator's requests without and with, and the slowloris side:
# sockets opened, 408s received, sockets open (median) and the longest any socket stayed open;
# and the server's CPU per generator request (from /proc/<pid>/stat, so the slowloris sockets'
# cost shows as the difference). The attacker runs at nice 19 so that it does not take the
# generator's core; the load average at the start is printed, since a busy machine moves p99.
#
# BASELINE_JAR=path/to/other/sluice-gateway-...-all.jar adds the same rounds against that build
# (e.g. the commit before the timeouts), so before/after are measured in the same run.
# Not a CI step (about 2 minutes per build with the defaults); best on a quiet machine.
#
# usage: bash loadtest/slowloris.sh     (SOCKETS=500 RATE=1000 DURATION=20 WARMUP=15 ROUNDS=2)
set -euo pipefail
cd "$(dirname "$0")/.."
source loadtest/lib.sh

SOCKETS=${SOCKETS:-500}
RATE=${RATE:-1000}
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-15}
ROUNDS=${ROUNDS:-2}
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
OUT=${OUT:-loadtest/target/slowloris}
PY=python3
[[ -x .venv/bin/python ]] && PY=.venv/bin/python
ensure_jars
mkdir -p "$OUT"
rm -f "$OUT"/*.json
loris_pid=""
trap '[[ -n $loris_pid ]] && kill "$loris_pid" 2>/dev/null; stop_server' EXIT
ulimit -n 4096 2>/dev/null || true

generator() { # generator PORT OUTFILE
  taskset -c "$CLIENT_CPU" java -Xms256m -Xmx256m -jar "$LOADTEST_JAR" run --protocol http \
      --target "127.0.0.1:$1" --server-pid "$SERVER_PID" \
      --model tiny_mlp --input-shape 1,32 --datatype FP32 --mode open \
      --arrival poisson --rate "$RATE" --warmup 3 --duration "$DURATION" --drain 30 \
      --concurrency-limit 2000 --json-out "$2" >/dev/null 2>&1
}

measure() { # measure LABEL JAR
  local label=$1 jar=$2 r http
  GATEWAY_JAR=$jar start_server "$OUT/ports.json" "$OUT/$label.server.log" "$SERVER_CPU" \
      --model-repository examples/model_repository --event-loop-threads 1
  http=$(json_get "$OUT/ports.json" http)
  log "$label: server pid $SERVER_PID on http $http"
  generator "$http" "$OUT/$label.warmup.json" # JIT and connection pool warm-up, not reported
  for ((r = 1; r <= ROUNDS; r++)); do
    generator "$http" "$OUT/$label.without.r$r.json"
    # The attacker at the lowest priority, so it does not take the generator's core from it.
    nice -n 19 taskset -c "$CLIENT_CPU" "$PY" loadtest/slowloris.py --target "127.0.0.1:$http" \
        --sockets "$SOCKETS" --rate 1 --duration $((WARMUP + DURATION + 8)) \
        --json-out "$OUT/$label.loris.r$r.json" &
    loris_pid=$!
    sleep "$WARMUP"
    generator "$http" "$OUT/$label.with.r$r.json"
    wait "$loris_pid" || true
    loris_pid=""
    log "$label round $r done"
  done
  stop_server
}

log "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
measure after "$GATEWAY_JAR"
if [[ -n ${BASELINE_JAR:-} ]]; then
  measure before "$BASELINE_JAR"
fi

"$PY" - "$OUT" "$ROUNDS" "$SOCKETS" "$RATE" <<'PY'
import json, os, sys
out, rounds, sockets, rate = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
def load(p):
    return json.load(open(p)) if os.path.exists(p) else None
def ms(us):
    return f"{us / 1000:.2f}"
print(f"HTTP open loop {rate} req/s on tiny_mlp; {sockets} slowloris sockets at 1 byte/s\n")
print("| build | round | p50 without | p99 without | p50 with | p99 with | errors without / with |"
      " server CPU µs/request without / with | loris opened | 408s | open (median) | longest open |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for label in ("after", "before"):
    for r in range(1, rounds + 1):
        a, b = load(f"{out}/{label}.without.r{r}.json"), load(f"{out}/{label}.with.r{r}.json")
        l = load(f"{out}/{label}.loris.r{r}.json")
        if not (a and b and l):
            continue
        e408 = sum(v for k, v in l["answers"].items() if " 408 " in k + " ")
        print(f"| {label} | {r} | {ms(a['latency_us']['p50'])} ms | {ms(a['latency_us']['p99'])} ms |"
              f" {ms(b['latency_us']['p50'])} ms | {ms(b['latency_us']['p99'])} ms |"
              f" {sum(a['errors'].values())} / {sum(b['errors'].values())} |"
              f" {a.get('server_cpu_us_per_request', 0):.0f} / {b.get('server_cpu_us_per_request', 0):.0f} |"
              f" {l['opened']} | {e408} | {l['open_median']} | {l['longest_open_s']} s |")
PY
