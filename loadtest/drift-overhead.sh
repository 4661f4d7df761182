#!/usr/bin/env bash
# The drift monitor's cost: monitor and JSON-lines prediction log on vs both off, in one run.
# For tiny_mlp and iris, a closed loop of CONCURRENCY requests over gRPC saturates a server
# pinned to CPU 1 (the driver on CPU 0) for DURATION s; rounds alternate off/on so drift in the
# machine's load hits both alike. Prints throughput (capacity at saturation) and p99 per
# configuration and the on/off ratios.
#
# Each window follows WARMUP s (20) of the same load: on the pinned core the JIT takes a third of
# it for the first ~30 s, and tiny_mlp, measured first on each server, otherwise paid for it.
#
# usage: ROUNDS=2 DURATION=10 WARMUP=20 CONCURRENCY=8 bash loadtest/drift-overhead.sh
#        LOG=0 bash loadtest/drift-overhead.sh      (the monitor alone, no prediction log)
#        SAMPLE_RATE=0.1 bash loadtest/drift-overhead.sh  (each model monitors and logs that share
#        of its requests: the config parameter sluice.drift.sample_rate, in a copy of the repository)
#        MAX_RATE=0 bash loadtest/drift-overhead.sh  (--drift-max-rate: 0 monitors and logs every
#        request; unset, the server's default budget of 500 records a second per version)
#        CPU_QUOTA=0.4 bash loadtest/drift-overhead.sh  (the server capped at 0.4 of its core, so the
#        generator, on a core of its own, has room to saturate it; without it, on 2 cores, the
#        generator runs at 90-100% of its core and the table measures the generator. A row whose
#        generator CPU is above ~80% is not a capacity. The JIT runs outside the cap: lib.sh limit_cpu.)
set -euo pipefail
cd "$(dirname "$0")/.."
source loadtest/lib.sh
ROUNDS=${ROUNDS:-2}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-20}
CONCURRENCY=${CONCURRENCY:-8}
ensure_jars
work=$(mktemp -d)
trap 'stop_server; rm -rf "$work"' EXIT
results="$work/results.tsv"
repo=examples/model_repository
if [[ -n ${SAMPLE_RATE:-} ]]; then
  repo=$work/repo
  cp -r examples/model_repository "$repo"
  for model in "$repo"/*/; do
    model_parameter "$model" "$(basename "$model")" sluice.drift.sample_rate "$SAMPLE_RATE"
  done
fi
for round in $(seq 1 "$ROUNDS"); do
  for monitor in false true; do
    # On: the monitor and the JSON-lines prediction log, as a user would run them.
    extra=()
    [[ $monitor == true && ${LOG:-1} == 1 ]] && extra=(--prediction-log-dir "$work/predictions")
    [[ -n ${MAX_RATE:-} ]] && extra+=(--drift-max-rate "$MAX_RATE")
    start_server "$work/ports.json" "$work/server.log" 1 --model-repository "$repo" \
      --drift-enabled "$monitor" "${extra[@]}"
    grpc=$(json_get "$work/ports.json" grpc)
    for model in tiny_mlp iris_classifier; do
      if [[ $model == tiny_mlp ]]; then args=(--input-shape 1,32); else args=(--input-name float_input --input-shape 1,4); fi
      taskset -c 0 java -jar "$LOADTEST_JAR" run --protocol grpc --target "127.0.0.1:$grpc" --model "$model" \
        "${args[@]}" --datatype FP32 --mode closed --concurrency "$CONCURRENCY" --warmup "$WARMUP" \
        --duration "$DURATION" --require-success --json-out "$work/run.json" >/dev/null
      python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("\t".join([sys.argv[2], sys.argv[3], sys.argv[4], "%.1f" % r["throughput_rps"], str(r["latency_us"]["p99"]), str(r["client_cpu_util"])]))' \
        "$work/run.json" "$round" "$model" "$monitor" >> "$results"
    done
    stop_server
  done
done
python3 - "$results" <<'PY'
import collections, statistics, sys
rows = [l.split("\t") for l in open(sys.argv[1]).read().split("\n") if l]
by = collections.defaultdict(list)
for rnd, model, mon, rps, p99, cpu in rows:
    by[(model, mon)].append((float(rps), float(p99), float(cpu)))
print("| model | monitor | throughput req/s (median of rounds) | p99 µs | generator CPU (max) | capacity on/off |")
print("|---|---|---|---|---|---|")
for model in ("tiny_mlp", "iris_classifier"):
    off = statistics.median(r for r, _, _ in by[(model, "false")])
    for mon in ("false", "true"):
        rps = statistics.median(r for r, _, _ in by[(model, mon)])
        p99 = statistics.median(p for _, p, _ in by[(model, mon)])
        cpu = max(c for _, _, c in by[(model, mon)])
        ratio = "" if mon == "false" else f"{rps / off:.3f}"
        print(f"| {model} | {'on' if mon == 'true' else 'off'} | {rps:.0f} | {p99:.0f} | {cpu:.0%} | {ratio} |")
print("rounds (req/s):", {f"{m}/{'on' if o == 'true' else 'off'}": [round(r) for r, _, _ in v] for (m, o), v in by.items()})
PY
