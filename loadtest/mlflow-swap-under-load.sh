#!/usr/bin/env bash
# Alias moves under load, with the load generator: a real MLflow server (scripts/mlflow-server.sh)
# holds two versions of 'fraud' (the tiny MLP, other weights); Sluice follows its champion alias
# (--mlflow-poll-seconds 1). The generator drives it open-loop over gRPC and HTTP (RATE req/s
# each) twice: once steady, once while the alias moves SWAPS times (each move waits until the
# new version answers). Fails on any failed request or drain timeout; prints both p99s, their
# ratio, and the server's RSS before and after the moves.
#
# usage: bash loadtest/mlflow-swap-under-load.sh     (RATE=150 SWAPS=20 by default)
#        SHORT=1 bash loadtest/mlflow-swap-under-load.sh   (3 moves, short runs)
set -euo pipefail
cd "$(dirname "$0")/.."
source loadtest/lib.sh

if [[ -n ${SHORT:-} ]]; then
  RATE=${RATE:-100} SWAPS=${SWAPS:-3} WARMUP_S=${WARMUP_S:-4} STEADY_S=${STEADY_S:-8}
else
  RATE=${RATE:-150} SWAPS=${SWAPS:-20} WARMUP_S=${WARMUP_S:-15} STEADY_S=${STEADY_S:-15}
fi
ensure_jars
bash scripts/mlflow-env.sh >&2
work=$(mktemp -d)
LOAD_PIDS=()
trap 'for p in "${LOAD_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; stop_server;
      bash scripts/mlflow-server.sh stop "$work/mlflow" || true; rm -rf "$work"' EXIT

uri=$(bash scripts/mlflow-server.sh start "$work/mlflow")
.venv-mlflow/bin/python interop/mlflow/register.py --uri "$uri" --name fraud --batch 1,2 \
    >"$work/versions.txt" 2>"$work/register.log"
alias_to() {
  curl -sf -X POST -H 'Content-Type: application/json' \
      -d "{\"name\": \"fraud\", \"alias\": \"champion\", \"version\": \"$1\"}" \
      "$uri/api/2.0/mlflow/registered-models/alias" >/dev/null
}
alias_to 1
start_server "$work/ports.json" "$work/server.log" "" --mlflow-uri "$uri" --mlflow-model fraud \
    --mlflow-poll-seconds 1 --model-cache "$work/cache"
http=$(json_get "$work/ports.json" http)
grpc=$(json_get "$work/ports.json" grpc)
metrics=$(json_get "$work/ports.json" metrics)
served() { served_version "$http" fraud; }
run_load() { load_both "$work" "$1" "$2" fraud "$RATE" "$grpc" "$http"; }
wait_load() { wait_both "$work" "$1"; }

# A cold JVM's first seconds are JIT and class loading: warm up before the steady baseline.
log "warm-up: $RATE req/s over gRPC and over HTTP for $WARMUP_S s"
run_load warmup "$WARMUP_S"
wait_load warmup || log "warm-up had errors (a cold JVM on a busy machine); not counted"
log "steady: $RATE req/s over gRPC and over HTTP for $STEADY_S s"
run_load steady "$STEADY_S"
wait_load steady
rss_before=$(server_rss)
log "swaps: $SWAPS champion moves under the same load"
run_load swaps $((SWAPS * 3 + 10))
sleep 2
follow=()
for ((i = 1; i <= SWAPS; i++)); do
  target=$(( i % 2 == 1 ? 2 : 1 ))
  t0=$(date +%s.%N)
  alias_to "$target"
  until [[ $(served) == "$target" ]]; do sleep 0.05; done
  follow+=("$(python3 -c "import time; print(round(time.time() - $t0, 2))")")
done
log "alias move to first answer from the new version (s): ${follow[*]}"
status=0
wait_load swaps || status=1
rss_after=$(server_rss)
timeouts=$(drain_timeouts "$metrics")
swap_p99s swap "$work"
log "RSS $rss_before KiB before the moves, $rss_after KiB after"
if [[ $timeouts != 0 ]]; then log "FAILED: $timeouts drain timeouts"; status=1; fi
if ((status == 0)); then log "swap under load: 1 passed, 0 failed"; else tail -20 "$work/server.log" >&2; fi
exit $status
