#!/usr/bin/env bash
# Goodput at 2x capacity in paired rounds: each round measures the server's capacity and then
# offers 2x that capacity, so each round's ratio is taken against the speed the machine had a
# moment before, not minutes earlier.
#
# Why: on this shared 2-core VM the same server's capacity moves by 2x between minutes (HTTP
# closed loops of one server read 1,350 to 2,900 req/s on 2026-12-04), and one overload window
# of overload.sh against one capacity window read 0.60 to 0.97 for the same server and load.
# A ratio needs both of its halves measured on the same machine speed; rounds that alternate
# them, and the median of many rounds, leave a slow spell to the rounds it hits.
#
# One server (heavy_mlp, batching off, the defaults unless SERVER_ARGS says otherwise) pinned to
# SERVER_CPU, the generator to CLIENT_CPU. The server is warmed up first (WARMUP_S s of gRPC and
# WARMUP_S/2 s of HTTP closed loops of 256, then OVERLOAD_WARMUP_S s of the 2x open loop of each
# protocol, so that the JIT has compiled the refusal path as well as the served one: a server
# that sheds for hours runs compiled code, and on a pinned core the compilers' own CPU comes out
# of the model's share). Then, per protocol, ROUNDS rounds of
#   capacity: a closed loop of 256 (gRPC over GRPC_CONNECTIONS channels, HTTP over 256
#             keep-alive connections), CAPACITY_S s after 2 s of the same;
#   overload: an open Poisson loop at FACTOR x that capacity, DURATION s after ROUND_WARMUP s of
#             the same (the generator's own JVM warms up in it: at 3 s it used 87-100% of its core)
#             (gRPC over GRPC_CONNECTIONS channels, HTTP over up to HTTP_CONNECTIONS connections).
# and, after the last round, one more capacity window. The ratio of a round is its overload goodput
# (successful answers/s) over its capacity; the bracketed ratio divides by the mean of the capacity
# before it and the one after it (the next round's), so that a round in which the machine slowed
# or sped up is not read as shedding's gain or loss. A round
# whose generator passed MAX_CLIENT_CPU of its core, or that lost a request (anything but a
# success or a 503 / UNAVAILABLE refusal), is reported and counted; the summary gives the median
# and the mean +- standard error of the ratios, the refusals, the requests lost, the server's
# reject-cost p99 (sluice_admission_reject_seconds over the whole run) and its peak RSS.
# Writes reports/overload-paired.md. Not a CI step (about 12 minutes with the defaults).
#
# INSTANCE_QUOTA=0.5 caps only the model's instance threads at that share of the server's core
# (lib.sh's limit_threads) and leaves the rest of the core to the front door: a model on an
# accelerator or on cores of its own, whose time the refusals cannot take. Without it the engine
# and the event loops share one core, and every refusal's CPU comes out of the model's (the
# harder case). Writes reports/overload-paired-instance.md.
#
# usage: bash loadtest/overload-paired.sh
#   ROUNDS=8 PROTOCOLS="http grpc" FACTOR=2 DURATION=10 ROUND_WARMUP=10 CAPACITY_S=8 WARMUP_S=30
#   OVERLOAD_WARMUP_S=20 SERVER_CPU=1 CLIENT_CPU=0 MAX_CLIENT_CPU=0.8 HTTP_CONNECTIONS=12000
#   GRPC_CONNECTIONS=8 SERVER_ARGS= (extra server flags) MODELS_DIR=build/models
#   SERVER_JAVA_OPTS (default "-Xms512m -Xmx512m -XX:MaxDirectMemorySize=512m", README's sizing)
set -euo pipefail
cd "$(dirname "$0")/.."
source loadtest/lib.sh

MODELS_DIR=${MODELS_DIR:-build/models}
ROUNDS=${ROUNDS:-8}
ROUND_WARMUP=${ROUND_WARMUP:-10}
PROTOCOLS=${PROTOCOLS:-http grpc}
FACTOR=${FACTOR:-2}
DURATION=${DURATION:-10}
CAPACITY_S=${CAPACITY_S:-8}
WARMUP_S=${WARMUP_S:-30}
OVERLOAD_WARMUP_S=${OVERLOAD_WARMUP_S:-20}
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
MAX_CLIENT_CPU=${MAX_CLIENT_CPU:-0.8}
HTTP_CONNECTIONS=${HTTP_CONNECTIONS:-12000}
GRPC_CONNECTIONS=${GRPC_CONNECTIONS:-8}
SERVER_JAVA_OPTS=${SERVER_JAVA_OPTS:--Xms512m -Xmx512m -XX:MaxDirectMemorySize=512m}
INSTANCE_QUOTA=${INSTANCE_QUOTA:-}
OUT=${OUT:-reports/overload-paired${INSTANCE_QUOTA:+-instance}.md}
read -r -a server_args <<<"${SERVER_ARGS:-}"
# Both would configure the one cgroup lib.sh makes per script.
if [[ -n ${CPU_QUOTA:-} && -n $INSTANCE_QUOTA ]]; then
  log "CPU_QUOTA and INSTANCE_QUOTA exclude each other"; exit 2
fi
ensure_jars
ensure_large_models "$MODELS_DIR"

work=$(mktemp -d)
sampler=""
trap '[[ -n $sampler ]] && kill "$sampler" 2>/dev/null; stop_server; rm -rf "$work"' EXIT
# Batching off (overload.sh's main row).
copy_model "$MODELS_DIR/heavy_mlp" "$work/repo" nobatch

client() { taskset -c "$CLIENT_CPU" java -jar "$LOADTEST_JAR" run --model heavy_mlp \
    --input-shape 1,256 --datatype FP32 --drain 15 "$@"; }

start_server "$work/ports.json" "$work/server.log" "$SERVER_CPU" \
    --model-repository "$work/repo" --max-connections 16000 "${server_args[@]}"
# The instance threads exist once the server serves (the scheduler starts them at load).
if [[ -n $INSTANCE_QUOTA ]]; then limit_threads "$SERVER_PID" "$INSTANCE_QUOTA" sluice-heavy_ml; fi
grpc=$(json_get "$work/ports.json" grpc)
http=$(json_get "$work/ports.json" http)
metrics=$(json_get "$work/ports.json" metrics)
rss_peak "$SERVER_PID" "$work/rss" &
sampler=$!

# target PROTOCOL and conns PROTOCOL KIND: where a protocol's loops go and over how many
# connections (KIND closed: the capacity loop's; open: the overload's).
target() { [[ $1 == http ]] && echo "127.0.0.1:$http" || echo "127.0.0.1:$grpc"; }
conns() {
  if [[ $1 == grpc ]]; then echo "$GRPC_CONNECTIONS"
  elif [[ $2 == closed ]]; then echo 256
  else echo "$HTTP_CONNECTIONS"; fi
}
capacity() { # PROTOCOL SECONDS WARMUP JSON
  client --protocol "$1" --target "$(target "$1")" --connections "$(conns "$1" closed)" \
      --mode closed --concurrency 256 --warmup "$3" --duration "$2" --json-out "$4" \
      >/dev/null 2>&1 || true
}
overload() { # PROTOCOL RATE SECONDS WARMUP JSON
  client --protocol "$1" --target "$(target "$1")" --connections "$(conns "$1" open)" \
      --mode open --arrival poisson --rate "$2" --duration "$3" --warmup "$4" \
      --concurrency-limit 20000 --json-out "$5" >/dev/null 2>&1 || true
}
rps() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["throughput_rps"])' "$1"; }

log "warming up the server: ${WARMUP_S} s gRPC, $((WARMUP_S / 2)) s HTTP, then ${OVERLOAD_WARMUP_S} s of ${FACTOR}x each"
capacity grpc "$WARMUP_S" 0 "$work/warm.json"
capacity http "$((WARMUP_S / 2))" 0 "$work/warm.json"
for protocol in $PROTOCOLS; do
  capacity "$protocol" 6 2 "$work/warm-cap.json"
  rate=$(python3 -c "print(round($FACTOR * $(rps "$work/warm-cap.json")))")
  overload "$protocol" "$rate" "$OVERLOAD_WARMUP_S" 0 "$work/warm-over.json"
done

for protocol in $PROTOCOLS; do
  for ((round = 1; round <= ROUNDS; round++)); do
    capacity "$protocol" "$CAPACITY_S" 2 "$work/cap-$protocol-$round.json"
    rate=$(python3 -c "print(round($FACTOR * $(rps "$work/cap-$protocol-$round.json")))")
    overload "$protocol" "$rate" "$DURATION" "$ROUND_WARMUP" \
        "$work/over-$protocol-$round.json"
    log "$protocol round $round: capacity $(rps "$work/cap-$protocol-$round.json")/s," \
        "goodput $(rps "$work/over-$protocol-$round.json")/s at $rate/s offered"
  done
  capacity "$protocol" "$CAPACITY_S" 2 "$work/cap-$protocol-$round.json"
done
kill "$sampler" 2>/dev/null || true
sampler=""
curl -sf "http://127.0.0.1:$metrics/metrics" >"$work/metrics.txt"

python3 - "$work" "$OUT" "$ROUNDS" "$PROTOCOLS" "$MAX_CLIENT_CPU" \
    "$(cat "$work/rss" 2>/dev/null || echo 0)" "$(git rev-parse --short HEAD)" "$INSTANCE_QUOTA" <<'PY'
import json, statistics, sys, time
sys.path.insert(0, "loadtest")
import reject_buckets
work, out, rounds, protocols, limit, rss_kb, commit, quota = sys.argv[1:9]
rounds, limit = int(rounds), float(limit)
text = open(f"{work}/metrics.txt").read()

def reject_p99(protocol):
    return reject_buckets.p99(reject_buckets.buckets(text).get(protocol, {}))

lines = [
    "# Goodput at 2x capacity, paired rounds",
    "",
    f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} at {commit} with "
    f"`{'INSTANCE_QUOTA=' + quota + ' ' if quota else ''}bash loadtest/overload-paired.sh`: "
    "heavy_mlp, batching off, one server with the defaults "
    "(front door `--max-inflight-requests 1024`, `--max-queue-time-ms 1000`) pinned to one core, "
    "the generator on the other. "
    + (f"The model's instance threads are capped at {quota} of that core; the event loops, JIT "
       "and GC have the rest (a model on an accelerator or cores of its own). " if quota else
       "The engine and the event loops share that core (each refusal's CPU is the model's). ")
    + "Each round: capacity (a closed loop of 256), then an open "
    "Poisson loop at 2x that capacity; ratio = that round's goodput / that round's capacity; "
    "bracketed = goodput / the mean of the capacity before and after it (the next round's). "
    "Lost = anything but a success or a 503 / UNAVAILABLE refusal. Generator CPU is of its core.",
    "",
    "| protocol | round | capacity/s | offered/s | goodput/s | goodput ÷ capacity | bracketed | "
    "refused | lost | client refusal p99 ms | success p99 ms | generator CPU | valid |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
]
summary = []
for p in protocols.split():
    ratios, bracketed, lost_total, refused_total = [], [], 0, 0
    for r in range(1, rounds + 1):
        cap = json.load(open(f"{work}/cap-{p}-{r}.json"))
        after = json.load(open(f"{work}/cap-{p}-{r + 1}.json"))["throughput_rps"]
        over = json.load(open(f"{work}/over-{p}-{r}.json"))
        errs = over["errors"]
        refused = errs.get("http_503", 0) + errs.get("grpc_UNAVAILABLE", 0)
        lost = sum(errs.values()) - refused
        cpu = over["client_cpu_util"]
        valid = cpu <= limit
        ratio = over["throughput_rps"] / cap["throughput_rps"]
        bracket = over["throughput_rps"] / ((cap["throughput_rps"] + after) / 2)
        if valid:
            ratios.append(ratio)
            bracketed.append(bracket)
        lost_total += lost
        refused_total += refused
        lines.append(
            f"| {p} | {r} | {cap['throughput_rps']:.0f} | {over['offered_rate']:.0f} "
            f"| {over['throughput_rps']:.0f} | {ratio:.3f} | {bracket:.3f} | {refused} | {lost} "
            f"| {over['error_latency_us']['p99'] / 1000:.2f} | {over['latency_us']['p99'] / 1000:.0f} "
            f"| {100 * cpu:.0f}% | {'yes' if valid else '**no**'} |")
    n = len(ratios)
    mean = statistics.fmean(ratios) if n else float("nan")
    se = statistics.stdev(ratios) / n ** 0.5 if n > 1 else float("nan")
    med = statistics.median(ratios) if n else float("nan")
    summary.append(
        f"| {p} | {n} of {rounds} | **{med:.3f}** | {mean:.3f} ± {se:.3f} "
        f"| {min(ratios) if n else float('nan'):.3f}–{max(ratios) if n else float('nan'):.3f} "
        f"| **{statistics.median(bracketed) if n else float('nan'):.3f}** "
        f"| {refused_total} | {lost_total} | {reject_p99(p)} |")
lines += [
    "", "| protocol | valid rounds | median ratio | mean ± s.e. | range | median bracketed | refused "
    "| lost | server reject p99 ms |",
    "|---|---|---:|---:|---|---:|---:|---:|---:|", *summary, "",
    f"Server peak RSS over the whole run: {int(rss_kb) / 1024:.0f} MiB.",
]
open(out, "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
log "wrote $OUT"
