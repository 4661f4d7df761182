#!/usr/bin/env bash
# Runs Sluice's JMH benchmarks and prints a short table of the results.
#
#   bash bench/run.sh [quick|full] [JMH args...]
#
#   quick   one short pass for a sanity check (~3 minutes): 2 x 0.5 s warm-up, 3 x 1 s
#           measurement, engine baseline at batch 1, 8 and 64 only
#   full    the base configuration of io.sluice.bench.SluiceBenchmark (the default):
#           5 x 2 s warm-up, 5 x 2 s measurement, every parameter (~15 minutes)
#
# JMH args come last and win, e.g. a regex to pick benchmarks, `-p model=tiny_mlp`,
# `-p batch=1,64`, `-bm sample` for percentiles, `-f 3` for release numbers.
#
# What it does:
#   1. builds the large models (heavy_mlp, resnet18) into build/models with .venv if they are
#      missing; without .venv it says so and runs the engine baseline on the models present;
#   2. builds bench/target/benchmarks.jar when it is missing or older than the sources
#      (SLUICE_BENCH_BUILD=always|never overrides);
#   3. runs it pinned to one CPU with `taskset -c 1` (SLUICE_BENCH_CPUS overrides). Why: the
#      performance report compares the served model with B0, the in-process engine, as ratios,
#      and the ratio only means something when both had the same CPU set. The side-by-side runs
#      give the server CPU 1 and the load generator CPU 0 (PERFORMANCE.md §5.4), so B0, the
#      batcher and the codecs get CPU 1 too. Every thread of the forked JVM (JIT, GC, the
#      scheduler's instance thread) then shares one core, as the pinned server's do;
#   4. writes bench/target/jmh-result.json (JMH JSON) and bench/target/jmh-output.txt, and
#      prints the table (io.sluice.bench.ResultTable).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

log() { echo "[bench] $*" >&2; }
die() { echo "[bench] ERROR: $*" >&2; exit 1; }

MODE=full
case "${1:-}" in
  quick|full) MODE="$1"; shift ;;
esac

JAR="bench/target/benchmarks.jar"
RESULT="bench/target/jmh-result.json"
OUTPUT="bench/target/jmh-output.txt"
EXAMPLES_DIR="$ROOT/examples/model_repository"
MODELS_DIR="$ROOT/build/models"
LARGE_MODELS=(heavy_mlp resnet18)

has_arg() {  # has_arg PREFIX ARGS...: whether any ARG starts with PREFIX
  local prefix="$1"; shift
  local a
  for a in "$@"; do
    [[ "$a" == "$prefix"* ]] && return 0
  done
  return 1
}

# ---------------------------------------------------------------- 1. large models
missing_models() {
  local m
  for m in "${LARGE_MODELS[@]}"; do
    [ -f "$MODELS_DIR/$m/1/model.onnx" ] || echo "$m"
  done
}
if [ -n "$(missing_models)" ]; then
  if [ -x .venv/bin/python ]; then
    log "building the large models into build/models (examples/make_models.py --large)"
    .venv/bin/python examples/make_models.py --large "$MODELS_DIR" >&2 \
      || log "WARNING: make_models.py failed; the engine baseline runs on the models present"
  else
    log "WARNING: no .venv, so the large models cannot be built; run 'bash scripts/python-env.sh'" \
      "and then this script again. The engine baseline runs on the models present."
  fi
fi
MODEL_ARGS=()
MISSING="$(missing_models | tr '\n' ' ')"
if [ -n "$MISSING" ] && ! has_arg "model=" "$@"; then
  present="tiny_mlp"
  for m in "${LARGE_MODELS[@]}"; do
    [ -f "$MODELS_DIR/$m/1/model.onnx" ] && present="$present,$m"
  done
  log "WARNING: skipping the engine baseline for: ${MISSING}(not in build/models)"
  MODEL_ARGS=(-p "model=$present")
fi

# ---------------------------------------------------------------- 2. the benchmark jar
BUILD="${SLUICE_BENCH_BUILD:-auto}"
stale() {
  [ -f "$JAR" ] || return 0
  [ -n "$(find bench/pom.xml bench/src proto/src/main runtime/src/main runtime-onnx/src/main gateway/src/main pom.xml \
          -newer "$JAR" -type f -print -quit 2>/dev/null)" ]
}
case "$BUILD" in
  always) rebuild=1 ;;
  never) rebuild=0; [ -f "$JAR" ] || die "$JAR is missing and SLUICE_BENCH_BUILD=never" ;;
  auto) if stale; then rebuild=1; else rebuild=0; fi ;;
  *) die "SLUICE_BENCH_BUILD: '$BUILD' (expected: auto, always or never)" ;;
esac
if [ "$rebuild" = 1 ]; then
  log "building $JAR (mvn -q -B -DskipTests -pl bench -am package)"
  mvn -q -B -DskipTests -pl bench -am package >&2
fi

# ---------------------------------------------------------------- 3. run, pinned
CPUS="${SLUICE_BENCH_CPUS:-1}"
PIN=()
if [ "$CPUS" = "none" ]; then
  log "WARNING: not pinned (SLUICE_BENCH_CPUS=none); scores are not comparable to pinned runs"
elif ! command -v taskset >/dev/null 2>&1; then
  log "WARNING: taskset not found; running unpinned, scores are not comparable to pinned runs"
elif ! taskset -c "$CPUS" true 2>/dev/null; then
  log "WARNING: cannot pin to CPU(s) $CPUS on this machine ($(nproc) CPUs); running unpinned"
else
  PIN=(taskset -c "$CPUS")
fi

MODE_ARGS=()
if [ "$MODE" = quick ]; then
  MODE_ARGS=(-f 1 -wi 2 -w 500ms -i 3 -r 1s)
  has_arg "batch=" "$@" || MODE_ARGS+=(-p "batch=1,8,64")
fi

read -r load1 _ < /proc/loadavg || load1="?"
log "mode $MODE, CPUs ${CPUS}, load average ${load1} on $(nproc) CPUs before the run"
if awk -v l="$load1" 'BEGIN { exit !(l + 0 >= 1.0) }' 2>/dev/null; then
  log "WARNING: the machine is busy (load ${load1}); other work shares the CPUs, so scores will" \
    "be slower and noisier than on an idle machine"
fi

export SLUICE_BENCH_MODEL_DIRS="$EXAMPLES_DIR:$MODELS_DIR"
CMD=("${PIN[@]}" java "-Dsluice.bench.modelDirs=$SLUICE_BENCH_MODEL_DIRS" -jar "$JAR"
  "${MODE_ARGS[@]}" "${MODEL_ARGS[@]}" -rf json -rff "$RESULT" "$@")
log "running: ${CMD[*]}"
mkdir -p bench/target
rm -f "$RESULT"
"${CMD[@]}" 2>&1 | tee "$OUTPUT"
status="${PIPESTATUS[0]}"

# ---------------------------------------------------------------- 4. the table
if [ -s "$RESULT" ]; then
  java -cp "$JAR" io.sluice.bench.ResultTable "$RESULT"
  echo
  log "results: $RESULT (JMH JSON), log: $OUTPUT"
else
  log "no results were written to $RESULT (see $OUTPUT)"
fi
if grep -q "Unable to acquire the JMH lock" "$OUTPUT"; then
  log "another JMH run holds /tmp/jmh.lock on this machine: wait for it to finish and run again" \
    "(two runs at once would share the CPUs and spoil both)"
fi
if grep -q "<failure>" "$OUTPUT"; then
  log "WARNING: some parameter sets failed; search $OUTPUT for '<failure>'"
fi
exit "$status"
