#!/usr/bin/env bash
# Version folders swapped under load, with the load generator: Sluice serves a copy of the
# committed tiny_mlp in poll mode (--model-control-mode poll --repository-poll-interval 1). The
# generator drives it open-loop over gRPC and HTTP (RATE req/s each) twice: once steady, once
# while a version folder is added and removed SWAPS times (version 1 copied in as version 2,
# renamed into place so the poller never sees half a copy; each step waits until the answers
# come from the version it expects). Fails on any failed request or drain timeout; prints both
# p99s and their ratio, and the server's RSS (VmRSS) before the swaps, after every RSS_EVERY
# swaps, and after, so a growth trend shows.
#
# usage: bash loadtest/folder-swap-under-load.sh            (RATE=150 SWAPS=20)
#        SWAPS=100 RSS_EVERY=10 bash loadtest/folder-swap-under-load.sh   (the memory trend)
#        SHORT=1 bash loadtest/folder-swap-under-load.sh    (CI: 3 swaps, short runs, < 60 s)
# A fixed, pre-touched heap keeps heap growth out of the RSS series, so what grows is native:
#        SERVER_JAVA_OPTS="-Xms384m -Xmx384m -XX:+AlwaysPreTouch" SWAPS=100 bash loadtest/folder-swap-under-load.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source loadtest/lib.sh

if [[ -n ${SHORT:-} ]]; then
  RATE=${RATE:-100} SWAPS=${SWAPS:-3} WARMUP_S=${WARMUP_S:-4} STEADY_S=${STEADY_S:-8}
else
  RATE=${RATE:-150} SWAPS=${SWAPS:-20} WARMUP_S=${WARMUP_S:-15} STEADY_S=${STEADY_S:-15}
fi
RSS_EVERY=${RSS_EVERY:-10}
ensure_jars
work=$(mktemp -d)
LOAD_PIDS=()
trap 'for p in "${LOAD_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; stop_server; rm -rf "$work"' EXIT

mkdir -p "$work/repo" "$work/staging"
cp -r examples/model_repository/tiny_mlp "$work/repo/"
model="$work/repo/tiny_mlp"
start_server "$work/ports.json" "$work/server.log" "" --model-repository "$work/repo" \
    --model-control-mode poll --repository-poll-interval 1
http=$(json_get "$work/ports.json" http)
grpc=$(json_get "$work/ports.json" grpc)
metrics=$(json_get "$work/ports.json" metrics)
served() { served_version "$http" tiny_mlp; }
# await_version V: until the answers come from V, at most 60 s.
await_version() {
  local i
  for ((i = 0; i < 1200; i++)); do
    if [[ $(served) == "$1" ]]; then return 0; fi
    sleep 0.05
  done
  log "FAILED: version $1 not served within 60 s"
  return 1
}
run_load() { load_both "$work" "$1" "$2" tiny_mlp "$RATE" "$grpc" "$http"; }
wait_load() { wait_both "$work" "$1"; }

# A cold JVM's first seconds are JIT and class loading: warm up before the steady baseline.
log "warm-up: $RATE req/s over gRPC and over HTTP for $WARMUP_S s"
run_load warmup "$WARMUP_S"
wait_load warmup || log "warm-up had errors (a cold JVM on a busy machine); not counted"
log "steady: $RATE req/s over gRPC and over HTTP for $STEADY_S s"
run_load steady "$STEADY_S"
wait_load steady
rss_trend=("$(server_rss)")
log "swaps: version 2 added and removed $SWAPS times under the same load"
# About 3 s a swap at a 1 s poll interval (two polls and two loads); the load outlasts them.
run_load swaps $((SWAPS * 4 + 6))
sleep 2
t_start=$(date +%s.%N)
for ((i = 1; i <= SWAPS; i++)); do
  rm -rf "$work/staging/2"
  cp -r "$model/1" "$work/staging/2"
  mv "$work/staging/2" "$model/2"
  await_version 2
  rm -rf "$model/2"
  await_version 1
  if ((i % RSS_EVERY == 0)); then rss_trend+=("$(server_rss)"); fi
done
t_swaps=$(python3 -c "import time; print(round(time.time() - $t_start, 1))")
log "$SWAPS swaps in $t_swaps s"
status=0
wait_load swaps || status=1
rss_after=$(server_rss)
timeouts=$(drain_timeouts "$metrics")
swap_p99s folder-swap "$work"
python3 - "$SWAPS" "$RSS_EVERY" "$rss_after" "${rss_trend[@]}" <<'PY' >&2
import sys
swaps, every, after, trend = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), [int(v) for v in sys.argv[4:]]
marks = ["before"] + [f"after {every * (i + 1)}" for i in range(len(trend) - 1)]
print("[folder-swap] RSS KiB: " + ", ".join(f"{m} {v}" for m, v in zip(marks, trend))
      + f", after all {swaps}: {after}")
PY
if [[ $timeouts != 0 ]]; then log "FAILED: $timeouts drain timeouts"; status=1; fi
if ((status == 0)); then log "folder swap under load: 1 passed, 0 failed"; else tail -20 "$work/server.log" >&2; fi
exit $status
