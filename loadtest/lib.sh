# Shared helpers of the load-test scripts (sourced, not run).

GATEWAY_JAR=gateway/target/sluice-gateway-0.1.0-SNAPSHOT-all.jar
LOADTEST_JAR=loadtest/target/sluice-loadtest-0.1.0-SNAPSHOT-all.jar
SERVER_PID=""
# Prefix for every measured process (report.sh sets it to `nice -n N` when NICE is given).
NICE_CMD=()

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# ensure_jars [gateway]: builds the gateway and load-generator jars when either is missing (with
# "gateway": only the gateway's), so each script runs on a clean clone.
ensure_jars() {
  if [[ ${1:-} == gateway ]]; then
    [[ -f $GATEWAY_JAR ]] && return
    log "building the gateway jar"
    mvn -q -B -DskipTests -pl gateway -am package
    return
  fi
  [[ -f $GATEWAY_JAR && -f $LOADTEST_JAR ]] && return
  log "building the gateway and loadtest jars"
  mvn -q -B -DskipTests -pl gateway,loadtest -am package
}

# json_get FILE KEY: one top-level field of a small JSON file (the ports file).
json_get() {
  sed -E "s/.*\"$2\"[[:space:]]*:[[:space:]]*([0-9]+).*/\1/" "$1"
}

# start_server PORTS_FILE LOG [CPU_LIST] [sluice serve args...]: starts Sluice in the background,
# sets SERVER_PID, and waits (at most 120 s) until it has written its ports. An empty CPU_LIST
# runs it unpinned. SERVER_JAVA picks the JVM (default: java on the PATH), e.g.
# SERVER_JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java with SERVER_JAVA_OPTS=-XX:+UseZGC.
# model_parameter DIR NAME KEY VALUE: the model folder DIR is served as NAME with the config
# parameter KEY set to VALUE (a sluice.* parameter): its config.pbtxt is renamed to NAME, or, for
# an autofilled model without one, written naming it (autofill does the rest); the parameter is
# appended.
model_parameter() {
  local config=$1/config.pbtxt
  if [[ -f $config ]]; then
    sed -i "s/^name: .*/name: \"$2\"/" "$config"
  else
    printf 'name: "%s"\n' "$2" >"$config"
  fi
  printf '\nparameters { key: "%s" value { string_value: "%s" } }\n' "$3" "$4" >>"$config"
}

# CPU_QUOTA=0.4 caps the server at that share of a core (limit_cpu).
start_server() {
  local ports=$1 logfile=$2 cpus=$3
  shift 3
  rm -f "$ports"
  local pin=()
  if [[ -n $cpus ]]; then pin=(taskset -c "$cpus"); fi
  # exec keeps the pid of the JVM itself (CPU is read from /proc/<pid>/stat).
  (exec "${NICE_CMD[@]}" "${pin[@]}" "${SERVER_JAVA:-java}" ${SERVER_JAVA_OPTS:-} -jar "$GATEWAY_JAR" serve \
      --http-port 0 --grpc-port 0 --metrics-port 0 --ports-file "$ports" "$@" >"$logfile" 2>&1) &
  SERVER_PID=$!
  local i
  for ((i = 0; i < 240; i++)); do
    if [[ -s $ports ]]; then
      if [[ -n ${CPU_QUOTA:-} ]]; then limit_cpu "$SERVER_PID" "$CPU_QUOTA"; fi
      return 0
    fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      log "server exited before serving; last lines of $logfile:"
      tail -20 "$logfile" >&2
      return 1
    fi
    sleep 0.5
  done
  log "server did not write $ports within 120 s"
  return 1
}

# limit_cpu PID SHARE: caps the server's threads at SHARE of one core (e.g. 0.4) with a cgroup v1
# CPU quota over 10 ms periods, so that a load generator on a core of its own can offer well past
# the server's capacity: on a 2-core box a server with a whole core needs about a whole core of
# generator to saturate it, and a saturated generator measures itself. The JIT's compiler threads
# stay outside the cap (they use the rest of the server's core): under a cap they would take the
# measured capacity for minutes of warm-up. Called once the server serves, when its threads
# exist; threads they start later join the cap. Needs write access to /sys/fs/cgroup/cpu.
limit_cpu() {
  local pid=$1 tid
  cpu_cgroup "$2"
  for tid in $(ls "/proc/$pid/task"); do
    grep -q CompilerThre "/proc/$pid/task/$tid/comm" 2>/dev/null && continue
    echo "$tid" >"$CPU_CGROUP/tasks" 2>/dev/null || true
  done
  log "server $pid capped at $2 of a core, its JIT outside the cap ($CPU_CGROUP)"
}

# limit_threads PID SHARE COMM_PREFIX: caps only the server's threads whose name (comm, 15
# characters) starts with COMM_PREFIX at SHARE of one core, e.g. a model's instance threads
# (sluice-<model>-<version>-instance-<i>: "sluice-heavy_ml"), and leaves the rest (event loops,
# JIT, GC) the rest of the server's core. That stands for a model on an accelerator or cores of
# its own: what the front door spends (refusals included) no longer comes out of the model's time.
limit_threads() {
  local pid=$1 prefix=$3 tid comm n=0
  cpu_cgroup "$2"
  for tid in $(ls "/proc/$pid/task"); do
    comm=$(cat "/proc/$pid/task/$tid/comm" 2>/dev/null) || continue
    [[ $comm == "$prefix"* ]] || continue
    echo "$tid" >"$CPU_CGROUP/tasks" 2>/dev/null && n=$((n + 1))
  done
  log "server $pid: $n threads named $prefix* capped at $2 of a core ($CPU_CGROUP)"
  ((n > 0))
}

# cpu_cgroup SHARE: a new cgroup v1 CPU group allowed SHARE of one core per 10 ms period, in
# CPU_CGROUP (stop_server removes it). It has the most weight there is, so the threads beside the
# group (weight 1024 each) take only what the quota leaves: with equal weights two busy ones
# would cut the group to a third.
cpu_cgroup() {
  CPU_CGROUP=/sys/fs/cgroup/cpu/sluice-loadtest-$$
  mkdir -p "$CPU_CGROUP"
  echo 10000 >"$CPU_CGROUP/cpu.cfs_period_us"
  awk -v s="$1" 'BEGIN { printf "%d", s * 10000 }' >"$CPU_CGROUP/cpu.cfs_quota_us"
  echo 262144 >"$CPU_CGROUP/cpu.shares"
}

stop_server() {
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    local i
    for ((i = 0; i < 40; i++)); do
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.25
    done
    kill -9 "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
  if [[ -n ${CPU_CGROUP:-} ]]; then rmdir "$CPU_CGROUP" 2>/dev/null || true; CPU_CGROUP=""; fi
}

# ---- shared by the swap-under-load scripts (folder-swap-under-load.sh, mlflow-swap-under-load.sh)

# served_version HTTP_PORT MODEL: the model_version of one JSON answer (32 FP32 inputs of 0.5).
served_version() {
  local body
  body=$(python3 -c 'import json; print(json.dumps({"inputs": [{"name": "input", "shape": [1, 32], "datatype": "FP32", "data": [0.5] * 32}]}))')
  curl -s -X POST "http://127.0.0.1:$1/v2/models/$2/infer" -d "$body" \
      | python3 -c 'import json,sys; print(json.load(sys.stdin).get("model_version", ""))'
}

# ensure_large_models DIR: builds examples/make_models.py's large models (heavy_mlp among them)
# into DIR unless heavy_mlp is there already, creating .venv first if it is missing.
ensure_large_models() {
  [[ -f $1/heavy_mlp/1/model.onnx ]] && return 0
  [[ -x .venv/bin/python ]] || bash scripts/python-env.sh
  log "building the large example models into $1"
  .venv/bin/python examples/make_models.py --large "$1"
}

# copy_model MODEL_DIR REPO [nobatch]: copies a model folder into the repository folder REPO;
# with nobatch, without its dynamic_batching (Triton's default scheduler: one request per engine run).
copy_model() {
  mkdir -p "$2"
  cp -r "$1" "$2/"
  if [[ ${3:-} == nobatch ]]; then sed -i '/dynamic_batching/d' "$2/$(basename "$1")/config.pbtxt"; fi
}

# rss_peak PID OUTFILE: samples VmRSS (kB) every 200 ms until killed, keeping the peak in OUTFILE.
rss_peak() {
  local pid=$1 out=$2 peak=0 kb
  while kill -0 "$pid" 2>/dev/null; do
    kb=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    if ((kb > peak)); then peak=$kb; echo "$peak" >"$out"; fi
    sleep 0.2
  done
}

# server_rss: the resident set of SERVER_PID, in KiB.
server_rss() { awk '/^VmRSS/ {print $2}' "/proc/$SERVER_PID/status"; }

# load_both DIR PHASE SECONDS MODEL RATE GRPC_PORT HTTP_PORT: the same open Poisson load over gRPC
# and over HTTP at once, in the background (LOAD_PIDS); DIR/PHASE-{grpc,http}.json and .out.
load_both() {
  local dir=$1 phase=$2 seconds=$3 model=$4 rate=$5 protocol port
  LOAD_PIDS=()
  for protocol in grpc http; do
    port=$6
    if [[ $protocol == http ]]; then port=$7; fi
    java -jar "$LOADTEST_JAR" run --protocol "$protocol" --target "127.0.0.1:$port" \
        --model "$model" --input-shape 1,32 --datatype FP32 --mode open --arrival poisson \
        --rate "$rate" --warmup 1 --duration "$seconds" --drain 30 --require-success \
        --json-out "$dir/$phase-$protocol.json" >"$dir/$phase-$protocol.out" 2>&1 &
    LOAD_PIDS+=($!)
  done
}

# wait_both DIR PHASE: waits for load_both's two generators; fails when either failed.
wait_both() {
  local status=0 i protocols=(grpc http)
  for i in 0 1; do
    if ! wait "${LOAD_PIDS[$i]}"; then
      log "FAILED: $2 load:"; tail -5 "$1/$2-${protocols[$i]}.out" >&2
      status=1
    fi
  done
  LOAD_PIDS=()
  return $status
}

# drain_timeouts METRICS_PORT: sluice_version_drain_timeouts_total summed over its series.
drain_timeouts() {
  curl -s "http://127.0.0.1:$1/metrics" | awk '/^sluice_version_drain_timeouts_total/ {s += $2} END {print s + 0}'
}

# swap_p99s TAG DIR: per protocol, p99 and failures of the steady phase against the swaps phase.
swap_p99s() {
  python3 - "$1" "$2" <<'PY' >&2
import json, sys
tag, w = sys.argv[1], sys.argv[2]
for p in ("grpc", "http"):
    s = json.load(open(f"{w}/steady-{p}.json"))
    m = json.load(open(f"{w}/swaps-{p}.json"))
    def p99(r): return r["latency_us"]["p99"]
    def errs(r): return r["error_count"]
    print(f"[{tag}] {p}: p99 steady {p99(s):.0f} us, during swaps {p99(m):.0f} us"
          f" (ratio {p99(m) / p99(s):.2f}); failed {errs(s)} steady, {errs(m)} during swaps")
PY
}

# ---- shared by canary-rollback.sh and rollout-cost.sh

# start_two_versions DIR: tiny_mlp versions 1 and 2 (the same model twice, both loaded) in
# DIR/repo, served by a Sluice with drift off; sets http, grpc, base (the model's HTTP URL) and
# port (PROTOCOL's port).
start_two_versions() {
  local dir=$1
  mkdir -p "$dir/repo/tiny_mlp/1" "$dir/repo/tiny_mlp/2"
  cp examples/model_repository/tiny_mlp/1/model.onnx "$dir/repo/tiny_mlp/1/"
  cp examples/model_repository/tiny_mlp/1/model.onnx "$dir/repo/tiny_mlp/2/"
  # Both versions loaded (Triton's default policy would serve only the latest); autofill does the rest.
  printf 'name: "tiny_mlp"\nplatform: "onnxruntime_onnx"\nversion_policy: { all { } }\n' \
      >"$dir/repo/tiny_mlp/config.pbtxt"
  start_server "$dir/ports.json" "$dir/server.log" "" --model-repository "$dir/repo" \
      --drift-enabled false
  http=$(json_get "$dir/ports.json" http)
  grpc=$(json_get "$dir/ports.json" grpc)
  port=$([[ $PROTOCOL == grpc ]] && echo "$grpc" || echo "$http")
  base="http://127.0.0.1:$http/v2/models/tiny_mlp"
}
