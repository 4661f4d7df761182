#!/usr/bin/env bash
# Starts (or reuses) a real MLflow tracking server for the registry tests:
#
#   scripts/mlflow-server.sh start DIR   # prints the tracking URI once /health answers
#   scripts/mlflow-server.sh stop DIR
#
# DIR holds the sqlite backend (mlflow.db), the proxied artifacts (mlartifacts/), the log, the pid
# and the port. Loopback only, a free port picked by the OS, --serve-artifacts on, webhooks to
# loopback receivers allowed (and seen within a second). Idempotent: a running, healthy server for DIR is reused; a stopped
# one restarts on the same port with the same data (the registry-down test relies on that).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${MLFLOW_VENV:-$ROOT/.venv-mlflow}"
cmd="${1:?usage: mlflow-server.sh start|stop DIR}"
DIR="$(mkdir -p "${2:?usage: mlflow-server.sh start|stop DIR}" && cd "$2" && pwd)"

alive() { [ -f "$DIR/pid" ] && kill -0 "$(cat "$DIR/pid")" 2>/dev/null; }
healthy() { curl -sf "http://127.0.0.1:$(cat "$DIR/port")/health" >/dev/null 2>&1; }

case "$cmd" in
  stop)
    if alive; then
      pid="$(cat "$DIR/pid")"
      # The server runs in its own process group (setsid): end it and its workers together.
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -KILL -- "-$pid" 2>/dev/null || true
    fi
    rm -f "$DIR/pid"
    ;;
  start)
    if alive && [ -f "$DIR/port" ] && healthy; then
      echo "http://127.0.0.1:$(cat "$DIR/port")"; exit 0
    fi
    bash "$ROOT/scripts/mlflow-env.sh" >&2
    if [ ! -f "$DIR/port" ]; then
      "$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' > "$DIR/port"
    fi
    port="$(cat "$DIR/port")"
    # Webhooks to a loopback receiver, and new subscriptions seen within a second (default 60 s).
    MLFLOW_WEBHOOK_ALLOWED_SCHEMES=http,https MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS=true \
      MLFLOW_WEBHOOK_CACHE_TTL=1 \
      setsid "$VENV/bin/mlflow" server \
        --backend-store-uri "sqlite:///$DIR/mlflow.db" \
        --artifacts-destination "$DIR/mlartifacts" \
        --serve-artifacts --host 127.0.0.1 --port "$port" --workers 1 \
        >>"$DIR/server.log" 2>&1 < /dev/null &
    echo $! > "$DIR/pid"
    for _ in $(seq 180); do
      if healthy; then echo "http://127.0.0.1:$port"; exit 0; fi
      alive || { tail -20 "$DIR/server.log" >&2; echo "mlflow server exited" >&2; exit 1; }
      sleep 0.5
    done
    tail -20 "$DIR/server.log" >&2; echo "mlflow server not healthy after 90 s" >&2; exit 1
    ;;
  *) echo "usage: mlflow-server.sh start|stop DIR" >&2; exit 2 ;;
esac
