#!/usr/bin/env bash
# Before/after on the same machine in the same run: two builds of Sluice (A = a baseline
# checkout's jars, B = this checkout's), measured alternately on tiny_mlp. Server on CPU 1,
# client on CPU 0 (as loadtest/report.sh). Per build: closed-loop c=1 p50 and c=64 throughput,
# over gRPC and HTTP; then the JMH codec and batcher benchmarks of each build's bench jar.
#
#   bash loadtest/ab.sh BASELINE_CHECKOUT      # e.g. a `git worktree` of the last release, built
#                                              # with `mvn -q -DskipTests package`
# Writes loadtest/target/ab/{a,b}.* and prints one table. Only 127.0.0.1 is contacted.
set -euo pipefail
cd "$(dirname "$0")/.."
source loadtest/lib.sh
BASE=${1:?usage: ab.sh BASELINE_CHECKOUT}
OUT=loadtest/target/ab
ROUNDS=${ROUNDS:-2}
DURATION=${DURATION:-8}
mkdir -p "$OUT"
trap stop_server EXIT
export SERVER_JAVA_OPTS=${SERVER_JAVA_OPTS:-"-XX:+UseG1GC -Xms1g -Xmx1g"}

measure() { # measure LABEL GATEWAY_JAR ROUND
  local label=$1 jar=$2 round=$3
  GATEWAY_JAR=$jar start_server "$OUT/ports.json" "$OUT/$label.server.log" 1 \
      --model-repository examples/model_repository --event-loop-threads 1
  for protocol in grpc http; do
    local port
    port=$(json_get "$OUT/ports.json" "$protocol")
    for c in 1 64; do
      taskset -c 0 java -Xms512m -Xmx512m -jar "$LOADTEST_JAR" run --mode closed \
          --protocol "$protocol" --target "127.0.0.1:$port" --model tiny_mlp --input-shape 1,32 \
          --datatype FP32 --concurrency "$c" --warmup 3 --duration "$DURATION" \
          --json-out "$OUT/$label.$protocol.c$c.r$round.json" >/dev/null 2>&1
    done
  done
  stop_server
}

for ((r = 1; r <= ROUNDS; r++)); do
  measure a "$BASE/$GATEWAY_JAR" "$r"
  measure b "$GATEWAY_JAR" "$r"
done
for label in a b; do
  jar=$BASE/bench/target/benchmarks.jar
  [[ $label == b ]] && jar=bench/target/benchmarks.jar
  taskset -c 1 java -jar "$jar" '(Codec|BatcherOverhead)Benchmark' -f 1 -wi 2 -w 500ms -i 3 \
      -r 1s -rf json -rff "$OUT/$label.jmh.json" >"$OUT/$label.jmh.txt" 2>&1
done
python3 - "$OUT" "$ROUNDS" <<'PY'
import json, sys, statistics, glob, os
out, rounds = sys.argv[1], int(sys.argv[2])
def get(label, proto, c, key):
    vals = []
    for f in glob.glob(f"{out}/{label}.{proto}.c{c}.r*.json"):
        r = json.load(open(f))
        vals.append(r["latency_us"]["p50"] if key == "p50" else r["throughput_rps"])
    return statistics.median(vals) if vals else float("nan")
print("| tiny_mlp, closed loop | A (before) | B (after) | B/A |")
print("|---|---|---|---|")
for proto in ("grpc", "http"):
    a, b = get("a", proto, 1, "p50"), get("b", proto, 1, "p50")
    print(f"| {proto} c=1 p50 µs | {a:.0f} | {b:.0f} | {b/a:.2f} |")
    a, b = get("a", proto, 64, "rps"), get("b", proto, 64, "rps")
    print(f"| {proto} c=64 req/s | {a:.0f} | {b:.0f} | {b/a:.2f} |")
def jmh(label):
    res = {}
    for e in json.load(open(f"{out}/{label}.jmh.json")):
        name = e["benchmark"].rsplit(".", 2)
        key = name[-2] + "." + name[-1] + "".join(f" {k}={v}" for k, v in sorted(e.get("params", {}).items()))
        res[key] = (e["primaryMetric"]["score"], e["primaryMetric"]["scoreUnit"])
    return res
a, b = jmh("a"), jmh("b")
print()
print("| JMH | A (before) | B (after) | unit | B/A |")
print("|---|---|---|---|---|")
for k in sorted(a):
    if k in b:
        print(f"| {k} | {a[k][0]:.3g} | {b[k][0]:.3g} | {a[k][1]} | {b[k][0]/a[k][0]:.2f} |")
PY
