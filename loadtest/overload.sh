#!/usr/bin/env bash
# Overload at 2x capacity, with Sluice's load shedding on, queue-time only, and off, in one run.
#
# heavy_mlp (256 -> 2048 -> 2048 -> 16; built by examples/make_models.py --large into MODELS_DIR)
# in two configurations: batching off (the main row: capacity about 1.1k/s, so 2x is a small share
# of the generator's core and it can offer it honestly) and dynamic batching to 64 (about 5k/s,
# where 2x asks more of the generator). The server is pinned to SERVER_CPU, the load generator
# to CLIENT_CPU, so they never share a core; the generator's own CPU use is measured and a row
# where it passed MAX_CLIENT_CPU (80% of its cores) is marked invalid: it could not offer the load.
# For each model configuration and server variant
#   on:         the defaults: --max-inflight-requests 1024 (front door) and --max-queue-time-ms 1000
#   queue-time: --max-inflight-requests 0: only the batcher's queue-time shedding
#   off:        --max-inflight-requests 0 --max-queue-time-ms 0: only the 4,096-deep queue
#   derived:    --max-inflight-requests = capacity x DERIVED_QUEUE_S (0.25 s of work; capacity
#               measured on a server with the defaults first), the limit sized as README says
#   any variant with the suffix -prio (e.g. derived-prio): the same, the server JVM started with
#               -XX:ThreadPriorityPolicy=1, so the model's instance threads (Thread.MIN_PRIORITY)
#               run at nice 4 below the event loops (Linux; lowering needs no privilege)
# it measures
#   0. a warm-up of each server: WARMUP_S s of gRPC and WARMUP_S/2 s of HTTP, closed loops of 256
#      (the JIT's own CPU on the pinned core lowers what the first ~30 s measure);
#   1. capacity C: closed loop, gRPC, 256 in flight, CAPACITY_S s;
#   2. an open Poisson loop at 2C for DURATION s after OVERLOAD_WARMUP s of the same, gRPC then HTTP: goodput (successes/s) / C, the
#      p99 of the time a refusal took to arrive (from its intended send time), the latency of what
#      succeeded, the generator's send lag, the server's peak RSS and the generator's CPU; and,
#      from the server's own metrics over that run, its refusals at the front door and in the
#      schedulers' queues, and the p99 of a front-door refusal's own cost on the server
#      (sluice_admission_reject_seconds: head seen to refusal written), beside the client's view.
# gRPC is offered over GRPC_CONNECTIONS channels: one channel carries at most
# --max-grpc-calls-per-connection (1000) calls at once, and calls past that wait in the client,
# where the server can neither see nor refuse them.
# Writes reports/overload.md. Not a CI step (about 9 minutes with the defaults); run it on a quiet
# machine.
#
# usage: bash loadtest/overload.sh
#   MODELS_DIR=build/models DURATION=10 DRAIN=15 MODES="nobatch batch" VARIANTS="on queue-time off"
#   SERVER_CPU=1 CLIENT_CPU=0 (a taskset list, e.g. 2-5) MAX_CLIENT_CPU=0.8 HTTP_CONNECTIONS=12000
#   GRPC_CONNECTIONS=8 DERIVED_QUEUE_S=0.25 CAPACITY_S=8 (the capacity window) WARMUP_S=30
#   OVERLOAD_WARMUP=10 (the open loop's own unmeasured start) FACTORS="2" (offered ÷ capacity; e.g.
#   "2 3": also 3x, to show the result does not hang on how exactly capacity was estimated)
#   HTTP_CAPACITY=1: HTTP rows offer 2x HTTP's own capacity (an HTTP closed loop of 256) and are
#   judged against it, rather than against gRPC's (HTTP/1.1 costs the server more per request:
#   a read, a write and a wakeup per request on its own connection, where gRPC batches them)
#   SERVER_JAVA_OPTS (e.g. "-Xms512m -Xmx512m"; empty: the JVM's default heap)
set -euo pipefail
cd "$(dirname "$0")/.."
source loadtest/lib.sh

MODELS_DIR=${MODELS_DIR:-build/models}
DURATION=${DURATION:-10}
DRAIN=${DRAIN:-15}
MODES=${MODES:-nobatch batch}
VARIANTS=${VARIANTS:-on queue-time off}
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
MAX_CLIENT_CPU=${MAX_CLIENT_CPU:-0.8}
HTTP_CONNECTIONS=${HTTP_CONNECTIONS:-12000}
GRPC_CONNECTIONS=${GRPC_CONNECTIONS:-8}
DERIVED_QUEUE_S=${DERIVED_QUEUE_S:-0.25}
CAPACITY_S=${CAPACITY_S:-8}
OVERLOAD_WARMUP=${OVERLOAD_WARMUP:-10}
FACTORS=${FACTORS:-2}
WARMUP_S=${WARMUP_S:-30}
HTTP_CAPACITY=${HTTP_CAPACITY:-0}
OUT=${OUT:-reports/overload.md}
ensure_jars
ensure_large_models "$MODELS_DIR"
# How many cores the generator may use: its utilisation is judged per core it has.
client_cores=$(python3 -c '
import sys
n = 0
for part in sys.argv[1].split(","):
    a, _, b = part.partition("-")
    n += int(b or a) - int(a) + 1
print(n)' "$CLIENT_CPU")

work=$(mktemp -d)
sampler=""
trap '[[ -n $sampler ]] && kill "$sampler" 2>/dev/null; stop_server; rm -rf "$work"' EXIT
for mode in $MODES; do
  copy_model "$MODELS_DIR/heavy_mlp" "$work/repo-$mode" "$mode"
done

client() { taskset -c "$CLIENT_CPU" java -jar "$LOADTEST_JAR" run --model heavy_mlp \
    --input-shape 1,256 --datatype FP32 --drain "$DRAIN" "$@"; }

# server_counts FILE: the server's refusals so far (front door, queues) and its reject-cost buckets.
server_counts() {
  python3 - "$metrics" >"$1" <<'PY'
import json, sys, urllib.request
sys.path.insert(0, "loadtest")
import reject_buckets
text = urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/metrics").read().decode()
out = {"door": 0.0, "queue": 0.0, "buckets": reject_buckets.buckets(text)}
for line in text.splitlines():
    if line.startswith("sluice_requests_dropped_total"):
        value = float(line.rsplit(" ", 1)[1])
        if 'reason="inflight_limit"' in line:
            out["door"] += value
        elif 'reason="shed"' in line or 'reason="queue_full"' in line:
            out["queue"] += value
json.dump(out, sys.stdout)
PY
}

# warm_up: WARMUP_S s of gRPC and WARMUP_S/2 s of HTTP closed loops of 256, not measured. On one
# pinned core the JIT compilers take 35-40% of it for the first ~30 s of load (C1/C2 threads'
# schedstat, measured with heavy_mlp): a capacity taken earlier is the JIT's, not the server's.
warm_up() {
  client --protocol grpc --target "127.0.0.1:$grpc" --mode closed --concurrency 256 --warmup 0 \
      --duration "$WARMUP_S" --json-out "$work/warm.json" >/dev/null 2>&1 || true
  client --protocol http --target "127.0.0.1:$http" --connections 256 --mode closed \
      --concurrency 256 --warmup 0 --duration "$((WARMUP_S / 2))" --json-out "$work/warm.json" \
      >/dev/null 2>&1 || true
}

# measure_capacity MODE VARIANT: closed loop, gRPC over GRPC_CONNECTIONS channels (as the overload),
# 256 in flight; sets capacity.
measure_capacity() {
  client --protocol grpc --target "127.0.0.1:$grpc" --connections "$GRPC_CONNECTIONS" --mode closed \
      --concurrency 256 --warmup 2 \
      --duration "$CAPACITY_S" --json-out "$work/cap-$1-$2.json" >/dev/null 2>&1
  capacity=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["throughput_rps"])' \
      "$work/cap-$1-$2.json")
}

serve() {
  start_server "$work/ports.json" "$work/server-$1.log" "$SERVER_CPU" \
      --model-repository "$work/repo-$2" --max-connections 16000 "${@:3}"
  grpc=$(json_get "$work/ports.json" grpc)
  http=$(json_get "$work/ports.json" http)
  metrics=$(json_get "$work/ports.json" metrics)
  warm_up
}

rows=()
invalid=0
base_java_opts=${SERVER_JAVA_OPTS:-}
for mode in $MODES; do
  for variant in $VARIANTS; do
    SERVER_JAVA_OPTS=$base_java_opts
    base=${variant%-prio}
    if [[ $base != "$variant" ]]; then
      SERVER_JAVA_OPTS="$base_java_opts -XX:ThreadPriorityPolicy=1"
    fi
    case $base in
      on) flags=() ;;
      queue-time) flags=(--max-inflight-requests 0) ;;
      off) flags=(--max-inflight-requests 0 --max-queue-time-ms 0) ;;
      derived)
        # The limit from this machine's capacity: the wait that the front door lets queue.
        serve "$mode-$variant-capacity" "$mode"
        measure_capacity "$mode" "$variant"
        stop_server
        flags=(--max-inflight-requests
            "$(python3 -c "print(max(1, round($capacity * $DERIVED_QUEUE_S)))")")
        ;;
      *) log "unknown variant $variant (expected: on, queue-time, off, derived, each opt. -prio)"
         exit 2 ;;
    esac
    serve "$mode-$variant" "$mode" "${flags[@]}"
    if [[ $base != derived ]]; then
      measure_capacity "$mode" "$variant"
    fi
    rate=$(python3 -c "print(round(2 * $capacity))")
    log "$mode/$variant: capacity $capacity req/s; offering $rate req/s for $DURATION s" \
        "(server flags: ${flags[*]:-defaults}; JVM: ${SERVER_JAVA_OPTS:-default})"
    grpc_capacity=$capacity
    for protocol in grpc http; do
      port=$grpc
      conns=(--connections "$GRPC_CONNECTIONS")
      # HTTP/1.1 has one request per connection in flight: enough connections that the client's
      # own pool does not queue the overload before the server sees it.
      [[ $protocol == http ]] && port=$http && conns=(--connections "$HTTP_CONNECTIONS")
      capacity=$grpc_capacity
      if [[ $protocol == http && $HTTP_CAPACITY == 1 ]]; then
        # HTTP's own capacity: a closed loop of 256 over 256 keep-alive connections.
        client --protocol http --target "127.0.0.1:$http" --connections 256 --mode closed \
            --concurrency 256 --warmup 4 --duration "$CAPACITY_S" \
            --json-out "$work/cap-$mode-$variant-http.json" >/dev/null 2>&1
        capacity=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["throughput_rps"])' \
            "$work/cap-$mode-$variant-http.json")
      fi
      for factor in $FACTORS; do
        rate=$(python3 -c "print(round($factor * $capacity))")
        server_counts "$work/counts-before"
        rss_peak "$SERVER_PID" "$work/rss" &
        sampler=$!
        result=$work/over-$mode-$variant-$protocol-$factor.json
        client --protocol "$protocol" --target "127.0.0.1:$port" --mode open --arrival poisson \
            --warmup "$OVERLOAD_WARMUP" --rate "$rate" --duration "$DURATION" --concurrency-limit 20000 \
            --server-pid "$SERVER_PID" "${conns[@]}" --json-out "$result" >/dev/null 2>&1 || true
        kill "$sampler" 2>/dev/null || true
        sampler=""
        server_counts "$work/counts-after"
        row=$(python3 - "$result" "$mode" "$variant" "$protocol" "$capacity" \
            "$(cat "$work/rss" 2>/dev/null || echo 0)" "$client_cores" "$MAX_CLIENT_CPU" \
            "$work/counts-before" "$work/counts-after" "$factor" <<'PY'
import json, sys
sys.path.insert(0, "loadtest")
import reject_buckets
r = json.load(open(sys.argv[1]))
mode, variant, protocol = sys.argv[2:5]
cap, rss_kb, cores, limit = float(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7]), float(sys.argv[8])
before, after = json.load(open(sys.argv[9])), json.load(open(sys.argv[10]))
factor = sys.argv[11]
door, queue = after["door"] - before["door"], after["queue"] - before["queue"]
buckets = {le: c - before["buckets"].get(protocol, {}).get(le, 0.0)
           for le, c in after["buckets"].get(protocol, {}).items()}
server_p99 = reject_buckets.p99(buckets)
errs = r["errors"]
refused = errs.get("http_503", 0) + errs.get("grpc_UNAVAILABLE", 0)
other = sum(errs.values()) - refused
lat, elat, lag = r["latency_us"], r["error_latency_us"], r["send_lag_us"]
cpu = r["client_cpu_util"] / cores
valid = "yes" if cpu <= limit else f"**no: generator at {100 * cpu:.0f}%**"
print(f"| {mode} | {variant} | {protocol} | {factor}x | {cap:.0f} | {r['offered_rate']:.0f} "
      f"| {r['throughput_rps']:.0f} | **{r['throughput_rps'] / cap:.2f}** | {refused} | {other} "
      f"| {door:.0f} | {queue:.0f} | {server_p99} "
      f"| {elat['p99'] / 1000:.2f} | {lat['p50'] / 1000:.0f} | {lat['p99'] / 1000:.0f} "
      f"| {lag['p99'] / 1000:.2f} | {rss_kb / 1024:.0f} | {100 * cpu:.0f}% | {valid} |")
PY
)
        [[ $row == *"**no:"* ]] && invalid=$((invalid + 1))
        rows+=("$row")
        log "$row"
      done
    done
    stop_server
  done
done

{
  echo "# Overload at 2x capacity: shedding on, queue-time only, off"
  echo
  echo "Measured $(date -u +'%Y-%m-%d %H:%M UTC') at $(git rev-parse --short HEAD) with"
  echo "\`bash loadtest/overload.sh\` (DURATION=$DURATION): heavy_mlp with batching off (\`nobatch\`)"
  echo "and dynamic batching to 64 (\`batch\`); server pinned to CPU $SERVER_CPU, load generator"
  echo "pinned to CPU $CLIENT_CPU; server JVM options: \`${base_java_opts:-default}\`."
  echo "Variants: \`on\` = the defaults (\`--max-inflight-requests 1024\`, \`--max-queue-time-ms 1000\`);"
  echo "\`queue-time\` = \`--max-inflight-requests 0\`; \`off\` = both 0; \`derived\` = the in-flight"
  echo "limit set to capacity × ${DERIVED_QUEUE_S} s; \`-prio\`: the server JVM also had"
  echo "\`-XX:ThreadPriorityPolicy=1\` (instance threads at nice 4). Each server is first warmed up"
  echo "(${WARMUP_S} s of gRPC and $((WARMUP_S / 2)) s of HTTP, closed loops of 256, unmeasured: the JIT's own CPU on the"
  echo "pinned core takes 35-40% of it for about the first 30 s). Capacity is then a closed loop of"
  echo "256 gRPC requests in flight over $GRPC_CONNECTIONS channels$([[ $HTTP_CAPACITY == 1 ]] && echo " (HTTP rows: 256 HTTP requests, HTTP's own capacity)"); the overload is an open Poisson loop at $(echo $FACTORS | sed "s/ /x, /g")x that (after ${OVERLOAD_WARMUP} s of it unmeasured), gRPC over"
  echo "$GRPC_CONNECTIONS channels, HTTP over up to $HTTP_CONNECTIONS connections. Goodput"
  echo "counts successful answers. Refused are 503 / UNAVAILABLE as the client saw them; the server's"
  echo "own counts (over the whole run, its ${OVERLOAD_WARMUP} s warm-up included) split them into front-door refusals"
  echo "and queue sheds (\`shed\`, \`queue_full\`), and"
  echo "its reject cost p99 is a front-door refusal's time from head seen to refusal written (HTTP) or"
  echo "handed to the transport (gRPC), a histogram bucket's upper bound. Other errors are requests that"
  echo "never came back within the window plus ${DRAIN} s (or were not sent: the generator's in-flight"
  echo "cap of 20,000). Client latencies run from each request's intended send time; the send lag says how"
  echo "late the generator itself was. Generator CPU is per core it had; a row above"
  echo "$(python3 -c "print(round(100 * $MAX_CLIENT_CPU))")% is not a valid 2x."
  echo
  echo "| model | shedding | protocol | load | capacity/s | offered/s | goodput/s | goodput ÷ capacity | refused | other errors | door refusals (server) | queue sheds (server) | server reject p99 ms | client refusal p99 ms | success p50 ms | success p99 ms | send lag p99 ms | server peak RSS MiB | generator CPU | valid |"
  echo "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
  printf '%s\n' "${rows[@]}"
} >"$OUT"
log "wrote $OUT ($invalid invalid row(s))"
cat "$OUT"
