# Shared helpers of loadtest/smoke.sh and loadtest/report.sh (sourced, not run).

GATEWAY_JAR=gateway/target/sluice-gateway-0.1.0-SNAPSHOT-all.jar
LOADTEST_JAR=loadtest/target/sluice-loadtest-0.1.0-SNAPSHOT-all.jar
SERVER_PID=""
# Prefix for every measured process (report.sh sets it to `nice -n N` when NICE is given).
NICE_CMD=()

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# json_get FILE KEY: one top-level field of a small JSON file (the ports file).
json_get() {
  sed -E "s/.*\"$2\"[[:space:]]*:[[:space:]]*([0-9]+).*/\1/" "$1"
}

# start_server PORTS_FILE LOG [CPU_LIST] [sluice serve args...]: starts Sluice in the background,
# sets SERVER_PID, and waits (at most 120 s) until it has written its ports. An empty CPU_LIST
# runs it unpinned. SERVER_JAVA picks the JVM (default: java on the PATH), e.g.
# SERVER_JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java with SERVER_JAVA_OPTS=-XX:+UseZGC.
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
    if [[ -s $ports ]]; then return 0; fi
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
}
