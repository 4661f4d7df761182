#!/usr/bin/env bash
# The drift monitor's cost as CPU time per request, by thread: the server's threads' utime+stime
# (/proc/<pid>/task/*/stat) over a fixed-time window of closed-loop gRPC load, divided by the
# requests the server answered in it, with the monitor and JSON-lines prediction log off and on.
# Unlike capacity (loadtest/drift-overhead.sh) this does not depend on how busy the machine is,
# so it can be run on a shared box. Prints, per model, "CPU µs per request: off X, on Y (monitor
# thread A, log thread B, request path C, …)", the capacity it costs on a saturated core
# (1 − off/on, JIT threads left out: they are warm-up), and a table by thread group
# (thread_cpu.py).
#
# Closed loop (the default) runs off and on at whatever rate each reaches, and the request path's
# CPU per request falls as load rises (Netty and gRPC batch more per wake-up), so the two are not
# quite comparable; RATE=N offers both the same open-loop Poisson load of N requests/s instead
# (pick N below what the "on" server sustains; check the rates in the table).
#
# usage: ROUNDS=1 WARMUP=5 DURATION=10 CONCURRENCY=8 bash loadtest/drift-cpu.sh
#        RATE=4000 …                           (open loop at a fixed offered rate)
#        NICE=19 bash loadtest/drift-cpu.sh    (under nice, on a box others use)
#        LOG=0 …                               (the monitor alone)
#        MODELS=iris_classifier …              (only these models; default tiny_mlp iris_classifier)
#        MAX_RATE=1000 …                       (--drift-max-rate; default 0 here: every
#                                              request, since this measures the cost per record)
#        PIN=1 DRIVER_PIN=0 (defaults: the server on CPU 1, the driver on CPU 0; empty: unpinned)
#        JFR=DIR                               (also a JFR recording of each server in DIR)
set -euo pipefail
cd "$(dirname "$0")/.."
source loadtest/lib.sh
ROUNDS=${ROUNDS:-1}
WARMUP=${WARMUP:-5}
DURATION=${DURATION:-10}
CONCURRENCY=${CONCURRENCY:-8}
RATE=${RATE:-}
PIN=${PIN-1}
DRIVER_PIN=${DRIVER_PIN-0}
if [[ -n ${NICE:-} ]]; then NICE_CMD=(nice -n "$NICE"); fi
ensure_jars
work=$(mktemp -d)
trap 'stop_server; rm -rf "$work"' EXIT
rows="$work/rows.tsv"
driver=("${NICE_CMD[@]}")
if [[ -n $DRIVER_PIN ]]; then driver+=(taskset -c "$DRIVER_PIN"); fi
saved_opts=${SERVER_JAVA_OPTS:-}

load() { # load MODEL SECONDS [open]: closed loop, or open loop at RATE when asked and RATE is set
  local args
  if [[ $1 == tiny_mlp ]]; then args=(--input-shape 1,32); else args=(--input-name float_input --input-shape 1,4); fi
  if [[ -n $RATE && ${3:-} == open ]]; then
    args+=(--mode open --arrival poisson --rate "$RATE" --concurrency-limit 20000)
  else
    args+=(--mode closed --concurrency "$CONCURRENCY")
  fi
  "${driver[@]}" java -jar "$LOADTEST_JAR" run --protocol grpc --target "127.0.0.1:$grpc" --model "$1" \
    "${args[@]}" --datatype FP32 --warmup 0 \
    --duration "$2" --require-success --json-out "$work/run.json" >/dev/null
}

for round in $(seq 1 "$ROUNDS"); do
  for monitor in false true; do
    label=$([[ $monitor == true ]] && echo on || echo off)
    extra=()
    [[ $monitor == true && ${LOG:-1} == 1 ]] && extra=(--prediction-log-dir "$work/predictions")
    SERVER_JAVA_OPTS=$saved_opts
    if [[ -n ${JFR:-} ]]; then
      mkdir -p "$JFR"
      SERVER_JAVA_OPTS="$saved_opts -XX:StartFlightRecording=filename=$JFR/$label-$round.jfr,settings=profile,dumponexit=true"
    fi
    start_server "$work/ports.json" "$work/server.log" "$PIN" --model-repository examples/model_repository \
      --drift-enabled "$monitor" --drift-max-rate "${MAX_RATE:-0}" "${extra[@]}"
    grpc=$(json_get "$work/ports.json" grpc)
    metrics=$(json_get "$work/ports.json" metrics)
    for model in ${MODELS:-tiny_mlp iris_classifier}; do
      # The warm-up also gives tiny_mlp (no profile) its live reference and each model a window.
      # It is closed loop even with RATE: a cold JVM stalls for a moment, which an open loop
      # would fill with more requests than it keeps in flight.
      load "$model" "$WARMUP"
      python3 loadtest/thread_cpu.py snapshot "$SERVER_PID" "$metrics" "$model" >"$work/before.json"
      load "$model" "$DURATION" open
      python3 loadtest/thread_cpu.py snapshot "$SERVER_PID" "$metrics" "$model" >"$work/after.json"
      python3 loadtest/thread_cpu.py diff "$work/before.json" "$work/after.json" "$label" "$model" >>"$rows"
    done
    stop_server
  done
done
SERVER_JAVA_OPTS=$saved_opts
python3 loadtest/thread_cpu.py report "$rows"
