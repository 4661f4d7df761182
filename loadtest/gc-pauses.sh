#!/usr/bin/env bash
# The longest stop-the-world pause of the server under a short load, per collector (P7 of issue 12).
#
#   bash loadtest/gc-pauses.sh            # tiny_mlp, gRPC, 4,000 req/s open loop, 10 s windows
#   RATE=3000 MODEL=heavy_mlp SHAPE=1,256 bash loadtest/gc-pauses.sh
#
# Runs the same server and load once per JVM/collector pair: G1 on the JDK 17 on the PATH (the
# report's setting), G1 on 17 with -XX:MaxGCPauseMillis=5, ZGC on 17 (single-generation, the only
# ZGC 17 has), and generational ZGC on JDK 25 (SERVER_JAVA25, default temurin 25; generational is
# 25's only ZGC). The server logs every safepoint (-Xlog:safepoint): a pause is the time to reach
# the safepoint plus the operation at it, since that is what a request in flight waits (JDK 25's
# "Total" also counts leaving the safepoint, reported apart as safepoint_total_max_ms); only pauses
# inside the driver's measured window count (start-up, model load and warm-up are left out). Writes
# loadtest/target/report/gc-pauses.json: per configuration the longest and the 99th-percentile
# pause of the GC safepoints, their count, the longest safepoint of any kind, ZGC's allocation
# stalls (whole-run count from -Xlog:gc), and the driver's latency percentiles. Pinned like the report: server on SERVER_CPUS (1), client on CLIENT_CPUS (0).
# Needs the gateway and loadtest jars (mvn -pl gateway,loadtest -am package -DskipTests).
# About 2 minutes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=loadtest/lib.sh
source loadtest/lib.sh
LOADTEST_JAR=${SLUICE_LOADTEST_JAR:-$LOADTEST_JAR}
GATEWAY_JAR=${SLUICE_GATEWAY_JAR:-$GATEWAY_JAR}
MODEL=${MODEL:-tiny_mlp}
SHAPE=${SHAPE:-1,32}
RATE=${RATE:-4000}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-5}
SERVER_CPUS=${SERVER_CPUS-1}
CLIENT_CPUS=${CLIENT_CPUS:-0}
JAVA17=${SERVER_JAVA17:-java}
JAVA25=${SERVER_JAVA25:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
HEAP="-Xms1g -Xmx1g"
DATA=loadtest/target/report/gc
OUT=loadtest/target/report/gc-pauses.json
mkdir -p "$DATA"
[[ -f $GATEWAY_JAR && -f $LOADTEST_JAR ]] || { log "missing $GATEWAY_JAR or $LOADTEST_JAR"; exit 1; }

repo=$DATA/repo
if [[ $MODEL == tiny_mlp ]]; then
  src=examples/model_repository/tiny_mlp
  mkdir -p "$repo/tiny_mlp/1"
  cp "$src/1/model.onnx" "$repo/tiny_mlp/1/model.onnx"
  # The report's "batching on" configuration (loadtest/report.sh repo_for).
  cat >"$repo/tiny_mlp/config.pbtxt" <<'EOF'
name: "tiny_mlp"
platform: "onnxruntime_onnx"
max_batch_size: 64
input [ { name: "input" data_type: TYPE_FP32 dims: [ 32 ] } ]
output [ { name: "output" data_type: TYPE_FP32 dims: [ 1 ] } ]
instance_group [ { count: 1 kind: KIND_CPU } ]
dynamic_batching { }
EOF
else
  src=${MODELS_DIR:-build/models}/$MODEL
  [[ -f $src/1/model.onnx ]] || { log "no $src/1/model.onnx (examples/make_models.py --large)"; exit 1; }
  mkdir -p "$repo/$MODEL/1"
  cp "$src/config.pbtxt" "$repo/$MODEL/config.pbtxt"
  ln -sf "$(realpath "$src/1/model.onnx")" "$repo/$MODEL/1/model.onnx"
fi

trap stop_server EXIT
configs=(
  "g1-17|$JAVA17|-XX:+UseG1GC $HEAP"
  "g1-17-pause5|$JAVA17|-XX:+UseG1GC -XX:MaxGCPauseMillis=5 $HEAP"
  "zgc-17|$JAVA17|-XX:+UseZGC $HEAP"
  "zgc-25|$JAVA25|-XX:+UseZGC $HEAP"
)
for entry in "${configs[@]}"; do
  IFS='|' read -r name java opts <<<"$entry"
  log "== $name: $java $opts"
  started_ns=$(date +%s%N)
  SERVER_JAVA=$java SERVER_JAVA_OPTS="$opts -Xlog:safepoint:file=$DATA/$name.safepoint.log -Xlog:gc:file=$DATA/$name.gc.log" \
    start_server "$DATA/ports.json" "$DATA/$name.server.log" "$SERVER_CPUS" \
    --model-repository "$repo" --event-loop-threads 1 \
    --onnx-intra-op-threads 1 --onnx-inter-op-threads 1 --onnx-spinning false
  grpc=$(json_get "$DATA/ports.json" grpc)
  # JVM uptime (the log's decoration) at which the measured window begins, give or take the
  # launcher's start-up: the driver starts now and warms up for WARMUP seconds first.
  echo "$(( $(date +%s%N) - started_ns ))" >"$DATA/$name.window_ns"
  taskset -c "$CLIENT_CPUS" java -jar "$LOADTEST_JAR" run --protocol grpc \
    --target "127.0.0.1:$grpc" --model "$MODEL" --input-shape "$SHAPE" --rate "$RATE" \
    --warmup "$WARMUP" --duration "$DURATION" --concurrency-limit 4096 \
    --json-out "$DATA/$name.load.json" >"$DATA/$name.load.log" 2>&1 || log "$name: driver failed"
  stop_server
done

python3 - "$DATA" "$OUT" "$WARMUP" "${configs[@]}" <<'EOF'
import json, re, sys
data, out, WARMUP, entries = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
# JDK 17 and 25 both print: Safepoint "<op>", Time since last: ..., Total: <ns> ns
line = re.compile(r'^\[([0-9.]+)s\].*Safepoint "([^"]+)"(.*)')
field = re.compile(r'(Reaching safepoint|Cleanup|At safepoint|Total): (\d+) ns')
gc_ops = re.compile(r'G1|GC|ZMark|ZRelocate|ZPause|Z[A-Z]|Collect|Young|Remark|Cleanup')
result = {}
for entry in entries:
    name, java, opts = entry.split('|')
    pauses, gc, totals = [], [], []
    try:
        window_s = int(open(f'{data}/{name}.window_ns').read()) / 1e9 + int(WARMUP)
        with open(f'{data}/{name}.safepoint.log') as f:
            for l in f:
                m = line.search(l)
                if m and float(m.group(1)) >= window_s:
                    f = {k: int(v) for k, v in field.findall(m.group(3))}
                    # The pause: reaching the safepoint and the operation (JDK 17 adds cleanup).
                    # JDK 25's Total also counts "Leaving safepoint", the VM thread waking the
                    # others, which is only long when the core is taken: reported apart.
                    ms = (f.get('Reaching safepoint', 0) + f.get('Cleanup', 0)
                          + f.get('At safepoint', 0)) / 1e6
                    pauses.append(ms)
                    totals.append(f.get('Total', 0) / 1e6)
                    if gc_ops.search(m.group(2)):
                        gc.append(ms)
    except FileNotFoundError:
        pass
    gc.sort()
    # ZGC's failure mode is not a pause but a thread blocked until the collector frees memory.
    stalls = 0
    try:
        stalls = sum('Allocation Stall' in l for l in open(f'{data}/{name}.gc.log'))
    except FileNotFoundError:
        pass
    load = {}
    try:
        with open(f'{data}/{name}.load.json') as f:
            load = json.load(f)
    except (FileNotFoundError, ValueError):
        pass
    lat = {'throughput_rps': load.get('throughput_rps'), 'error_count': load.get('error_count')}
    for k in ('p50', 'p99', 'p999', 'max'):
        lat[f'latency_{k}_us'] = load.get('latency_us', {}).get(k)
    result[name] = {
        'java': java, 'opts': opts,
        'gc_pauses': len(gc),
        'gc_max_pause_ms': round(gc[-1], 3) if gc else None,
        'gc_p99_pause_ms': round(gc[min(len(gc) - 1, int(0.99 * len(gc)))], 3) if gc else None,
        'any_safepoint_max_ms': round(max(pauses), 3) if pauses else None,
        'safepoint_total_max_ms': round(max(totals), 3) if totals else None,
        'allocation_stalls': stalls,
        'load': lat,
    }
    result['load_average_1m'] = float(open('/proc/loadavg').read().split()[0])
with open(out, 'w') as f:
    json.dump(result, f, indent=2)
for name, r in result.items():
    if not isinstance(r, dict):
        continue
    print(f"{name:14s} GC pauses {r['gc_pauses']:4d}  max {r['gc_max_pause_ms']} ms  "
          f"p99 {r['gc_p99_pause_ms']} ms  any safepoint max {r['any_safepoint_max_ms']} ms  "
          f"(total with leaving {r['safepoint_total_max_ms']} ms)  "
          f"stalls {r['allocation_stalls']}  {r['load']}")
EOF
log "wrote $OUT"
