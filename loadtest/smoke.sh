#!/usr/bin/env bash
# CI smoke run of the load generator: start Sluice on the committed tiny_mlp, drive it open-loop
# at 200 req/s for 3 s over gRPC and over HTTP (binary extension), and fail when any request
# failed or nothing completed. Checks that the driver works end to end, not how fast anything is.
#
# usage: bash loadtest/smoke.sh          (builds the jars first if they are missing)
set -euo pipefail
cd "$(dirname "$0")/.."
source loadtest/lib.sh

ensure_jars

work=$(mktemp -d)
trap 'stop_server; rm -rf "$work"' EXIT

start_server "$work/ports.json" "$work/server.log" "" --model-repository examples/model_repository
http=$(json_get "$work/ports.json" http)
grpc=$(json_get "$work/ports.json" grpc)
log "Sluice (pid $SERVER_PID) serving: http $http, grpc $grpc"

status=0
for protocol in grpc http; do
  port=$grpc
  if [[ $protocol == http ]]; then port=$http; fi
  if ! java -jar "$LOADTEST_JAR" run --protocol "$protocol" --target "127.0.0.1:$port" \
      --model tiny_mlp --input-shape 1,32 --datatype FP32 --mode open --arrival poisson \
      --rate 200 --warmup 1 --duration 3 --drain 30 --require-success \
      --json-out "$work/$protocol.json"; then
    log "FAILED: $protocol smoke run"
    status=1
  fi
done
if ((status == 0)); then
  log "load generator smoke: 2 passed, 0 failed"
else
  tail -20 "$work/server.log" >&2
fi
exit $status
