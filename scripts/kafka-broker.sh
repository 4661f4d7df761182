#!/usr/bin/env bash
# Starts (or reuses) a real single-node Kafka broker for the prediction-log tests:
#
#   scripts/kafka-broker.sh start [DIR]   # prints host:port once the broker's port accepts
#   scripts/kafka-broker.sh stop [DIR]
#
# The broker is Maven Central's org.apache.kafka:kafka_2.13 (version in scripts/kafka/pom.xml),
# copied with kafka-tools and their runtime dependencies into .tools/kafka/lib by Maven the first
# time (and again when the pom changes); `kafka-broker.sh classpath` prints that class path. It runs in
# KRaft combined mode (broker and controller in one JVM, -Xmx512m) on loopback, on a free port
# picked by the OS; its storage is formatted with kafka.tools.StorageTool --standalone. DIR
# (default .tools/kafka/broker) holds server.properties, the data, server.log, pid and port.
# Idempotent: a running broker for DIR is reused; a stopped one restarts on the same port with
# the same data.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LIB="$ROOT/.tools/kafka/lib"
cmd="${1:?usage: kafka-broker.sh start|stop|classpath [DIR]}"
DIR="$(mkdir -p "${2:-$ROOT/.tools/kafka/broker}" && cd "${2:-$ROOT/.tools/kafka/broker}" && pwd)"

alive() { [ -f "$DIR/pid" ] && kill -0 "$(cat "$DIR/pid")" 2>/dev/null; }
accepts() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

case "$cmd" in
  classpath)
    echo "$LIB/*"
    ;;
  stop)
    if alive; then
      pid="$(cat "$DIR/pid")"
      kill -TERM "$pid"
      for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$DIR/pid"
    ;;
  start)
    if alive && [ -f "$DIR/port" ] && accepts "$(cat "$DIR/port")"; then
      echo "127.0.0.1:$(cat "$DIR/port")"; exit 0
    fi
    want="$(sha256sum "$ROOT/scripts/kafka/pom.xml" | cut -d' ' -f1)"
    if [ "$(cat "$LIB/.sluice-stamp" 2>/dev/null)" != "$want" ]; then
      rm -rf "$LIB"
      mvn -B -ntp -q -f "$ROOT/scripts/kafka/pom.xml" dependency:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory="$LIB" >&2
      echo "$want" > "$LIB/.sluice-stamp"
    fi
    [ -f "$DIR/port" ] || free_port > "$DIR/port"
    [ -f "$DIR/controller-port" ] || free_port > "$DIR/controller-port"
    port="$(cat "$DIR/port")"; cport="$(cat "$DIR/controller-port")"
    cat > "$DIR/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.quorum.bootstrap.servers=127.0.0.1:$cport
log.dirs=$DIR/data
num.partitions=1
auto.create.topics.enable=true
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
    java=(java -Xmx512m -Xms128m -XX:+UseSerialGC -cp "$LIB/*")
    if [ ! -f "$DIR/data/meta.properties" ]; then
      id="$("${java[@]}" kafka.tools.StorageTool random-uuid 2>>"$DIR/server.log")"
      "${java[@]}" kafka.tools.StorageTool format -t "$id" -c "$DIR/server.properties" \
        --standalone >>"$DIR/server.log" 2>&1
    fi
    setsid "${java[@]}" kafka.Kafka "$DIR/server.properties" >>"$DIR/server.log" 2>&1 </dev/null &
    echo $! > "$DIR/pid"
    for _ in $(seq 240); do
      if accepts "$port"; then echo "127.0.0.1:$port"; exit 0; fi
      alive || { tail -20 "$DIR/server.log" >&2; echo "kafka broker exited" >&2; exit 1; }
      sleep 0.5
    done
    tail -20 "$DIR/server.log" >&2; echo "kafka broker's port not open after 120 s" >&2; exit 1
    ;;
  *) echo "usage: kafka-broker.sh start|stop|classpath [DIR]" >&2; exit 2 ;;
esac
