#!/usr/bin/env bash
# The drift monitor's cost as paired rounds inside one server: the capacity loss with less noise
# than loadtest/drift-overhead.sh, whose "off" and "on" are separate JVMs minutes apart.
#
# One server, the monitor and the JSON-lines prediction log on (default budget, as a user runs
# them), serves each model twice from a copy of the example repository: MODEL as shipped
# (monitored and logged) and MODEL_unmonitored, the same files with sluice.drift.sample_rate 0, so
# the tap skips it at its first check and nothing of it reaches the monitor or the log. Each
# warms up; then each round runs a closed loop on one and then the other (the order
# alternating round by round), DURATION s each, so that a slow spell of the shared box hits both
# halves of a pair alike. A pair's ratio is monitored ÷ unmonitored throughput; the script prints
# per model the median and mean of the ratios with the spread of the mean (standard error), and
# the server's CPU µs per request (loadtest --server-pid) for both.
#
# What "unmonitored" still pays, against --drift-enabled false: one map lookup and a counter per
# request on the tap, and the monitor thread's wake-ups (about 2 ms/s, idle or not: README). The
# second is a fixed cost of the process, the same in both halves; the script leaves it out.
#
# One generator JVM runs all of a model's rounds (sluice-loadtest pairs: a warm-up of WARMUP s on
# each half, then the rounds), so its own warm-up is paid once, not in every window.
#
# usage: ROUNDS=8 DURATION=5 WARMUP=45 CONCURRENCY=64 CPU_QUOTA=0.4 bash loadtest/drift-paired.sh
#        MODELS=iris_classifier …   (default: tiny_mlp iris_classifier)
#        MAX_RATE=0 …               (--drift-max-rate: 0 monitors and logs every request)
#        LOG=0 …                    (the monitor alone)
# CPU_QUOTA caps the server (lib.sh limit_cpu) so that the generator, on its own core, saturates it.
set -euo pipefail
cd "$(dirname "$0")/.."
source loadtest/lib.sh
ROUNDS=${ROUNDS:-8}
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-45}
CONCURRENCY=${CONCURRENCY:-64}
MODELS=${MODELS:-tiny_mlp iris_classifier}
ensure_jars
work=$(mktemp -d)
trap 'stop_server; rm -rf "$work"' EXIT
repo=$work/repo
cp -r examples/model_repository "$repo"
for model in $MODELS; do
  cp -r "$repo/$model" "$repo/${model}_unmonitored"
  model_parameter "$repo/${model}_unmonitored" "${model}_unmonitored" sluice.drift.sample_rate 0
done
extra=()
[[ ${LOG:-1} == 1 ]] && extra=(--prediction-log-dir "$work/predictions")
[[ -n ${MAX_RATE:-} ]] && extra+=(--drift-max-rate "$MAX_RATE")
start_server "$work/ports.json" "$work/server.log" 1 --model-repository "$repo" \
  --drift-enabled true "${extra[@]}"
grpc=$(json_get "$work/ports.json" grpc)

results=$work/results.tsv
for model in $MODELS; do
  if [[ $model == tiny_mlp ]]; then args=(--input-shape 1,32); else args=(--input-name float_input --input-shape 1,4); fi
  taskset -c 0 java -jar "$LOADTEST_JAR" pairs --protocol grpc --target "127.0.0.1:$grpc" \
    --model "$model" --against "${model}_unmonitored" "${args[@]}" --datatype FP32 \
    --concurrency "$CONCURRENCY" --rounds "$ROUNDS" --initial-warmup "$WARMUP" --warmup 1 \
    --duration "$DURATION" --server-pid "$SERVER_PID" --json-out "$work/pairs.json"
  python3 - "$work/pairs.json" >>"$results" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for p in r["pairs"]:
    for side, name in (("a", r["a"]), ("b", r["b"])):
        w = p[side]
        print("\t".join([str(p["round"]), name, "%.1f" % w["throughput_rps"], str(w["latency_us"]["p99"]),
                        str(w["server_cpu_us_per_request"]), str(w["client_cpu_util"])]))
PY
done
grep -E "sluice_monitor_(records|unsampled|dropped)_total" <(curl -s "127.0.0.1:$(json_get "$work/ports.json" metrics)/metrics") >&2 || true
python3 - "$results" $MODELS <<'PY'
import collections, statistics, sys
rows = [l.split("\t") for l in open(sys.argv[1]).read().split("\n") if l]
by = collections.defaultdict(dict)
for rnd, name, rps, p99, cpu, gen in rows:
    by[name][int(rnd)] = (float(rps), float(p99), float(cpu), float(gen))
print("| model | pairs | capacity monitored ÷ unmonitored: median | mean ± s.e. | req/s unmonitored → monitored (medians) | p99 µs | server CPU µs/req | generator CPU (max) |")
print("|---|---|---|---|---|---|---|---|")
for model in sys.argv[2:]:
    on, off = by[model], by[model + "_unmonitored"]
    rounds = sorted(set(on) & set(off))
    ratios = [on[r][0] / off[r][0] for r in rounds]
    mean = statistics.mean(ratios)
    se = statistics.stdev(ratios) / len(ratios) ** 0.5 if len(ratios) > 1 else float("nan")
    med = lambda d, i: statistics.median(d[r][i] for r in rounds)
    gen = max(max(d[r][3] for r in rounds) for d in (on, off))
    print(f"| {model} | {len(rounds)} | {statistics.median(ratios):.3f} | {mean:.3f} ± {se:.3f} |"
          f" {med(off, 0):.0f} → {med(on, 0):.0f} | {med(off, 1):.0f} → {med(on, 1):.0f} |"
          f" {med(off, 2):.1f} → {med(on, 2):.1f} | {gen:.0%} |")
    print(f"  pairs (req/s unmonitored/monitored): " + ", ".join(f"{off[r][0]:.0f}/{on[r][0]:.0f}" for r in rounds))
PY
