#!/usr/bin/env bash
# Overload at 2x capacity, with and without Sluice's load shedding, in one run.
#
# heavy_mlp (256 -> 2048 -> 2048 -> 16, dynamic batching to 64; built by examples/make_models.py
# --large into MODELS_DIR) on a server pinned to CPU 1; the load generator pinned to CPU 0, so
# the generator never competes with the server for a core, and its own CPU use is reported to
# show it could offer the load. For each server variant (shedding: --max-queue-time-ms 1000, the
# default; none: --max-queue-time-ms 0, only the 4,096-deep queue):
#   1. capacity C: closed loop, gRPC, 256 in flight (full batches of 64), 8 s;
#   2. open loop, Poisson, at 2C for 10 s, gRPC then HTTP: goodput (successes/s) / C, the p99 of
#      the time a refusal took to arrive, the latency of what succeeded, the server's peak RSS.
# Writes reports/overload.md. Not a CI step (about 3 minutes); run on a quiet machine.
#
# usage: bash loadtest/overload.sh        (MODELS_DIR=build/models, DURATION=10)
set -euo pipefail
cd "$(dirname "$0")/.."
source loadtest/lib.sh

MODELS_DIR=${MODELS_DIR:-build/models}
DURATION=${DURATION:-10}
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
HTTP_CONNECTIONS=${HTTP_CONNECTIONS:-12000}
OUT=${OUT:-reports/overload.md}
if [[ ! -f $GATEWAY_JAR || ! -f $LOADTEST_JAR ]]; then
  log "building the gateway and loadtest jars"
  mvn -q -B -DskipTests -pl gateway,loadtest -am package
fi
if [[ ! -f $MODELS_DIR/heavy_mlp/1/model.onnx ]]; then
  [[ -x .venv/bin/python ]] || bash scripts/python-env.sh
  log "building heavy_mlp into $MODELS_DIR"
  .venv/bin/python examples/make_models.py --large "$MODELS_DIR"
fi

work=$(mktemp -d)
sampler=""
trap '[[ -n $sampler ]] && kill "$sampler" 2>/dev/null; stop_server; rm -rf "$work"' EXIT
mkdir -p "$work/repo"
cp -r "$MODELS_DIR/heavy_mlp" "$work/repo/"

client() { taskset -c "$CLIENT_CPU" java -jar "$LOADTEST_JAR" run --model heavy_mlp \
    --input-shape 1,256 --datatype FP32 --drain 30 "$@"; }

# rss_peak PID OUTFILE: samples VmRSS (kB) every 200 ms until killed, keeping the peak.
rss_peak() {
  local pid=$1 out=$2 peak=0 kb
  while kill -0 "$pid" 2>/dev/null; do
    kb=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    if ((kb > peak)); then peak=$kb; echo "$peak" >"$out"; fi
    sleep 0.2
  done
}

rows=()
for variant in shedding none; do
  queue_time=1000
  [[ $variant == none ]] && queue_time=0
  start_server "$work/ports-$variant.json" "$work/server-$variant.log" "$SERVER_CPU" \
      --model-repository "$work/repo" --max-queue-time-ms "$queue_time" \
      --max-connections 16000
  grpc=$(json_get "$work/ports-$variant.json" grpc)
  http=$(json_get "$work/ports-$variant.json" http)
  client --protocol grpc --target "127.0.0.1:$grpc" --mode closed --concurrency 256 --warmup 6 --duration 8 \
      --json-out "$work/cap-$variant.json" >/dev/null 2>&1
  capacity=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["throughput_rps"])' \
      "$work/cap-$variant.json")
  rate=$(python3 -c "print(round(2 * $capacity))")
  log "$variant: capacity $capacity req/s; offering $rate req/s for $DURATION s"
  for protocol in grpc http; do
    port=$grpc
    conns=()
    # HTTP/1.1 has one request per connection in flight: enough connections that the client's
    # own pool does not queue the overload before the server sees it.
    # Accepted requests may wait up to the max queue time, so the pool must hold about
    # capacity x 1 s of them plus the refusals in flight, or refusals queue in the client.
    [[ $protocol == http ]] && port=$http && conns=(--connections "$HTTP_CONNECTIONS")
    rss_peak "$SERVER_PID" "$work/rss-$variant-$protocol" &
    sampler=$!
    client --protocol "$protocol" --target "127.0.0.1:$port" --mode open --arrival poisson --warmup 2 \
        --rate "$rate" --duration "$DURATION" --concurrency-limit 20000 --server-pid "$SERVER_PID" \
        "${conns[@]}" \
        --json-out "$work/over-$variant-$protocol.json" >/dev/null 2>&1 || true
    kill "$sampler" 2>/dev/null || true
    sampler=""
    rows+=("$(python3 - "$work/over-$variant-$protocol.json" "$variant" "$protocol" "$capacity" \
        "$(cat "$work/rss-$variant-$protocol" 2>/dev/null || echo 0)" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
variant, protocol, cap, rss_kb = sys.argv[2], sys.argv[3], float(sys.argv[4]), int(sys.argv[5])
errs = r["errors"]
refused = errs.get("http_503", 0) + errs.get("grpc_UNAVAILABLE", 0)
other = sum(v for k, v in errs.items()) - refused
lat, elat = r["latency_us"], r["error_latency_us"]
print(f"| {variant} | {protocol} | {cap:.0f} | {r['offered_rate']:.0f} | {r['throughput_rps']:.0f} "
      f"| {r['throughput_rps'] / cap:.2f} | {refused} | {other} | {elat['p99'] / 1000:.2f} "
      f"| {lat['p50'] / 1000:.0f} | {lat['p99'] / 1000:.0f} | {rss_kb / 1024:.0f} "
      f"| {100 * r['client_cpu_util']:.0f}% |")
PY
)")
    log "${rows[-1]}"
  done
  stop_server
done

{
  echo "# Overload at 2x capacity: shedding on vs off"
  echo
  echo "Measured $(date -u +'%Y-%m-%d %H:%M UTC') at $(git rev-parse --short HEAD) with"
  echo "\`bash loadtest/overload.sh\`: heavy_mlp, server pinned to CPU $SERVER_CPU, load generator"
  echo "pinned to CPU $CLIENT_CPU. Capacity is a closed loop of 256 gRPC requests in flight; the"
  echo "overload is an open Poisson loop at twice that. Goodput counts successful answers."
  echo "Refused are 503 / UNAVAILABLE; other errors are requests that never came back within the"
  echo "window plus 30 s (or were not sent: the generator's in-flight cap of 20,000)."
  echo
  echo "| shedding | protocol | capacity/s | offered/s | goodput/s | goodput ÷ capacity | refused | other errors | refusal p99 ms | success p50 ms | success p99 ms | server peak RSS MiB | client CPU |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
} >"$OUT"
log "wrote $OUT"
cat "$OUT"
