#!/usr/bin/env python3
"""Summarises `jfr print --events jdk.ExecutionSample,jdk.NativeMethodSample,jdk.GarbageCollection`
(read from stdin) into a small JSON: where the server's CPU samples fall, by component, plus the
top frames and GC pauses. Standard library only.

Self time is charged to the top frame's component. Native-method samples count only when the top
frame is ONNX Runtime (a thread parked in epoll or a socket read is in native code but idle).
"""
import collections
import json
import re
import sys

COMPONENTS = [
    ("ai.onnxruntime.", "ONNX Runtime (native run)"),
    ("io.sluice.runtime.", "sluice runtime (batcher, tensors)"),
    ("io.sluice.proto.", "protobuf (generated messages)"),
    ("com.google.protobuf.", "protobuf (library)"),
    ("io.sluice.gateway.", "sluice gateway (codecs, routing, metrics)"),
    ("io.grpc.", "grpc-java"),
    ("io.netty.", "netty"),
    ("io.micrometer.", "micrometer"),
    ("com.fasterxml.jackson.", "jackson"),
    ("sun.nio.", "JDK NIO / sockets"),
    ("java.", "JDK (java.*)"),
    ("jdk.", "JDK (jdk.*)"),
]


def component(frame):
    for prefix, name in COMPONENTS:
        if frame.startswith(prefix):
            return name
    return "other"


def main():
    kind = None
    thread = ""
    frames = []
    in_stack = False
    self_by_component = collections.Counter()
    self_by_frame = collections.Counter()
    inclusive_sluice = collections.Counter()
    threads = collections.Counter()
    samples = 0
    gc_count = 0
    gc_total_ms = 0.0
    gc_max_ms = 0.0
    gc_names = collections.Counter()
    gc = {}

    def unit_ms(text):
        m = re.match(r"([\d.]+)\s*(ns|us|µs|ms|s)", text.strip())
        if not m:
            return 0.0
        v, u = float(m.group(1)), m.group(2)
        return v * {"ns": 1e-6, "us": 1e-3, "µs": 1e-3, "ms": 1.0, "s": 1e3}[u]

    def flush():
        nonlocal samples
        if kind in ("jdk.ExecutionSample", "jdk.NativeMethodSample") and frames:
            top = frames[0]
            if kind == "jdk.NativeMethodSample" and not top.startswith("ai.onnxruntime."):
                return
            samples += 1
            self_by_component[component(top)] += 1
            self_by_frame[top] += 1
            threads[re.sub(r"-?\d+", "#", thread)] += 1
            for f in set(frames):
                if f.startswith("io.sluice."):
                    inclusive_sluice[f] += 1

    for line in sys.stdin:
        s = line.strip()
        if s.endswith("{") and s.startswith("jdk."):
            kind = s[:-1].strip()
            frames, thread, in_stack, gc = [], "", False, {}
        elif s.startswith("sampledThread"):
            m = re.search(r'"([^"]*)"', s)
            thread = m.group(1) if m else ""
        elif s.startswith("stackTrace = ["):
            in_stack = True
        elif in_stack and s == "]":
            in_stack = False
        elif in_stack:
            if s != "...":
                frames.append(re.sub(r"\(.*", "", s))
        elif kind == "jdk.GarbageCollection" and "=" in s:
            k, v = [x.strip() for x in s.split("=", 1)]
            gc[k] = v
        elif s == "}":
            if kind == "jdk.GarbageCollection" and gc:
                gc_count += 1
                gc_total_ms += unit_ms(gc.get("sumOfPauses", "0 ms"))
                gc_max_ms = max(gc_max_ms, unit_ms(gc.get("longestPause", "0 ms")))
                gc_names[gc.get("name", "?").strip('"')] += 1
            else:
                flush()
            kind = None

    def share(counter, n):
        return [{"name": k, "samples": v, "share": round(v / samples, 4)} for k, v in counter.most_common(n)] if samples else []

    json.dump(
        {
            "samples": samples,
            "by_component": share(self_by_component, 20),
            "top_frames": share(self_by_frame, 12),
            "sluice_inclusive": share(inclusive_sluice, 12),
            "threads": share(threads, 8),
            "gc": {"collections": gc_count, "total_pause_ms": round(gc_total_ms, 1), "max_pause_ms": round(gc_max_ms, 3),
                   "collectors": dict(gc_names.most_common())},
        },
        sys.stdout,
        indent=1,
    )


if __name__ == "__main__":
    main()
