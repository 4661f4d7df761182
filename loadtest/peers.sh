#!/usr/bin/env bash
# Sluice vs the Python model servers a user would otherwise pick, measured interleaved in one run
# with the same clients. Not a CI step (≈ 20 min; QUICK=1 ≈ 8 min): run it on a quiet machine.
#
#   bash loadtest/peers.sh                    # -> reports/peers.md, loadtest/target/report/peers/*.json
#   QUICK=1 bash loadtest/peers.sh            # few-second windows: checks the pipeline, rough numbers
#   bash loadtest/report.sh --peers           # the performance report, then this
#
# The peers, each installed from PyPI into its own venv under .venv-peers/ (their pins conflict:
# PyTriton wants numpy < 2, MLServer and KServe pin different FastAPI releases), each running the
# same ONNX files with onnxruntime at Sluice's engine version and thread settings (1 intra-op,
# 1 inter-op, no spinning) through a small adapter in loadtest/peers/:
#   mlserver   MLServer 1.7 with a custom runtime (it has no ONNX runtime), adaptive batching
#   kserve     KServe's Python model server 0.21, a kserve.Model subclass (no batcher)
#   pytriton   PyTriton 0.7: Triton core, the ONNX session in its Python backend, Triton's batcher
# A peer that cannot be installed or does not start is skipped, and the report says why.
#
# Workloads, closed loop, each server pinned to SERVER_CPUS (children included), the clients to
# CLIENT_CPUS: tiny_mlp over gRPC and HTTP at c=16 (no batching anywhere), heavy_mlp over gRPC at
# c=32 with each server's batcher where it has one. Clients: the project's driver
# (sluice-loadtest `run --mode closed`) and Triton's perf_analyzer where the server lets it run.
# Order: for each round, for each peer: Sluice, then the peer (a fresh server each time), so
# every peer's ratio has its own Sluice run next to it; ROUNDS rounds give the spread.
#
# Environment: PEERS (default "mlserver kserve pytriton"), ROUNDS (2), WINDOW (measured s, 10;
# QUICK 3), WARMUP (s, 5; QUICK 2), SERVER_CPUS (1), CLIENT_CPUS (0), MODELS_DIR (build/models),
# MLSERVER_PARALLEL_WORKERS (MLServer's default when unset), PEER_BATCH_TIME_S (MLServer's
# max_batch_time for heavy_mlp, 0.001), PEERS_PYTHON (python3), NICE (as in report.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source loadtest/lib.sh

QUICK=${QUICK:-0}
PEERS=${PEERS:-"mlserver kserve pytriton"}
ROUNDS=${ROUNDS:-2}
SERVER_CPUS=${SERVER_CPUS:-1}
CLIENT_CPUS=${CLIENT_CPUS:-0}
MODELS_DIR=${MODELS_DIR:-build/models}
if ((QUICK)); then WINDOW=${WINDOW:-3} WARMUP=${WARMUP:-2}; else WINDOW=${WINDOW:-10} WARMUP=${WARMUP:-5}; fi
PEER_BATCH_TIME_S=${PEER_BATCH_TIME_S:-0.001}
PEERS_PYTHON=${PEERS_PYTHON:-python3}
PA=.tools/perf_analyzer/perf_analyzer
DATA=loadtest/target/report/peers
VENVS=.venv-peers
SERVER_JAVA_OPTS=${SERVER_JAVA_OPTS:-"-XX:+UseG1GC -Xms1g -Xmx1g"}
CLIENT_JAVA_OPTS=${CLIENT_JAVA_OPTS:-"-Xms512m -Xmx512m"}
export SERVER_JAVA_OPTS
if [[ -n ${NICE:-} ]]; then NICE_CMD=(nice -n "$NICE"); fi
# The engine version Sluice runs (the parent pom), so every peer runs the same onnxruntime.
ORT_VERSION=$(sed -n 's:.*<onnxruntime.version>\(.*\)</onnxruntime.version>.*:\1:p' pom.xml | head -1)
declare -A SPEC=(
  # uvloop 0.22 and later raise in asyncio.get_event_loop() without a running loop, which
  # MLServer 1.7.1's parallel inference worker calls at start (it pins no upper bound).
  [mlserver]="mlserver==1.7.1 uvloop==0.21.0 onnxruntime==$ORT_VERSION"
  [kserve]="kserve==0.21.0 onnxruntime==$ORT_VERSION"
  [pytriton]="nvidia-pytriton==0.7.0 onnxruntime==$ORT_VERSION"
)
# name model protocol concurrency input-shape
WORKLOADS=("tiny_grpc tiny_mlp grpc 16 1,32" "tiny_http tiny_mlp http 16 1,32" "heavy_grpc heavy_mlp grpc 32 1,256")

started_epoch=$(date +%s)
mkdir -p "$DATA" reports
rm -rf "${DATA:?}"/*
: >"$DATA/windows.jsonl"
: >"$DATA/skipped.jsonl"
PEER_PGID=""
cleanup() {
  stop_server
  stop_peer
}
trap cleanup EXIT

# ---------------------------------------------------------------------------------- build
ensure_jars
ensure_large_models "$MODELS_DIR"
if [[ ! -x $PA ]]; then
  bash scripts/python-env.sh >/dev/null 2>&1 || log "perf_analyzer could not be installed: driver only"
fi
mkdir -p "$DATA/jars"
cp "$GATEWAY_JAR" "$LOADTEST_JAR" "$DATA/jars/"
GATEWAY_JAR=$DATA/jars/$(basename "$GATEWAY_JAR")
LOADTEST_JAR=$DATA/jars/$(basename "$LOADTEST_JAR")

# skip PEER REASON: the peer takes no further part; the report prints the reason.
skip() {
  log "skipping $1: $2"
  python3 -c 'import json,sys; print(json.dumps({"peer": sys.argv[1], "reason": sys.argv[2]}))' "$1" "$2" \
    >>"$DATA/skipped.jsonl"
  PEERS=$(tr ' ' '\n' <<<"$PEERS" | grep -vx "$1" | tr '\n' ' ' || true)
}

# ---------------------------------------------------------------------------------- venvs
# One venv per peer; reinstalled only when its pins change (.venv-peers/NAME/.spec).
install_peer() {
  local peer=$1 venv=$VENVS/$1 logf=$DATA/install-$1.log
  if [[ -f $venv/.spec && $(cat "$venv/.spec") == "${SPEC[$peer]}" ]]; then return 0; fi
  log "installing $peer (${SPEC[$peer]}) into $venv"
  rm -rf "$venv"
  # shellcheck disable=SC2086
  if "$PEERS_PYTHON" -m venv "$venv" >"$logf" 2>&1 && "$venv/bin/pip" install -q --upgrade pip >>"$logf" 2>&1 \
      && "$venv/bin/pip" install -q ${SPEC[$peer]} >>"$logf" 2>&1; then
    echo "${SPEC[$peer]}" >"$venv/.spec"
    return 0
  fi
  skip "$peer" "pip install ${SPEC[$peer]} failed with $("$PEERS_PYTHON" --version 2>&1): $(grep -E 'ERROR|error:' "$logf" | head -3 | tr '\n' ' ')"
  return 1
}
for peer in $PEERS; do install_peer "$peer" || true; done

# ---------------------------------------------------------------------------------- model folders
# Sluice: tiny_mlp with max_batch_size 64 and no dynamic_batching (report.sh's "off"), heavy_mlp
# with its config's dynamic_batching { }. The peers get the same two .onnx files.
REPO=$DATA/repo
mkdir -p "$REPO/sluice/tiny_mlp/1" "$REPO/sluice/heavy_mlp/1" "$REPO/onnx/tiny_mlp/1" "$REPO/onnx/heavy_mlp/1"
{
  printf 'name: "tiny_mlp"\nplatform: "onnxruntime_onnx"\nmax_batch_size: 64\n'
  printf 'input [ { name: "input" data_type: TYPE_FP32 dims: [ 32 ] } ]\n'
  printf 'output [ { name: "output" data_type: TYPE_FP32 dims: [ 1 ] } ]\n'
  printf 'instance_group [ { count: 1 kind: KIND_CPU } ]\n'
} >"$REPO/sluice/tiny_mlp/config.pbtxt"
cp "$MODELS_DIR/heavy_mlp/config.pbtxt" "$REPO/sluice/heavy_mlp/config.pbtxt"
for m in tiny_mlp heavy_mlp; do
  src=examples/model_repository/tiny_mlp/1/model.onnx
  [[ $m == heavy_mlp ]] && src=$MODELS_DIR/heavy_mlp/1/model.onnx
  # Hard links (or copies): Sluice refuses a model file reached through a symbolic link that
  # leaves the model's folder.
  for d in sluice onnx; do ln -f "$src" "$REPO/$d/$m/1/model.onnx" 2>/dev/null || cp "$src" "$REPO/$d/$m/1/model.onnx"; done
done

# ---------------------------------------------------------------------------------- peers
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_peer PEER LOG: starts it pinned, in its own process group (PEER_PGID), sets HTTP_PORT and
# GRPC_PORT, and waits (at most 180 s) until both models are ready.
start_peer() {
  local peer=$1 logf=$2 py=$VENVS/$1/bin/python adapters
  adapters=$(realpath loadtest/peers)
  HTTP_PORT=$(free_port) GRPC_PORT=$(free_port)
  local metrics_port
  metrics_port=$(free_port)
  local cmd=() env=(PYTHONPATH="$adapters")
  case $peer in
    mlserver)
      local dir=$DATA/mlserver m
      mkdir -p "$dir"
      python3 - "$dir" "$HTTP_PORT" "$GRPC_PORT" "$metrics_port" "${MLSERVER_PARALLEL_WORKERS:-}" <<'PY'
import json, sys
d, http, grpc, metrics, workers = sys.argv[1:]
s = {"host": "127.0.0.1", "http_port": int(http), "grpc_port": int(grpc), "metrics_port": int(metrics)}
if workers:
    s["parallel_workers"] = int(workers)
json.dump(s, open(f"{d}/settings.json", "w"), indent=1)
PY
      for m in tiny_mlp heavy_mlp; do
        mkdir -p "$dir/$m"
        ln -f "$REPO/onnx/$m/1/model.onnx" "$dir/$m/model.onnx"
        python3 - "$dir/$m" "$m" "$PEER_BATCH_TIME_S" <<'PY'
import json, sys
d, m, t = sys.argv[1], sys.argv[2], float(sys.argv[3])
s = {"name": m, "implementation": "mlserver_onnx.OnnxRuntimeModel", "parameters": {"uri": "./model.onnx"}}
if m == "heavy_mlp":  # MLServer's adaptive batching; it waits up to max_batch_time for a full batch
    s.update(max_batch_size=64, max_batch_time=t)
json.dump(s, open(f"{d}/model-settings.json", "w"), indent=1)
PY
      done
      cmd=("$VENVS/mlserver/bin/mlserver" start "$dir")
      ;;
    kserve)
      cmd=("$py" "$adapters/kserve_onnx.py" --model_dir "$REPO/onnx" --http_port "$HTTP_PORT" --grpc_port "$GRPC_PORT")
      ;;
    pytriton)
      # The wheel's Python-backend stub links libpython3.11.so.1.0 and would find Debian's
      # (3.11.2) before this interpreter's own; point it at the interpreter's library.
      local libdir
      libdir=$("$py" -c 'import sysconfig; print(sysconfig.get_config_var("LIBDIR"))')
      env+=(LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" PYTRITON_ACCESS_TOKEN="$ACCESS_TOKEN")
      cmd=("$py" "$adapters/pytriton_onnx.py" --model_dir "$REPO/onnx" --http_port "$HTTP_PORT"
        --grpc_port "$GRPC_PORT" --metrics_port "$metrics_port" --batching heavy_mlp)
      ;;
  esac
  # setsid: the peer's workers, tritonserver and stubs share its process group, stopped together.
  env "${env[@]}" setsid "${NICE_CMD[@]}" taskset -c "$SERVER_CPUS" "${cmd[@]}" >"$logf" 2>&1 </dev/null &
  PEER_PGID=$!
  local i
  for ((i = 0; i < 360; i++)); do
    if curl -sf -o /dev/null "http://127.0.0.1:$HTTP_PORT/v2/models/tiny_mlp/ready" \
        && curl -sf -o /dev/null "http://127.0.0.1:$HTTP_PORT/v2/models/heavy_mlp/ready"; then
      return 0
    fi
    if ! kill -0 "$PEER_PGID" 2>/dev/null; then
      log "$peer exited before serving; last lines of $logf:"
      tail -20 "$logf" >&2
      return 1
    fi
    sleep 0.5
  done
  log "$peer not ready within 180 s"
  return 1
}

stop_peer() {
  if [[ -n $PEER_PGID ]]; then
    kill -TERM -- "-$PEER_PGID" 2>/dev/null || true
    local i
    for ((i = 0; i < 60; i++)); do
      kill -0 -- "-$PEER_PGID" 2>/dev/null || break
      sleep 0.25
    done
    kill -KILL -- "-$PEER_PGID" 2>/dev/null || true
    wait "$PEER_PGID" 2>/dev/null || true
  fi
  PEER_PGID=""
}

# ---------------------------------------------------------------------------------- clients
# PyTriton guards Triton's statistics extension (which perf_analyzer reads) with a token: this
# run's token, sent by perf_analyzer to every server (the others ignore the header).
ACCESS_TOKEN=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
# record KIND FILE ROUND SERVER WORKLOAD...: one line of windows.jsonl (loadtest/peers/record.py).
record() { python3 loadtest/peers/record.py "$@" --loadavg "$(cut -d' ' -f1 /proc/loadavg)" >>"$DATA/windows.jsonl"; }

# measure ROUND SERVER: every workload with the driver, then with perf_analyzer.
measure() {
  local round=$1 server=$2 w name model protocol conc shape port base
  for w in "${WORKLOADS[@]}"; do
    read -r name model protocol conc shape <<<"$w"
    port=$GRPC_PORT
    [[ $protocol == http ]] && port=$HTTP_PORT
    base=$DATA/r${round}_${server}_${name}
    # shellcheck disable=SC2086
    "${NICE_CMD[@]}" taskset -c "$CLIENT_CPUS" java $CLIENT_JAVA_OPTS -jar "$LOADTEST_JAR" run \
      --mode closed --concurrency "$conc" --protocol "$protocol" --target "127.0.0.1:$port" \
      --model "$model" --input-shape "$shape" --datatype FP32 --warmup "$WARMUP" --duration "$WINDOW" \
      --drain 5 --json-out "$base.driver.json" >"$base.driver.log" 2>&1 || log "$server $name: driver exited $?"
    record driver "$base.driver.json" "$round" "$server" "$name" "$model" "$protocol" "$conc" "$base.driver.log"
    log "$(tail -1 "$DATA/windows.jsonl" | python3 loadtest/peers/record.py --brief)"
    if [[ -x $PA ]]; then
      # Three windows of a third of WINDOW each (stability check off: the shared box is noisy);
      # perf_analyzer's own warm-up is the first window it discards.
      local pa_ms=$((WINDOW * 1000 / 3)) token_header=triton-access-token
      [[ $protocol == grpc ]] && token_header=triton-grpc-protocol-triton-access-token
      # A time limit: perf_analyzer over HTTP at c=16 has twice kept measuring for minutes.
      "${NICE_CMD[@]}" taskset -c "$CLIENT_CPUS" /usr/bin/time -f '%e %U %S' -o "$base.pa.time" \
        timeout $((WINDOW * 6 + 60)) "$PA" -m "$model" -u "127.0.0.1:$port" -i "$protocol" --concurrency-range "$conc" \
        --measurement-mode time_windows --measurement-interval "$pa_ms" --stability-percentage 1000 \
        --max-trials 3 -H "$token_header:$ACCESS_TOKEN" -f "$base.pa.csv" >"$base.pa.log" 2>&1 || true
      record perf_analyzer "$base.pa.csv" "$round" "$server" "$name" "$model" "$protocol" "$conc" "$base.pa.log" \
        --time "$base.pa.time"
      log "$(tail -1 "$DATA/windows.jsonl" | python3 loadtest/peers/record.py --brief)"
    fi
  done
}

run_sluice() {
  local round=$1 before=$2
  log "== round $round: sluice (before $before)"
  start_server "$DATA/ports.json" "$DATA/r${round}_sluice_before_$before.server.log" "$SERVER_CPUS" \
    --model-repository "$REPO/sluice" --event-loop-threads 1 \
    --onnx-intra-op-threads 1 --onnx-inter-op-threads 1 --onnx-spinning false || return 1
  HTTP_PORT=$(json_get "$DATA/ports.json" http)
  GRPC_PORT=$(json_get "$DATA/ports.json" grpc)
  measure "$round" "sluice@$before"
  stop_server
}

run_peer() {
  local round=$1 peer=$2 logf=$DATA/r${1}_${2}.server.log try
  log "== round $round: $peer"
  # Two tries: on a busy box a peer's own start-up timeouts can fire (PyTriton's client gives
  # tritonserver a fixed time to load each model); the first try's log is kept.
  for try in 1 2; do
    if start_peer "$peer" "$logf"; then
      measure "$round" "$peer"
      stop_peer
      return 0
    fi
    stop_peer
    mv "$logf" "$logf.try$try"
  done
  skip "$peer" "did not start (2 tries): $( (grep -E 'Error|ERROR|error:' "$logf.try2" || tail -3 "$logf.try2") | tail -1 | cut -c1-400)"
}

log "peers: $PEERS; $ROUNDS round(s), ${WARMUP} s warm-up + ${WINDOW} s per window; server CPU $SERVER_CPUS, client CPU $CLIENT_CPUS"
for ((round = 1; round <= ROUNDS; round++)); do
  for peer in $PEERS; do
    run_sluice "$round" "$peer" || log "sluice did not start (round $round)"
    run_peer "$round" "$peer"
  done
done

ended_epoch=$(date +%s)
python3 - "$DATA/meta.json" <<PY
import json, os, subprocess, sys
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "unknown")
def version(venv, dist):
    try:
        return subprocess.run([f"$VENVS/{venv}/bin/python", "-c",
            f"import importlib.metadata as m; print(m.version('{dist}'))"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return ""
json.dump({
  "command": ("QUICK=1 " if $QUICK else "") + "bash loadtest/peers.sh",
  "started": "$(date -u -d "@$started_epoch" +"%Y-%m-%d %H:%M UTC")",
  "wall_minutes": round(($ended_epoch - $started_epoch) / 60, 1),
  "cpus": os.cpu_count(), "cpu_model": cpu, "server_cpus": "$SERVER_CPUS", "client_cpus": "$CLIENT_CPUS",
  "rounds": $ROUNDS, "window_s": $WINDOW, "warmup_s": $WARMUP, "onnxruntime": "$ORT_VERSION",
  "git_rev": subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip(),
  "versions": {p: version(p, d) for p, d in (("mlserver", "mlserver"), ("kserve", "kserve"), ("pytriton", "nvidia-pytriton"))},
  "mlserver_parallel_workers": "${MLSERVER_PARALLEL_WORKERS:-default}", "peer_batch_time_s": $PEER_BATCH_TIME_S,
}, open(sys.argv[1], "w"), indent=1)
PY
python3 loadtest/peers/render.py --data "$DATA" --out reports/peers.md
log "wrote reports/peers.md and $DATA/peers.json in $(((ended_epoch - started_epoch) / 60)) min $(((ended_epoch - started_epoch) % 60)) s"
