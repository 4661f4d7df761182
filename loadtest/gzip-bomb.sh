#!/usr/bin/env bash
# Eight gzip bombs at once: how long each takes to be refused, what the server's memory does, and
# whether other requests on the same event loops wait meanwhile.
#
# A server with default settings on examples/model_repository (default JVM flags, as a user runs
# it), pinned to SERVER_CPU. The bomb is 200 MB of zeros gzipped (about 200 KB), POSTed to
# iris_classifier with Content-Encoding: gzip by BOMBS concurrent curls, ROUNDS times. Meanwhile
# a curl loop asks /v2/health/ready and keeps the slowest answer. Reported per build: each bomb's
# status and time to its answer (median and max), the server's RSS before, its peak during (VmRSS
# sampled every 50 ms) and after, and the slowest health answer during the bombs.
#
# BASELINE_JAR=path/to/other/sluice-gateway-...-all.jar measures that build too, in the same run.
# Not a CI step (under a minute per build).
#
# usage: bash loadtest/gzip-bomb.sh      (BOMBS=8 ROUNDS=3)
set -euo pipefail
cd "$(dirname "$0")/.."
source loadtest/lib.sh

BOMBS=${BOMBS:-8}
ROUNDS=${ROUNDS:-3}
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
OUT=${OUT:-loadtest/target/gzip-bomb}
ensure_jars gateway
mkdir -p "$OUT"
rm -f "$OUT"/*.txt
sampler=""
trap '[[ -n $sampler ]] && kill "$sampler" 2>/dev/null; stop_server' EXIT

python3 - "$OUT/bomb.gz" <<'PY'
import sys, zlib
z, mib, out = zlib.compressobj(9, zlib.DEFLATED, 31), bytes(1 << 20), bytearray()
for _ in range(200):
    out += z.compress(mib)
out += z.flush()
open(sys.argv[1], "wb").write(out)
PY

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

# rss_peak PID OUTFILE: samples VmRSS every 50 ms until killed, keeping the peak (kB).
rss_peak() {
  local pid=$1 out=$2 peak=0 kb
  while kill -0 "$pid" 2>/dev/null; do
    kb=$(rss_kb "$pid" 2>/dev/null || echo 0)
    if ((kb > peak)); then peak=$kb; echo "$peak" >"$out"; fi
    sleep 0.05
  done
}

measure() { # measure LABEL JAR
  local label=$1 jar=$2 http r i health_pid
  GATEWAY_JAR=$jar start_server "$OUT/ports.json" "$OUT/$label.server.log" "$SERVER_CPU" \
      --model-repository examples/model_repository
  http=$(json_get "$OUT/ports.json" http)
  local url="http://127.0.0.1:$http"
  for i in $(seq 50); do curl -s -o /dev/null "$url/v2/health/ready"; done
  sleep 2
  rss_kb "$SERVER_PID" >"$OUT/$label.rss-before.txt"
  rss_peak "$SERVER_PID" "$OUT/$label.rss-peak.txt" &
  sampler=$!
  for ((r = 1; r <= ROUNDS; r++)); do
    (while :; do
      taskset -c "$CLIENT_CPU" curl -s -o /dev/null -w '%{time_total}\n' "$url/v2/health/ready"
    done) >>"$OUT/$label.health.txt" &
    health_pid=$!
    local bombs=()
    for ((i = 1; i <= BOMBS; i++)); do
      taskset -c "$CLIENT_CPU" curl -s -o /dev/null -w '%{http_code} %{time_total}\n' \
          -H 'Content-Type: application/json' -H 'Content-Encoding: gzip' \
          --data-binary "@$OUT/bomb.gz" "$url/v2/models/iris_classifier/infer" \
          >>"$OUT/$label.bombs.txt" &
      bombs+=($!)
    done
    wait "${bombs[@]}" || true
    kill "$health_pid" 2>/dev/null || true
    wait "$health_pid" 2>/dev/null || true
  done
  sleep 2
  rss_kb "$SERVER_PID" >"$OUT/$label.rss-after.txt"
  kill "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  sampler=""
  stop_server
}

measure after "$GATEWAY_JAR"
if [[ -n ${BASELINE_JAR:-} ]]; then
  measure before "$BASELINE_JAR"
fi

python3 - "$OUT" "$BOMBS" "$ROUNDS" <<'PY'
import os, statistics, sys
out, bombs, rounds = sys.argv[1], sys.argv[2], sys.argv[3]
def read(p):
    return open(p).read().split() if os.path.exists(p) else []
print(f"{bombs} concurrent gzip bombs (200 MB of zeros, {os.path.getsize(out + '/bomb.gz')} bytes"
      f" gzipped), {rounds} rounds\n")
print("| build | answers | time to answer (median / max) | RSS before | RSS peak | RSS after |"
      " slowest /v2/health/ready meanwhile |")
print("|---|---|---|---|---|---|---|")
for label in ("after", "before"):
    lines = [l.split() for l in open(f"{out}/{label}.bombs.txt")] if os.path.exists(f"{out}/{label}.bombs.txt") else []
    if not lines:
        continue
    codes = {}
    for code, _ in lines:
        codes[code] = codes.get(code, 0) + 1
    times = [float(t) for _, t in lines]
    health = [float(t) for t in read(f"{out}/{label}.health.txt")]
    mb = lambda name: int(read(f"{out}/{label}.{name}.txt")[0]) // 1024
    print(f"| {label} | {', '.join(f'{n}× {c}' for c, n in sorted(codes.items()))} |"
          f" {statistics.median(times) * 1000:.0f} / {max(times) * 1000:.0f} ms |"
          f" {mb('rss-before')} MB | {mb('rss-peak')} MB | {mb('rss-after')} MB |"
          f" {max(health) * 1000:.0f} ms |")
PY
