#!/usr/bin/env bash
# Observability against live servers: two Sluice replicas (the built fat jar, the example
# repository, loopback), a real Prometheus (Debian's package) scraping both with
# monitoring/sluice-rules.yml and drift-rules.yml loaded, traffic sent with curl. Checks
#   1. every metric named by the rules and deploy/grafana's dashboard is in a live /metrics
#      (scripts/observability_check.py names; a short allow-list for routing's metrics),
#   2. `promtool check metrics` parses the exposition, and lints nothing beyond the findings
#      accepted below (Triton's nv_* names; the drift reference's deliberate shapes),
#   3. the fleet-wide recording rules, read from Prometheus' HTTP API, give the numbers the
#      two replicas' counters add up to (scripts/observability_check.py fleet).
# Needs the gateway jar (mvn -B -ntp -q -DskipTests -pl gateway -am package).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
log() { echo "[observability] $*"; }
. scripts/lib-server.sh
need_jar
if ! command -v prometheus >/dev/null 2>&1 || ! command -v promtool >/dev/null 2>&1; then
  log "installing Debian's prometheus package"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus >/dev/null \
    || { $SUDO apt-get update >/dev/null && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus >/dev/null; }
fi

work_dir

head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$WORK/token"
chmod 600 "$WORK/token"
for r in a b; do
  # Small drift windows close with this test's traffic; a one-slot queue and a 1 ms queue
  # time make a burst refuse requests (the drop counters exist only once something dropped).
  # The folder is polled every second, so the registry freshness series (which exist only
  # while a poller or the MLflow follower runs) are there for the rules and the dashboard.
  start_sluice "$r" --repository-poll-interval 1 --admin-token-file "$WORK/token" --prediction-log-dir "$WORK/$r-log" \
    --drift-window-rows 32 --drift-min-window-rows 32 \
    --max-queue-size 1 --max-queue-time-ms 1 --event-loop-threads 1
done
await_sluice a b
A_HTTP=$(port_of "$WORK/a.ports" http); A_METRICS=$(port_of "$WORK/a.ports" metrics)
B_HTTP=$(port_of "$WORK/b.ports" http); B_METRICS=$(port_of "$WORK/b.ports" metrics)
log "replicas ready: a http $A_HTTP metrics $A_METRICS, b http $B_HTTP metrics $B_METRICS"

PROM_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$WORK/prom/rules"
cp monitoring/sluice-rules.yml monitoring/drift-rules.yml "$WORK/prom/rules/"
cat >"$WORK/prom/prometheus.yml" <<EOF
global:
  scrape_interval: 500ms
  evaluation_interval: 500ms
rule_files:
  - rules/*.yml
scrape_configs:
  - job_name: sluice
    static_configs:
      - targets: ["127.0.0.1:$A_METRICS", "127.0.0.1:$B_METRICS"]
EOF
prometheus --config.file="$WORK/prom/prometheus.yml" --storage.tsdb.path="$WORK/prom/data" \
  --web.listen-address="127.0.0.1:$PROM_PORT" >"$WORK/prom.log" 2>&1 &
PIDS+=($!)
PROM="http://127.0.0.1:$PROM_PORT"
# wait until both replicas' zeros are stored: a rate then starts from them
for _ in $(seq 1 120); do
  n=$(curl -fs "$PROM/api/v1/query" --data-urlencode 'query=count(nv_inference_request_success_total{model="iris_classifier"} == 0)' \
      | python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else 0)' 2>/dev/null || echo 0)
  [ "$n" = 2 ] && break
  sleep 0.5
done
[ "$n" = 2 ] || { tail -20 "$WORK/prom.log"; log "Prometheus did not scrape both replicas"; exit 1; }
log "Prometheus $(prometheus --version 2>&1 | head -1 | awk '{print $3}') scrapes both replicas"

rows() { # rows FROM COUNT: COUNT iris rows of the training CSV as a flat JSON list
  tail -n +2 examples/data/iris_train.csv | sed -n "$1,$(($1 + $2 - 1))p" | cut -d, -f1-4 | paste -sd, -
}
infer() { # infer PORT ID ROWS_FROM ROWS
  curl -fs -o /dev/null -X POST "http://127.0.0.1:$1/v2/models/iris_classifier/infer" \
    -d "{\"id\": \"$2\", \"inputs\": [{\"name\": \"float_input\", \"shape\": [$4, 4], \"datatype\": \"FP32\", \"data\": [$(rows "$3" "$4")]}]}"
}
bad() { # a shape the model does not take: 400, counted as a failure of the version
  code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$1/v2/models/iris_classifier/infer" \
    -d '{"inputs": [{"name": "float_input", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}]}')
  [ "$code" = 400 ] || { log "bad input got $code (expected: 400)"; exit 1; }
}
# The drift series appear with the first monitored request: one row to each replica, then
# the baseline once Prometheus has scraped them (see observability_check.py).
infer "$A_HTTP" warm-a 101 1
infer "$B_HTTP" warm-b 102 1
sleep 0.5 # the drift monitor drains its queue every 20 ms
curl -fs "http://127.0.0.1:$A_METRICS/metrics" >"$WORK/a0.prom"
curl -fs "http://127.0.0.1:$B_METRICS/metrics" >"$WORK/b0.prom"
for _ in $(seq 1 60); do
  n=$(curl -fs "$PROM/api/v1/query" --data-urlencode 'query=count(count by (instance) (sluice_drift_feature_bin_total{model="iris_classifier"}))' \
      | python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else 0)' 2>/dev/null || echo 0)
  [ "$n" = 2 ] && break
  sleep 0.5
done
[ "$n" = 2 ] || { log "Prometheus has no drift series of both replicas"; exit 1; }
# replica a: 16 requests of 2 rows and 1 bad one; b: 8 requests of 5 rows and 3 bad ones
for i in $(seq 0 15); do infer "$A_HTTP" "a-$i" $((1 + 2 * i)) 2; done
bad "$A_HTTP"
for i in $(seq 0 7); do infer "$B_HTTP" "b-$i" $((1 + 5 * i)) 5; done
for _ in 1 2 3; do bad "$B_HTTP"; done
# ground truth for a few of a's requests
curl -fs -o /dev/null -X POST "http://127.0.0.1:$A_HTTP/v2/models/iris_classifier/feedback" \
  -d '{"labels": [{"id": "a-0", "label": 0}, {"id": "a-1", "label": 0}, {"id": "a-2", "label": 1}]}'
# a category the reference never saw
curl -fs -o /dev/null -X POST "http://127.0.0.1:$A_HTTP/v2/models/category_encoder/infer" \
  -d '{"inputs": [{"name": "text", "shape": [1, 1], "datatype": "BYTES", "data": ["purple"]}]}'
# a control-plane call without the token: 401, counted
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$A_HTTP/v2/repository/index")
[ "$code" = 401 ] || { log "an admin call without the token got $code (expected: 401)"; exit 1; }
# a burst at tiny_mlp on a: the one-slot queue refuses most of it (503, counted)
python3 -c 'import json; print(json.dumps({"inputs": [{"name": "input", "shape": [1, 32], "datatype": "FP32", "data": [0.5] * 32}]}))' >"$WORK/tiny.json"
seq 1 300 | xargs -P 32 -I{} curl -s -o /dev/null -w '%{http_code}\n' -X POST \
  "http://127.0.0.1:$A_HTTP/v2/models/tiny_mlp/infer" --data-binary @"$WORK/tiny.json" | sort | uniq -c \
  | sed 's/^/[observability] tiny_mlp burst: /'
sleep 1 # the drift monitor drains its queue every 20 ms

curl -fs "http://127.0.0.1:$A_METRICS/metrics" >"$WORK/a.prom"
curl -fs "http://127.0.0.1:$B_METRICS/metrics" >"$WORK/b.prom"
python3 scripts/observability_check.py names "$WORK/a.prom" "$WORK/b.prom"
# the folder is read at every poll: every model fresh, no poll failed
for r in a b; do
  if ! grep -Eq '^sluice_registry_stale_seconds\{.*source="folder".*\} 0(\.0)?$' "$WORK/$r.prom" \
     || grep -Eq '^sluice_registry_(stale_seconds|poll_errors_total)\{.*\} [1-9]' "$WORK/$r.prom"; then
    grep "^sluice_registry_" "$WORK/$r.prom" || true
    log "replica $r: the folder poller's freshness series are missing or not fresh"; exit 1
  fi
done

for r in a b; do
  set +e
  lint=$(promtool check metrics <"$WORK/$r.prom" 2>&1)
  rc=$?
  set -e
  # 0: clean, 3: lint findings only; anything else is a parse failure
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 3 ]; then echo "$lint"; log "promtool cannot parse replica $r's /metrics"; exit 1; fi
  # Accepted findings: Triton's own names, kept for its dashboards (µs units, a gauge named
  # *_count); the drift reference's CDF gauge carries `le` on purpose, so drift-rules.yml joins
  # it to the feature histogram's buckets; sluice_drift_reference_count is a gauge whose name
  # ends in _count (a rename to *_rows would clear it; it is drift-rules.yml's input).
  others=$(grep -v -e '^nv_inference_[a-z_]*_us_total metric names should not contain abbreviated units$' \
                   -e '^nv_inference_pending_request_count non-histogram and non-summary metrics should not have "_count" suffix$' \
                   -e '^sluice_drift_reference_cdf non-histogram metrics should not have "le" label$' \
                   -e '^sluice_drift_reference_count non-histogram and non-summary metrics should not have "_count" suffix$' \
                   <<<"$lint" || true)
  if [ -n "$others" ]; then echo "$others"; log "promtool lint findings beyond the accepted ones"; exit 1; fi
done
log "promtool check metrics: the exposition parses; $(grep -c . <<<"$lint") lint findings, all of the accepted kinds"

python3 scripts/observability_check.py fleet "$PROM" "$WORK/a.prom" "$WORK/b.prom" "$WORK/a0.prom" "$WORK/b0.prom"
log "ok"
