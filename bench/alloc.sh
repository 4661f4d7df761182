#!/usr/bin/env bash
# Bytes the server allocates per request (P8 of issue 12), tiny MLP, gRPC raw contents and HTTP
# binary extension, and writes loadtest/target/report/alloc.json for the report:
#
#   {"grpc": {"bytes_per_request": N, "payload_bytes": M, ...}, "http": {...}}
#
#   bash bench/alloc.sh [JMH args...]     # about 1 minute
#
# It runs io.sluice.bench.RequestPathBenchmark (a real SluiceServer in the JMH JVM, one request
# at a time over loopback) with `-prof gc`. bytes_per_request is the server's own threads'
# allocation over the last measured iteration divided by its requests; jvm_bytes_per_request is
# JMH's gc.alloc.rate.norm, which also counts the client in the same JVM. payload_bytes is what the
# protocol carried for one request: the request and response bodies (gRPC: the serialized
# messages; HTTP: the JSON header plus binary tensor, both ways). Allocation does not depend on the
# machine's load, so this is fair on a busy box; it runs under `nice -n 19`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
JAR=bench/target/benchmarks.jar
OUT=loadtest/target/report/alloc.json
if [[ ! -f $JAR ]]; then
  echo "[alloc] building $JAR" >&2
  mvn -q -B -DskipTests -pl bench -am package >&2
fi
mkdir -p "$(dirname "$OUT")" bench/target
lines=bench/target/alloc-lines.txt
result=bench/target/alloc-jmh.json
rm -f "$lines" "$result"
SLUICE_BENCH_ALLOC_OUT="$ROOT/$lines" SLUICE_BENCH_MODEL_DIRS="$ROOT/examples/model_repository" \
  nice -n 19 java -jar "$JAR" RequestPathBenchmark -f 1 -wi 3 -w 2s -i 3 -r 3s -prof gc \
  -rf json -rff "$result" "$@" >bench/target/alloc-output.txt 2>&1 \
  || { tail -30 bench/target/alloc-output.txt >&2; exit 1; }
python3 - "$lines" "$result" "$OUT" <<'EOF'
import json, sys
lines, result, out = sys.argv[1:]
jvm = {}
for r in json.load(open(result)):
    norm = r.get('secondaryMetrics', {}).get('gc.alloc.rate.norm')
    if norm:
        jvm[r['params']['protocol']] = round(norm['score'])
report = {}
for line in open(lines):
    protocol, engine, per_request, payload = line.split()
    report[protocol] = {
        'bytes_per_request': int(per_request),
        'payload_bytes': int(payload),
        'ratio_to_payload': round(int(per_request) / int(payload), 1),
        'jvm_bytes_per_request': jvm.get(protocol),
        'engine': engine,
        'model': 'tiny_mlp',
    }
json.dump(report, open(out, 'w'), indent=2)
for p, r in report.items():
    print(f"{p}: {r['bytes_per_request']} B/request on the server ({r['ratio_to_payload']}x the "
          f"{r['payload_bytes']} B payload; {r['jvm_bytes_per_request']} B with the client)")
EOF
echo "[alloc] wrote $OUT" >&2
