#!/usr/bin/env bash
# What TensorFlow adds to a running Sluice: serves tiny_mlp (ONNX) alone, then beside the
# example SavedModels, answers one V1 and one V2 request on each, and prints the RSS of each
# process. Needs the fat jar (mvn -pl gateway -am package -DskipTests).
#
#   bash scripts/engine-footprint.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
JAR="${SLUICE_JAR:-gateway/target/sluice-gateway-0.1.0-SNAPSHOT-all.jar}"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/onnx" "$TMP/both"
cp -r examples/model_repository/tiny_mlp "$TMP/onnx/"
cp -r examples/model_repository/tiny_mlp examples/tf_model_repository/tf_* "$TMP/both/"
ROW="[$(python3 -c 'print(",".join(["0.5"] * 32))')]"

run() {  # run NAME
  local name="$1" ports="$TMP/ports-$1.json"
  java -jar "$JAR" serve --model-repository "$TMP/$name" --http-port 0 --grpc-port 0 \
    --metrics-port 0 --ports-file "$ports" >"$TMP/$name.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 1200); do [ -s "$ports" ] && break; sleep 0.1; done
  local http
  http=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["http"])' "$ports")
  curl -sf "localhost:$http/v2/models/tiny_mlp/infer" -d "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,32],\"data\":$ROW}]}" >/dev/null
  curl -sf "localhost:$http/v1/models/tiny_mlp:predict" -d "{\"instances\":[$ROW]}" >/dev/null
  if [ "$name" = both ]; then
    curl -sf "localhost:$http/v1/models/tf_dense_classifier:predict" -d '{"instances":[[1,2,3,4]]}' >/dev/null
  fi
  sleep 2
  echo "$name: RSS $(( $(ps -o rss= -p "$pid") / 1024 )) MiB"
  kill -TERM "$pid"
  wait "$pid" 2>/dev/null || true
}

echo "fat jar: $(( $(stat -c %s "$JAR") / 1024 / 1024 )) MiB"
run onnx
run both
