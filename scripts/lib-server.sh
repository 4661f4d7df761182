# Live-server helpers of the scripts that start Sluice from the built fat jar next to other real
# processes (observability-test.sh, tracing-test.sh); sourced, not run, after the caller has
# defined log() and cd'ed to the checkout. loadtest/lib.sh is the load tests' own (one pinned,
# measured server).

# need_jar: sets JAR to the gateway's fat jar, or stops the script when it is not built.
need_jar() {
  JAR="$(ls gateway/target/sluice-gateway-*-all.jar 2>/dev/null | head -1 || true)"
  [ -n "$JAR" ] || { log "build the gateway jar first (mvn -B -ntp -q -DskipTests -pl gateway -am package)"; exit 1; }
}

# work_dir: sets WORK to a fresh temporary folder, removed at exit after every process that
# start_sluice (or the caller, through PIDS) started has been stopped.
work_dir() {
  WORK="$(mktemp -d)"
  PIDS=()
  trap stop_all EXIT
}
stop_all() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}

# port_of PORTS_FILE NAME: one port of a ports file ({"http": N, ...}).
port_of() { grep -o "\"$2\": [0-9]*" "$1" | grep -o '[0-9]*$'; }

# start_sluice NAME [sluice serve args...]: the example repository on loopback, every port
# chosen by the system and written to $WORK/NAME.ports, the log in $WORK/NAME.log. Small JIT,
# serial GC: these are functional checks, not measurements.
start_sluice() {
  local name=$1
  shift
  java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar "$JAR" serve \
    --model-repository examples/model_repository --host 127.0.0.1 \
    --http-port 0 --grpc-port 0 --metrics-port 0 --ports-file "$WORK/$name.ports" \
    "$@" >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
}

# await_sluice NAME...: waits (60 s each) until each server has written its ports and answers
# ready over HTTP; stops the script with the log's tail when one does not.
await_sluice() {
  local r
  for r in "$@"; do
    for _ in $(seq 1 240); do [ -s "$WORK/$r.ports" ] && break; sleep 0.25; done
    [ -s "$WORK/$r.ports" ] || { tail -20 "$WORK/$r.log"; log "server $r did not start"; exit 1; }
  done
  for r in "$@"; do
    for _ in $(seq 1 240); do
      curl -fs -o /dev/null "http://127.0.0.1:$(port_of "$WORK/$r.ports" http)/v2/health/ready" && break
      sleep 0.25
    done
  done
}
