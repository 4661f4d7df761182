"""A small OTLP trace receiver for scripts/tracing-test.sh: OTLP/HTTP (POST /v1/traces,
protobuf, gzip or not) and OTLP/gRPC (TraceService/Export) on two loopback ports, decoded with
the `opentelemetry-proto` package's generated classes. Every span received is appended to a
JSON-lines file (one object per span: protocol, service, trace/span/parent ids in hex, name,
kind, start/end, status, attributes), which `check` then reads.

    python otlp_receiver.py serve --out spans.jsonl --ports-file ports.json
    python otlp_receiver.py check --spans spans.jsonl --expect expect.json

Stands in for the OpenTelemetry Collector with its file exporter (see the README: the collector
was not built here).
"""
import argparse
import gzip
import json
import signal
import sys
import threading
import time
from concurrent import futures
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import grpc
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc
from opentelemetry.proto.trace.v1 import trace_pb2

_lock = threading.Lock()


def _value(v):
    kind = v.WhichOneof("value")
    return getattr(v, kind) if kind else None


def _write(out, protocol, request):
    rows = []
    for rs in request.resource_spans:
        resource = {a.key: _value(a.value) for a in rs.resource.attributes}
        for ss in rs.scope_spans:
            for s in ss.spans:
                rows.append({
                    "protocol": protocol,
                    "service": resource.get("service.name"),
                    "scope": ss.scope.name,
                    "trace_id": s.trace_id.hex(),
                    "span_id": s.span_id.hex(),
                    "parent_span_id": s.parent_span_id.hex(),
                    "name": s.name,
                    "kind": trace_pb2.Span.SpanKind.Name(s.kind),
                    "start": s.start_time_unix_nano,
                    "end": s.end_time_unix_nano,
                    "status": trace_pb2.Status.StatusCode.Name(s.status.code),
                    "attributes": {a.key: _value(a.value) for a in s.attributes},
                })
    with _lock, open(out, "a") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")


class _Traces(trace_service_pb2_grpc.TraceServiceServicer):
    def __init__(self, out):
        self.out = out

    def Export(self, request, context):
        _write(self.out, "grpc", request)
        return trace_service_pb2.ExportTraceServiceResponse()


def serve(args):
    open(args.out, "w").close()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(_Traces(args.out), server)
    grpc_port = server.add_insecure_port("127.0.0.1:0")
    server.start()

    out = args.out

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            if self.path != "/v1/traces":
                self.send_error(404)
                return
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            if self.headers.get("Content-Type") != "application/x-protobuf":
                self.send_error(415)
                return
            request = trace_service_pb2.ExportTraceServiceRequest()
            request.ParseFromString(body)
            _write(out, "http/protobuf", request)
            answer = trace_service_pb2.ExportTraceServiceResponse().SerializeToString()
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *a):
            pass

    http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    with open(args.ports_file + ".tmp", "w") as f:
        json.dump({"http": http.server_address[1], "grpc": grpc_port}, f)
    import os
    os.replace(args.ports_file + ".tmp", args.ports_file)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    signal.signal(signal.SIGINT, lambda *a: stop.set())
    stop.wait()
    http.shutdown()
    server.stop(1)


def check(args):
    """Waits up to --timeout s for the spans in --expect, then checks them; exit 1 on a miss.

    --expect is a JSON list of {"trace_id", "parent_span_id", "protocol", "service",
    "model"}: for each, the sluice.infer span of that trace and its queue/batch/compute
    children must have arrived over that protocol with those ids and attributes.
    """
    expect = json.load(open(args.expect))
    deadline = time.time() + args.timeout
    problems = []
    while True:
        spans = [json.loads(l) for l in open(args.spans) if l.strip()]
        problems = []
        for e in expect:
            problems += _check_trace(spans, e)
        if not problems or time.time() > deadline:
            break
        time.sleep(0.2)
    for p in problems:
        print("[tracing] " + p)
    print("[tracing] %d spans received, %d expected traces checked" % (len(spans), len(expect)))
    sys.exit(1 if problems else 0)


def _check_trace(spans, e):
    mine = [s for s in spans if s["trace_id"] == e["trace_id"]]
    names = {s["name"]: s for s in mine}
    miss = {"sluice.infer", "sluice.queue", "sluice.batch", "sluice.compute"} - names.keys()
    if miss:
        return ["trace %s: missing %s (got %s)" % (e["trace_id"], sorted(miss), sorted(names))]
    p = []
    infer, queue, batch, compute = (names[n] for n in
                                    ("sluice.infer", "sluice.queue", "sluice.batch", "sluice.compute"))
    want = {
        "infer parent": (infer["parent_span_id"], e["parent_span_id"]),
        "infer kind": (infer["kind"], "SPAN_KIND_SERVER"),
        "protocol": (infer["protocol"], e["protocol"]),
        "service.name": (infer["service"], e["service"]),
        "sluice.model": (infer["attributes"].get("sluice.model"), e["model"]),
        "sluice.request.id": (infer["attributes"].get("sluice.request.id"), e["request_id"]),
        "queue parent": (queue["parent_span_id"], infer["span_id"]),
        "batch parent": (batch["parent_span_id"], infer["span_id"]),
        "compute parent": (compute["parent_span_id"], batch["span_id"]),
    }
    for what, (got, expected) in want.items():
        if got != expected:
            p.append("trace %s: %s is %r (expected: %r)" % (e["trace_id"], what, got, expected))
    size = batch["attributes"].get("sluice.batch.size")
    if not isinstance(size, int) or size < e.get("min_batch_size", 1):
        p.append("trace %s: sluice.batch.size %r" % (e["trace_id"], size))
    if not (infer["start"] <= queue["start"] <= queue["end"] <= batch["start"]
            <= compute["start"] <= compute["end"] <= batch["end"] <= infer["end"]):
        p.append("trace %s: spans out of order: %s" % (e["trace_id"], [
            (s["name"], s["start"], s["end"]) for s in (infer, queue, batch, compute)]))
    return p


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--out", required=True)
    s.add_argument("--ports-file", required=True)
    c = sub.add_parser("check")
    c.add_argument("--spans", required=True)
    c.add_argument("--expect", required=True)
    c.add_argument("--timeout", type=float, default=20)
    args = ap.parse_args()
    serve(args) if args.cmd == "serve" else check(args)


if __name__ == "__main__":
    main()
