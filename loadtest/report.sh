#!/usr/bin/env bash
# The side-by-side performance report, in one command (≤ 30 min on the 2-core box):
#
#   bash loadtest/report.sh            # full run  -> reports/performance.md, reports/latency-vs-throughput.svg
#   bash loadtest/report.sh --quick    # short windows, fewer configurations (a few minutes; for checking the script)
#   bash loadtest/report.sh --peers    # then loadtest/peers.sh: Sluice vs MLServer, KServe, PyTriton -> reports/peers.md
#
# B0: in-process ONNX Runtime (bench/ JMH EngineBaselineBenchmark, sample mode) on the server's CPU.
# Then for tiny_mlp (gRPC and HTTP): B2, the transport floor (`sluice-loadtest floor-server`, a bare
# Netty / grpc-java server answering a canned V2 response), and Sluice with --engine echo (B1),
# batching off (config without dynamic_batching) and batching on; for heavy_mlp and resnet18
# (gRPC): B0q (`sluice-loadtest b0q`: the same search fed in process through the runtime's batcher
# and ORT), then Sluice echo, off and on. For each a c=1 window, the SLO-capacity search, windows
# at 50% and 80% of it, and a closed-loop saturation window. The servers, B0 and B0q run on
# SERVER_CPUS (default 1), the client on CLIENT_CPUS (default 0). Raw JSON and logs:
# loadtest/target/report/. Nothing but 127.0.0.1 is contacted.
#
# Environment: SERVER_CPUS, CLIENT_CPUS, MODELS_DIR (default build/models), REBUILD=1 (rebuild the
# jars even when present), SKIP_B0=1, SKIP_B0Q=1, PROFILE=0 (no JFR in the server), NICE=-10 (run
# B0, server and client at that niceness: steadier numbers on a shared box, at the other users'
# expense), ROUNDS=N (repeat every configuration N times, interleaved: round 1 all, round 2 all,
# ...; the report gives the min–max of the headline ratios over the rounds), UNPINNED=1 (then run
# the tiny_mlp rows once more with neither server nor client pinned, as users run), SERVER_JAVA
# (the java binary of the servers, B0q and the floor; default: java on PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
source loadtest/lib.sh

QUICK=0
RUN_PEERS=0
for arg in "$@"; do
  case $arg in --quick) QUICK=1 ;; --peers) RUN_PEERS=1 ;; esac
done
SERVER_CPUS=${SERVER_CPUS:-1}
ROUNDS=${ROUNDS:-1}
UNPINNED=${UNPINNED:-0}
# The JVM of everything measured on the server side; lib.sh's start_server may read it too.
SERVER_JAVA=${SERVER_JAVA:-java}
CLIENT_CPUS=${CLIENT_CPUS:-0}
MODELS_DIR=${MODELS_DIR:-build/models}
DATA=loadtest/target/report
BENCH_JAR=bench/target/benchmarks.jar
# The JMH forks of bench/ run with these flags (SluiceBenchmark); the server gets the same JVM.
SERVER_JAVA_OPTS=${SERVER_JAVA_OPTS:-"-XX:+UseG1GC -Xms1g -Xmx1g"}
CLIENT_JAVA_OPTS=${CLIENT_JAVA_OPTS:-"-Xms512m -Xmx512m"}
export SERVER_JAVA_OPTS
if [[ -n ${NICE:-} ]]; then NICE_CMD=(nice -n "$NICE"); fi

started_epoch=$(date +%s)
started_human=$(date -u +"%Y-%m-%d %H:%M UTC")
mkdir -p "$DATA" reports
rm -rf "${DATA:?}"/*

monitor_pid=""
cleanup() {
  stop_server
  if [[ -n $monitor_pid ]]; then kill "$monitor_pid" 2>/dev/null || true; fi
}
trap cleanup EXIT

# ---------------------------------------------------------------------------------- build
if [[ ${REBUILD:-0} == 1 || ! -f $GATEWAY_JAR ]]; then
  log "building the gateway (tests skipped)"
  mvn -q -B -DskipTests -pl gateway -am package
fi
if [[ ${REBUILD:-0} == 1 || ! -f $LOADTEST_JAR ]]; then
  log "building the load generator"
  mvn -q -B -DskipTests -pl loadtest -am package
fi
# (grep without -q reads all of java's output: with pipefail an early exit would fail the pipe)
has_b0() { [[ -f $BENCH_JAR ]] && java -jar "$BENCH_JAR" -l 2>/dev/null | grep EngineBaselineBenchmark >/dev/null; }
b0_note=""
if [[ ${SKIP_B0:-0} != 1 ]] && { [[ ${REBUILD:-0} == 1 ]] || ! has_b0; }; then
  log "building the JMH benchmarks jar"
  # Against the installed modules first (does not rebuild other modules' target/), then with -am.
  mvn -q -B -DskipTests -pl bench package || mvn -q -B -DskipTests -pl bench -am package \
    || b0_note="bench/target/benchmarks.jar could not be built"
fi
if [[ ! -f $MODELS_DIR/heavy_mlp/1/model.onnx || ! -f $MODELS_DIR/resnet18/1/model.onnx ]]; then
  if [[ ! -x .venv/bin/python ]]; then
    log "creating .venv for the model script"
    bash scripts/python-env.sh
  fi
  log "building heavy_mlp and resnet18 into $MODELS_DIR"
  .venv/bin/python examples/make_models.py --large "$MODELS_DIR"
fi

# Run from copies, so a rebuild elsewhere during the ~30 min cannot swap a jar under a running JVM.
mkdir -p "$DATA/jars"
cp "$GATEWAY_JAR" "$LOADTEST_JAR" "$DATA/jars/"
gateway_built=$(date -u -r "$GATEWAY_JAR" +"%Y-%m-%d %H:%M UTC")
git_rev=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n $(git status --porcelain 2>/dev/null | head -1) ]]; then git_rev+=" + uncommitted changes"; fi
GATEWAY_JAR=$DATA/jars/$(basename "$GATEWAY_JAR")
LOADTEST_JAR=$DATA/jars/$(basename "$LOADTEST_JAR")
if [[ -f $BENCH_JAR ]]; then
  cp "$BENCH_JAR" "$DATA/jars/"
  BENCH_JAR=$DATA/jars/benchmarks.jar
fi

# Background load on the box: the report prints it, since it moves every number.
# Also counts JMH processes (bench/run.sh pins to the server's CPU too) that are not this script's.
(while true; do
  echo "$(date +%s) $(cut -d' ' -f1-3 /proc/loadavg) $(pgrep -fc 'org.openjdk.jmh' || true)"
  sleep 10
done) >"$DATA/load.txt" &
monitor_pid=$!

# ---------------------------------------------------------------------------------- repositories
# repo_for MODEL VARIANT -> prints a one-model repository whose config has (on) or lacks (off)
# dynamic_batching; echo uses the "on" config with --engine echo.
repo_for() {
  local model=$1 variant=$2 src dir
  [[ $variant == echo ]] && variant=on
  dir=$DATA/repos/${model}_$variant
  if [[ ! -d $dir ]]; then
    mkdir -p "$dir/$model/1"
    if [[ $model == tiny_mlp ]]; then
      src=examples/model_repository/tiny_mlp
      {
        printf 'name: "tiny_mlp"\nplatform: "onnxruntime_onnx"\nmax_batch_size: 64\n'
        printf 'input [\n  {\n    name: "input"\n    data_type: TYPE_FP32\n    dims: [ 32 ]\n  }\n]\n'
        printf 'output [\n  {\n    name: "output"\n    data_type: TYPE_FP32\n    dims: [ 1 ]\n  }\n]\n'
        printf 'instance_group [\n  {\n    count: 1\n    kind: KIND_CPU\n  }\n]\n'
        if [[ $variant == on ]]; then printf 'dynamic_batching { }\n'; fi
      } >"$dir/$model/config.pbtxt"
    else
      src=$MODELS_DIR/$model
      if [[ $variant == on ]]; then
        cp "$src/config.pbtxt" "$dir/$model/config.pbtxt"
      else
        sed '/^dynamic_batching/d' "$src/config.pbtxt" >"$dir/$model/config.pbtxt"
      fi
    fi
    # A hard link (or a copy): Sluice refuses a model file whose symlink leads out of its folder.
    ln "$(realpath "$src/1/model.onnx")" "$dir/$model/1/model.onnx" 2>/dev/null \
      || cp "$src/1/model.onnx" "$dir/$model/1/model.onnx"
  fi
  echo "$dir"
}

# ---------------------------------------------------------------------------------- B0
# run_jmh NAME JMH-ARGS...: EngineBaselineBenchmark pinned like the server, JSON to $DATA/NAME.json.
# JMH allows one run per machine (/tmp/jmh.lock); another one (bench/run.sh, say) would also share
# the pinned CPU, so wait for it rather than override the lock: up to 10 minutes.
run_jmh() {
  local name=$1 attempt
  shift
  for ((attempt = 0; attempt < 40; attempt++)); do
    SLUICE_BENCH_MODEL_DIRS="examples/model_repository:$MODELS_DIR" "${NICE_CMD[@]}" \
      taskset -c "$SERVER_CPUS" java -jar "$BENCH_JAR" EngineBaselineBenchmark "$@" \
      -rf json -rff "$DATA/$name.json" >"$DATA/$name.log" 2>&1 && return 0
    if ! grep -q "Unable to acquire the JMH lock" "$DATA/$name.log"; then
      log "B0 $name failed (see $DATA/$name.log)"
      return 0
    fi
    ((attempt == 0)) && log "another JMH run holds /tmp/jmh.lock (and CPU $SERVER_CPUS): waiting for it"
    sleep 15
  done
  log "B0 $name: JMH lock still held after 10 min; B0 skipped"
  b0_note="another JMH run held /tmp/jmh.lock for the whole wait"
}

run_b0() {
  if [[ ${SKIP_B0:-0} == 1 ]]; then b0_note="skipped (SKIP_B0=1)"; return; fi
  if ! has_b0; then
    b0_note="${b0_note:-bench/target/benchmarks.jar has no EngineBaselineBenchmark}"
    log "B0 skipped: $b0_note"
    return
  fi
  local batches="1,2,4,8,16,32,64" wi=3 w=1 i=3 r=2
  if ((QUICK)); then batches="1,8,64"; wi=2; i=2; r=1; fi
  log "B0: in-process ORT on CPU $SERVER_CPUS (tiny_mlp b=1; heavy_mlp and resnet18 b=$batches)"
  run_jmh b0_tiny -p model=tiny_mlp -p batch=1 -bm sample -tu us -f 1 -wi "$wi" -w "$w" -i "$i" -r "$r"
  run_jmh b0_large -p model=heavy_mlp,resnet18 -p batch="$batches" \
    -bm sample -tu us -f 1 -wi "$wi" -w "$w" -i "$i" -r "$r"
  python3 - "$DATA" <<'PY'
import json, os, sys
d = sys.argv[1]
out = []
for f in ("b0_tiny.json", "b0_large.json"):
    p = os.path.join(d, f)
    if os.path.exists(p) and os.path.getsize(p) > 0:
        out += json.load(open(p))
json.dump(out, open(os.path.join(d, "b0.json"), "w"), indent=1)
PY
}

# b0_p50 MODEL: p50 µs of batch 1, empty when unknown.
b0_p50() {
  python3 - "$DATA/b0.json" "$1" <<'PY'
import json, os, sys
p, m = sys.argv[1], sys.argv[2]
if os.path.exists(p):
    for r in json.load(open(p)):
        if r["params"]["model"] == m and r["params"]["batch"] == "1":
            print(r["primaryMetric"]["scorePercentiles"]["50.0"])
PY
}

# ---------------------------------------------------------------------------------- B0q
# b0q MODEL SHAPE SLO_MS WINDOW: the profile's search fed in process through the runtime's batcher
# and ORT (`sluice-loadtest b0q`, the gateway's jar on the classpath for the runtime), pinned like
# the server, same windows; JSON as a configuration named MODEL__b0q__inproc.
b0q() {
  local model=$1 shape=$2 slo_ms=$3 window=$4
  local name=${model}__b0q__inproc${TAG:+__$TAG} pin=(taskset -c "$SERVER_CPUS")
  if [[ ${SKIP_B0Q:-0} == 1 ]]; then return 0; fi
  if [[ ${TAG:-} == unpinned ]]; then pin=(); fi
  log "== $name (SLO p99 ≤ $slo_ms ms)"
  # shellcheck disable=SC2086
  "${NICE_CMD[@]}" "${pin[@]}" "$SERVER_JAVA" $SERVER_JAVA_OPTS -cp "$LOADTEST_JAR:$GATEWAY_JAR" \
    io.sluice.loadtest.Main b0q --label "$model b0q" \
    --model-file "$MODELS_DIR/$model/1/model.onnx" --model "$model" --input-shape "$shape" \
    --batching true --max-batch-size 64 --slo-ms "$slo_ms" \
    --initial-warmup "$INITIAL_WARMUP" --initial-warmup-concurrency 8 --warmup "$WARMUP" --c1-duration "$C1" \
    --window "$window" --report-window "$REPORT_WINDOW" --bisections "$BISECTIONS" \
    --saturation-concurrency 128 --retries "$RETRIES" \
    --json-out "$DATA/$name.json" 2>&1 | tee "$DATA/$name.log" >&2 || log "$name failed"
}

# ---------------------------------------------------------------------------------- one configuration
# start_floor PROTOCOL PORTS_FILE LOG CPU_LIST: B2, the floor server, in the background like
# start_server (sets SERVER_PID; an empty CPU_LIST runs it unpinned), on the servers' JVM and flags.
start_floor() {
  local protocol=$1 ports=$2 logfile=$3 cpus=$4 pin=() i
  rm -f "$ports"
  if [[ -n $cpus ]]; then pin=(taskset -c "$cpus"); fi
  # shellcheck disable=SC2086
  (exec "${NICE_CMD[@]}" "${pin[@]}" "$SERVER_JAVA" ${SERVER_JAVA_OPTS:-} -jar "$LOADTEST_JAR" floor-server \
      --protocol "$protocol" --port 0 --ports-file "$ports" --model tiny_mlp --output-shape 1,1 \
      --event-loop-threads 1 >"$logfile" 2>&1) &
  SERVER_PID=$!
  for ((i = 0; i < 120; i++)); do
    if [[ -s $ports ]]; then return 0; fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      log "floor server exited before serving; last lines of $logfile:"
      tail -20 "$logfile" >&2
      return 1
    fi
    sleep 0.5
  done
  log "floor server did not write $ports within 60 s"
  return 1
}

# jfr_for: the jfr tool of the servers' JVM (a JDK 17 jfr may not read a newer JDK's recording).
jfr_for() {
  local bin
  bin=$(dirname "$(readlink -f "$(command -v "$SERVER_JAVA")")")/jfr
  if [[ -x $bin ]]; then echo "$bin"; else echo jfr; fi
}

# profile MODEL VARIANT PROTOCOL SHAPE SLO_MS WINDOW: one configuration against a server started
# for it. VARIANT is echo, off or on (Sluice) or floor (B2). TAG (global; empty in round 1, rN in
# round N, "unpinned" for the unpinned pass) is appended to the file names; TAG=unpinned runs
# server and client without taskset.
profile() {
  local model=$1 variant=$2 protocol=$3 shape=$4 slo_ms=$5 window=$6
  local name=${model}__${variant}__${protocol}${TAG:+__$TAG} repo engine=()
  local scpus=$SERVER_CPUS client_pin=(taskset -c "$CLIENT_CPUS") stats=()
  if [[ ${TAG:-} == unpinned ]]; then scpus=""; client_pin=(); fi
  if [[ $variant == echo ]]; then engine=(--engine echo); fi
  log "== $name (SLO p99 ≤ $slo_ms ms)"
  local jfr=$DATA/$name.jfr saved_opts=$SERVER_JAVA_OPTS
  if [[ ${PROFILE:-1} == 1 ]]; then
    # JFR's default settings (≈1% overhead): where the server's CPU goes, for the report's notes.
    SERVER_JAVA_OPTS="$SERVER_JAVA_OPTS -XX:StartFlightRecording=filename=$jfr,settings=default,dumponexit=true"
  fi
  local http grpc port
  if [[ $variant == floor ]]; then
    if ! start_floor "$protocol" "$DATA/ports.json" "$DATA/$name.server.log" "$scpus"; then
      log "$name: floor server did not start"
      SERVER_JAVA_OPTS=$saved_opts
      return 0
    fi
    port=$(json_get "$DATA/ports.json" "$protocol")
  else
    repo=$(repo_for "$model" "$variant")
    start_server "$DATA/ports.json" "$DATA/$name.server.log" "$scpus" \
      --model-repository "$repo" --event-loop-threads 1 \
      --onnx-intra-op-threads 1 --onnx-inter-op-threads 1 --onnx-spinning false "${engine[@]}"
    http=$(json_get "$DATA/ports.json" http)
    grpc=$(json_get "$DATA/ports.json" grpc)
    port=$grpc
    if [[ $protocol == http ]]; then port=$http; fi
    stats=(--stats-url "http://127.0.0.1:$http/v2/models/$model/stats")
  fi
  # shellcheck disable=SC2086
  "${NICE_CMD[@]}" "${client_pin[@]}" java $CLIENT_JAVA_OPTS -jar "$LOADTEST_JAR" profile \
    --label "$model $variant $protocol" --protocol "$protocol" --target "127.0.0.1:$port" \
    --model "$model" --input-shape "$shape" --datatype FP32 --slo-ms "$slo_ms" \
    --initial-warmup "$INITIAL_WARMUP" --initial-warmup-concurrency 8 --warmup "$WARMUP" --c1-duration "$C1" \
    --window "$window" --report-window "$REPORT_WINDOW" --bisections "$BISECTIONS" \
    --saturation-concurrency 128 --retries "$RETRIES" --server-pid "$SERVER_PID" "${stats[@]}" \
    --json-out "$DATA/$name.json" 2>&1 | tee "$DATA/$name.log" >&2 || log "$name failed"
  stop_server
  SERVER_JAVA_OPTS=$saved_opts
  if [[ -s $jfr ]]; then
    "$(jfr_for)" print --stack-depth 24 --events jdk.ExecutionSample,jdk.NativeMethodSample,jdk.GarbageCollection "$jfr" \
      | python3 loadtest/jfr_summary.py >"$DATA/$name.profile.json" || log "$name: JFR summary failed"
  fi
}

if ((QUICK)); then
  INITIAL_WARMUP=4 WARMUP=1 C1=2 REPORT_WINDOW=3 BISECTIONS=2
  W_TINY=2 W_HEAVY=2 W_RESNET=3 RETRIES=0
  window_note="quick mode: 4 s initial closed-loop warm-up (c=8), c=1 2 s, search windows 2–3 s after 1 s warm-up, 50%/80% windows 3 s, 2 bisection steps (numbers are rough)."
else
  INITIAL_WARMUP=8 WARMUP=1 C1=5 REPORT_WINDOW=8 BISECTIONS=4
  W_TINY=5 W_HEAVY=5 W_RESNET=8 RETRIES=1
  window_note="8 s closed-loop warm-up (c=8) per server before anything is measured; c=1 5 s; search windows 5 s (resnet18: 8 s) after 1 s warm-up; 50% and 80% windows 8 s; saturation: closed loop c=128, one search-length window; a search window that misses the SLO is repeated once (foreign load on the shared box). Far shorter than PERFORMANCE.md's ≥ 60 s windows so that everything fits in 30 min: treat p99.9 as indicative."
fi

run_b0

declare -A SLO_MS SLO_SOURCE
SLO_MS[tiny_mlp]=10
SLO_SOURCE[tiny_mlp]="fixed"
for m in heavy_mlp resnet18; do
  p50=$(b0_p50 "$m")
  if [[ -n $p50 ]]; then
    SLO_MS[$m]=$(python3 -c "print(round(3 * $p50 / 1000, 3))")
    SLO_SOURCE[$m]="3 × B0 batch-1 p50 of $(python3 -c "print(round($p50))") µs"
  else
    # Without B0: 3 × the c=1 p50 of Sluice with batching off (marked in the report).
    repo=$(repo_for "$m" off)
    start_server "$DATA/ports.json" "$DATA/${m}__slo.server.log" "$SERVER_CPUS" --model-repository "$repo" --event-loop-threads 1
    shape=1,256; [[ $m == resnet18 ]] && shape=1,3,112,112
    taskset -c "$CLIENT_CPUS" java -jar "$LOADTEST_JAR" run --mode closed --protocol grpc \
      --target "127.0.0.1:$(json_get "$DATA/ports.json" grpc)" --model "$m" --input-shape "$shape" \
      --warmup 5 --duration 5 --json-out "$DATA/${m}__slo.c1.json"
    stop_server
    p50=$(python3 -c "import json;print(json.load(open('$DATA/${m}__slo.c1.json'))['latency_us']['p50'])")
    SLO_MS[$m]=$(python3 -c "print(round(3 * $p50 / 1000, 3))")
    SLO_SOURCE[$m]="FALLBACK, B0 missing: 3 × Sluice batching-off c=1 p50 of $(python3 -c "print(round($p50))") µs"
  fi
done

tiny_rows() {
  local variant
  for variant in floor echo off on; do
    profile tiny_mlp "$variant" grpc 1,32 "${SLO_MS[tiny_mlp]}" "$W_TINY"
    profile tiny_mlp "$variant" http 1,32 "${SLO_MS[tiny_mlp]}" "$W_TINY"
  done
}

# Round 1 writes the plain names; round N > 1 appends __rN, so rounds interleave (all of round 1,
# then all of round 2) and any foreign load lands on every configuration alike.
for ((round = 1; round <= ROUNDS; round++)); do
  TAG=""
  if ((round > 1)); then TAG=r$round; log "---- round $round of $ROUNDS"; fi
  tiny_rows
  b0q heavy_mlp 1,256 "${SLO_MS[heavy_mlp]}" "$W_HEAVY"
  for variant in echo off on; do
    if ((QUICK)) && [[ $variant == echo ]]; then continue; fi
    profile heavy_mlp "$variant" grpc 1,256 "${SLO_MS[heavy_mlp]}" "$W_HEAVY"
  done
  b0q resnet18 1,3,112,112 "${SLO_MS[resnet18]}" "$W_RESNET"
  for variant in echo off on; do
    if ((QUICK)) && [[ $variant == echo ]]; then continue; fi
    profile resnet18 "$variant" grpc 1,3,112,112 "${SLO_MS[resnet18]}" "$W_RESNET"
  done
done
if [[ $UNPINNED == 1 ]]; then
  TAG=unpinned
  log "---- unpinned pass (tiny_mlp, no taskset)"
  tiny_rows
fi
TAG=""

kill "$monitor_pid" 2>/dev/null || true
monitor_pid=""
ended_epoch=$(date +%s)
cmd="bash loadtest/report.sh"
if ((QUICK)); then cmd+=" --quick"; fi
if ((ROUNDS > 1)); then cmd="ROUNDS=$ROUNDS $cmd"; fi
if [[ $UNPINNED == 1 ]]; then cmd="UNPINNED=1 $cmd"; fi
server_java_version=$("$SERVER_JAVA" -version 2>&1 | head -1 | tr -d '"')
python3 - "$DATA/meta.json" <<PY
import json, os, platform, subprocess, sys
cpu = "unknown"
for line in open("/proc/cpuinfo"):
    if line.startswith("model name"):
        cpu = line.split(":", 1)[1].strip(); break
mem = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30)
java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
json.dump({
  "command": "$cmd", "started": "$started_human",
  "wall_minutes": ($ended_epoch - $started_epoch) / 60,
  "cpus": os.cpu_count(), "cpu_model": cpu, "mem_gib": mem, "kernel": platform.platform(), "java": java,
  "server_cpus": "$SERVER_CPUS", "client_cpus": "$CLIENT_CPUS",
  "server_java_opts": "$SERVER_JAVA_OPTS", "window_note": "$window_note",
  "server_java": "$SERVER_JAVA", "server_java_version": "$server_java_version",
  "rounds": $ROUNDS, "unpinned": $UNPINNED == 1,
  "slo_us": {"tiny_mlp": ${SLO_MS[tiny_mlp]} * 1000, "heavy_mlp": ${SLO_MS[heavy_mlp]} * 1000, "resnet18": ${SLO_MS[resnet18]} * 1000},
  "slo_source": {"tiny_mlp": "${SLO_SOURCE[tiny_mlp]}", "heavy_mlp": "${SLO_SOURCE[heavy_mlp]}", "resnet18": "${SLO_SOURCE[resnet18]}"},
  "b0_note": "$b0_note", "gateway_built": "$gateway_built", "git_rev": "$git_rev",
}, open(sys.argv[1], "w"), indent=1)
PY
python3 loadtest/render_report.py --data "$DATA" --out reports/performance.md --plot reports/latency-vs-throughput.svg
log "wrote reports/performance.md and reports/latency-vs-throughput.svg in $(( (ended_epoch - started_epoch) / 60 )) min $(( (ended_epoch - started_epoch) % 60 )) s"
if ((RUN_PEERS)); then QUICK=$QUICK bash loadtest/peers.sh; fi
