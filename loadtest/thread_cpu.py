#!/usr/bin/env python3
"""CPU time per request by thread, for loadtest/drift-cpu.sh. Standard library and
thread_groups.py (the /proc reader) only.

  thread_cpu.py snapshot PID METRICS_PORT MODEL > snap.json
      every thread's utime+stime (/proc/PID/task/*/stat, clock ticks), the process total, and
      the server's nv_inference_request_success count for MODEL, and the time
  thread_cpu.py diff BEFORE AFTER LABEL MODEL >> rows.tsv
      one row per thread group: label, model, group, CPU µs per request answered in between
      (and a "rate" row: requests answered per second)
  thread_cpu.py report rows.tsv
      the table, and per model the line "CPU µs per request: off X, on Y (...)" with the
      capacity the monitor costs on a saturated core, 1 - off/on, JIT threads left out

CPU time per request does not depend on how busy the machine is (a shared box slows a run, it
does not make a request cost more cycles, caches aside), so it can be taken where throughput
cannot. Threads are grouped by their name (comm, 15 characters): the monitor thread
(sluice-monitor-*), the prediction log's writer (sluice-prediction-log), the collector and VM
threads, the JIT compilers, and everything else, which is the request path (event loops, gRPC
executors, the engine).
"""
import collections
import json
import os
import re
import sys
import time
import urllib.request

import thread_groups  # the /proc reader, beside this file

TICK_US = 1e6 / os.sysconf("SC_CLK_TCK")
GROUPS = [
    ("monitor", re.compile(r"^sluice-monitor")),
    ("log", re.compile(r"^sluice-predicti")),
    ("gc+vm", re.compile(r"^(GC Thread|G1 |VM Thread|VM Periodic|ZDirector|ZDriver|ZWorker|ZStat|ZUnmapper|Z |GC )")),
    ("jit", re.compile(r"^(C1 CompilerThre|C2 CompilerThre)")),
]


def group(comm):
    for name, pattern in GROUPS:
        if pattern.search(comm):
            return name
    return "request path"


def requests(port, model):
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    total = 0.0
    for line in text.splitlines():
        if line.startswith("nv_inference_request_success") and f'model="{model}"' in line:
            total += float(line.rsplit(" ", 1)[1])
    return total


def snapshot(pid, port, model):
    threads = {tid: {"comm": th["name"], "ticks": th["ticks"]}
               for tid, th in thread_groups.threads(pid).items()}
    json.dump({"requests": requests(port, model), "process": thread_groups.process_ticks(pid),
               "threads": threads, "time": time.monotonic()}, sys.stdout)


def diff(before_file, after_file, label, model):
    before = json.load(open(before_file))
    after = json.load(open(after_file))
    n = after["requests"] - before["requests"]
    if n <= 0:
        sys.exit(f"no requests answered for {model} between the snapshots")
    by = collections.Counter()
    for tid, t in after["threads"].items():
        was = before["threads"].get(tid, {"ticks": 0})["ticks"]
        by[group(t["comm"])] += t["ticks"] - was
    # Threads that ended between the snapshots are in the process total only.
    by["exited threads"] += (after["process"] - before["process"]) - sum(by.values())
    by["total"] = after["process"] - before["process"]
    for g, v in by.items():
        print(f"{label}\t{model}\t{g}\t{v * TICK_US / n:.2f}\t{int(n)}")
    print(f"{label}\t{model}\trate\t{n / (after['time'] - before['time']):.0f}\t0")


def report(rows_file):
    rows = [l.split("\t") for l in open(rows_file).read().splitlines() if l]
    us = collections.defaultdict(list)
    count = collections.defaultdict(int)
    for label, model, g, v, n in rows:
        us[(model, label, g)].append(float(v))
        count[(model, label)] += int(n) if g == "total" else 0
    med = lambda xs: sorted(xs)[len(xs) // 2] if xs else 0.0
    order = ["request path", "monitor", "log", "gc+vm", "jit", "exited threads", "total"]
    models = list(dict.fromkeys(r[1] for r in rows))
    print("| model | monitor | " + " | ".join(f"{g} µs/req" for g in order)
          + " | requests | req/s |")
    print("|---|---|" + "---:|" * (len(order) + 2))
    for model in models:
        for label in ("off", "on"):
            cells = [f"{med(us[(model, label, g)]):.2f}" for g in order]
            print(f"| {model} | {label} | " + " | ".join(cells) + f" | {count[(model, label)]}"
                  f" | {med(us[(model, label, 'rate')]):.0f} |")
    print()
    for model in models:
        off = lambda g: med(us[(model, "off", g)])
        on = lambda g: med(us[(model, "on", g)])
        extra = on("total") - off("total")
        share = 100 * extra / off("total") if off("total") else float("nan")
        # Capacity on a saturated core goes as 1 / CPU per request. JIT compilation is warm-up,
        # not a steady cost, so it is left out of both sides.
        off_steady = off("total") - off("jit")
        on_steady = on("total") - on("jit")
        loss = 100 * (1 - off_steady / on_steady) if on_steady else float("nan")
        print(f"{model}: CPU µs per request: off {off('total'):.2f}, on {on('total'):.2f}"
              f" (monitor thread {on('monitor'):.2f}, log thread {on('log'):.2f},"
              f" request path {on('request path') - off('request path'):+.2f},"
              f" gc+vm {on('gc+vm') - off('gc+vm'):+.2f}, jit {on('jit') - off('jit'):+.2f});"
              f" on costs {share:+.1f}% of off;"
              f" capacity loss 1 - off/on {loss:.1f}% (JIT threads left out)")


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "snapshot":
        snapshot(sys.argv[2], sys.argv[3], sys.argv[4])
    elif cmd == "diff":
        diff(*sys.argv[2:6])
    elif cmd == "report":
        report(sys.argv[2])
    else:
        sys.exit(__doc__)
