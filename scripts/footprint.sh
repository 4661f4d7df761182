#!/usr/bin/env bash
# Measures the sidecar footprint of the built fat jar serving the example repository: the time
# from `java` starting to /v2/health/ready answering 200, and the resident set (VmRSS) after it
# has been ready and idle for a few seconds, once per JVM flag set. Needs the gateway jar
# (`mvn -B -ntp -q -DskipTests -pl gateway -am package`).
#
#   scripts/footprint.sh                          # the flag sets below, 3 runs each
#   RUNS=5 scripts/footprint.sh "-XX:+UseG1GC -XX:MaxRAM=512m -XX:MaxRAMPercentage=50"
#
# -XX:MaxRAM stands in for a container's memory limit (the JVM sizes its heap from the cgroup
# limit in a container; there is none here), so MaxRAMPercentage applies as it would in a pod.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
JAR="$(ls gateway/target/sluice-gateway-*-all.jar | head -1)"
RUNS="${RUNS:-3}"
IDLE_SECONDS="${IDLE_SECONDS:-5}"
if [ "$#" -eq 0 ]; then
  # the image's and the sidecar manifest's flags (G1), the other collectors at the same limit,
  # and the JVM's defaults for comparison
  set -- \
    "-XX:+UseG1GC -XX:MaxRAM=512m -XX:MaxRAMPercentage=50 -XX:InitialRAMPercentage=25 -Xss512k -XX:+ExitOnOutOfMemoryError" \
    "-XX:+UseG1GC -XX:MaxRAM=320m -XX:MaxRAMPercentage=50 -XX:InitialRAMPercentage=25 -XX:TieredStopAtLevel=1 -Xss512k -XX:+ExitOnOutOfMemoryError" \
    "-XX:+UseSerialGC -XX:MaxRAM=512m -XX:MaxRAMPercentage=50 -Xss512k -XX:+ExitOnOutOfMemoryError" \
    "-XX:+UseG1GC -XX:MaxRAM=512m -XX:MaxRAMPercentage=50 -Xss512k -XX:+ExitOnOutOfMemoryError" \
    "-XX:+UseZGC -XX:MaxRAM=512m -XX:MaxRAMPercentage=50 -Xss512k -XX:+ExitOnOutOfMemoryError" \
    ""
fi
WORK="$(mktemp -d)"
PID=
cleanup() { if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi; rm -rf "$WORK"; }
trap cleanup EXIT

now_ms() { date +%s%3N; }

for flags in "$@"; do
  for run in $(seq 1 "$RUNS"); do
    rm -f "$WORK/ports.json"
    start=$(now_ms)
    # shellcheck disable=SC2086 # the flags are words
    java $flags -jar "$JAR" serve --model-repository examples/model_repository \
      --http-port 0 --grpc-port 0 --metrics-port 0 --host 127.0.0.1 \
      --ports-file "$WORK/ports.json" >"$WORK/log" 2>&1 &
    PID=$!
    ready=
    for _ in $(seq 1 600); do
      if [ -s "$WORK/ports.json" ]; then
        port=$(grep -o '"http": [0-9]*' "$WORK/ports.json" | grep -o '[0-9]*$' || true)
        if [ -n "$port" ] && curl -fs -o /dev/null "http://127.0.0.1:$port/v2/health/ready"; then
          ready=$(now_ms); break
        fi
      fi
      kill -0 "$PID" 2>/dev/null || { cat "$WORK/log"; echo "[footprint] server exited" >&2; exit 1; }
      sleep 0.02
    done
    [ -n "$ready" ] || { cat "$WORK/log"; echo "[footprint] not ready in 12 s" >&2; exit 1; }
    sleep "$IDLE_SECONDS"
    rss_kb=$(awk '/^VmRSS/ {print $2}' "/proc/$PID/status")
    printf '%-100s run %d: ready %5d ms, idle RSS %4d MiB\n' "${flags:-(JVM defaults)}" "$run" \
      $((ready - start)) $((rss_kb / 1024))
    kill "$PID"; wait "$PID" 2>/dev/null || true; PID=
  done
done
