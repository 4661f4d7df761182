#!/usr/bin/env bash
# OpenTelemetry spans and trace context on error answers, against live servers: an OTLP receiver
# (scripts/otlp_receiver.py: opentelemetry-proto's messages over HTTP and gRPC) and two Sluice
# servers from the built fat jar, one exporting over http/protobuf and one over grpc. Requests
# carry W3C traceparents: curl over HTTP, tritonclient over gRPC (metadata). Checks
#   1. each traced request arrives as sluice.infer (SERVER, parent = the caller's span, model,
#      request id, service.name) with sluice.queue, sluice.batch (sluice.batch.size) and
#      sluice.compute under it, in time order, over the protocol its server was given;
#   2. a request without a traceparent starts a trace of its own;
#   3. a failed request (HTTP 400, gRPC INVALID_ARGUMENT) is answered with the caller's
#      traceparent (HTTP header / gRPC trailer) and its span is marked with the error's code.
# The error log lines' trace ids are checked by the unit tests (4xx lines are debug lines).
# Needs the gateway jar (mvn -B -ntp -q -DskipTests -pl gateway -am package) and .venv
# (scripts/python-env.sh). Takes about 20 s.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
log() { echo "[tracing] $*"; }
. scripts/lib-server.sh
need_jar
PY="$ROOT/.venv/bin/python"
[ -x "$PY" ] || { log "run scripts/python-env.sh first"; exit 1; }

work_dir

"$PY" scripts/otlp_receiver.py serve --out "$WORK/spans.jsonl" --ports-file "$WORK/otlp.ports" &
PIDS+=($!)
for _ in $(seq 1 80); do [ -s "$WORK/otlp.ports" ] && break; sleep 0.25; done
[ -s "$WORK/otlp.ports" ] || { log "the OTLP receiver did not start"; exit 1; }
OTLP_HTTP=$(port_of "$WORK/otlp.ports" http); OTLP_GRPC=$(port_of "$WORK/otlp.ports" grpc)
log "OTLP receiver: http $OTLP_HTTP grpc $OTLP_GRPC"

start() { # start NAME PROTOCOL PORT
  start_sluice "$1" --event-loop-threads 1 --otel-endpoint "http://127.0.0.1:$3" --otel-protocol "$2" \
    --otel-service-name "sluice-$1" --otel-sampling-ratio 1.0
}
start h http/protobuf "$OTLP_HTTP"
start g grpc "$OTLP_GRPC"
await_sluice h g
H_HTTP=$(port_of "$WORK/h.ports" http); G_GRPC=$(port_of "$WORK/g.ports" grpc)

hex() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }
T_HTTP=$(hex 16); S_HTTP=$(hex 8); T_GRPC=$(hex 16); S_GRPC=$(hex 8)
T_BAD=$(hex 16); S_BAD=$(hex 8); T_GBAD=$(hex 16); S_GBAD=$(hex 8)
ROW='"data": [5.1, 3.5, 1.4, 0.2]'
curl -fs -o /dev/null -X POST "http://127.0.0.1:$H_HTTP/v2/models/iris_classifier/infer" \
  -H "traceparent: 00-$T_HTTP-$S_HTTP-01" \
  -d "{\"id\": \"http-traced\", \"inputs\": [{\"name\": \"float_input\", \"shape\": [1, 4], \"datatype\": \"FP32\", $ROW}]}"
curl -fs -o /dev/null -X POST "http://127.0.0.1:$H_HTTP/v2/models/iris_classifier/infer" \
  -d "{\"id\": \"http-untraced\", \"inputs\": [{\"name\": \"float_input\", \"shape\": [1, 4], \"datatype\": \"FP32\", $ROW}]}"
# A failed request: 400, with the caller's trace context on the answer.
curl -s -D "$WORK/bad.headers" -o "$WORK/bad.body" -X POST \
  "http://127.0.0.1:$H_HTTP/v2/models/iris_classifier/infer" -H "traceparent: 00-$T_BAD-$S_BAD-01" \
  -d '{"inputs": [{"name": "float_input", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}]}'
grep -q '^HTTP/1.1 400' "$WORK/bad.headers" || { cat "$WORK/bad.headers"; log "bad input not answered 400"; exit 1; }
grep -qi "^traceparent: 00-$T_BAD-$S_BAD-01" "$WORK/bad.headers" \
  || { cat "$WORK/bad.headers"; log "the 400 answer does not carry the caller's traceparent"; exit 1; }
log "HTTP 400 answered with traceparent 00-$T_BAD-$S_BAD-01"

"$PY" - "$G_GRPC" "$T_GRPC" "$S_GRPC" "$T_GBAD" "$S_GBAD" <<'PYEOF'
import sys
import grpc
import numpy as np
import tritonclient.grpc as grpcclient
from tritonclient.grpc import service_pb2, service_pb2_grpc
port, trace, span, bad_trace, bad_span = sys.argv[1:]
c = grpcclient.InferenceServerClient(f"127.0.0.1:{port}")
x = grpcclient.InferInput("float_input", [1, 4], "FP32")
x.set_data_from_numpy(np.array([[6.2, 2.9, 4.3, 1.3]], dtype=np.float32))
c.infer("iris_classifier", [x], request_id="grpc-traced",
        headers={"traceparent": f"00-{trace}-{span}-01"})
# The failed call through the generated stub, which shows the trailers tritonclient hides.
stub = service_pb2_grpc.GRPCInferenceServiceStub(grpc.insecure_channel(f"127.0.0.1:{port}"))
bad = service_pb2.ModelInferRequest(model_name="iris_classifier")
t = bad.inputs.add(name="float_input", datatype="FP32", shape=[1, 3])
t.contents.fp32_contents.extend([1, 2, 3])
parent = f"00-{bad_trace}-{bad_span}-01"
try:
    stub.ModelInfer(bad, metadata=[("traceparent", parent)])
    sys.exit("[tracing] a bad gRPC request succeeded")
except grpc.RpcError as e:
    assert e.code() == grpc.StatusCode.INVALID_ARGUMENT, e.code()
    trailers = dict(e.trailing_metadata() or ())
    assert trailers.get("traceparent") == parent, trailers
print("[tracing] gRPC INVALID_ARGUMENT answered with traceparent " + parent)
PYEOF

cat >"$WORK/expect.json" <<JSON
[
  {"trace_id": "$T_HTTP", "parent_span_id": "$S_HTTP", "protocol": "http/protobuf",
   "service": "sluice-h", "model": "iris_classifier", "request_id": "http-traced"},
  {"trace_id": "$T_GRPC", "parent_span_id": "$S_GRPC", "protocol": "grpc",
   "service": "sluice-g", "model": "iris_classifier", "request_id": "grpc-traced"}
]
JSON
"$PY" scripts/otlp_receiver.py check --spans "$WORK/spans.jsonl" --expect "$WORK/expect.json"
# The untraced request started its own trace; the failed ones' spans say why they failed.
"$PY" - "$WORK/spans.jsonl" "$T_BAD" "$T_GBAD" <<'PYEOF'
import json, sys
spans = [json.loads(l) for l in open(sys.argv[1])]
roots = [s for s in spans if s["name"] == "sluice.infer"
         and s["attributes"].get("sluice.request.id") == "http-untraced"]
assert len(roots) == 1 and roots[0]["parent_span_id"] == "", roots
for trace in sys.argv[2:]:
    failed = [s for s in spans if s["trace_id"] == trace and s["name"] == "sluice.infer"]
    assert len(failed) == 1, (trace, failed)
    assert failed[0]["status"] == "STATUS_CODE_ERROR", failed
    assert failed[0]["attributes"].get("sluice.status.code") == "INVALID_ARGUMENT", failed
print("[tracing] the untraced request is a root span; the failed requests' spans say INVALID_ARGUMENT")
PYEOF
log "passed: spans over http/protobuf and grpc; traceparent on HTTP and gRPC error answers"
