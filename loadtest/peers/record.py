"""One measured window of peers.sh as one JSON line (read by render.py).

    record.py driver|perf_analyzer RESULT ROUND SERVER WORKLOAD MODEL PROTOCOL CONCURRENCY LOG
              [--time TIME_FILE] --loadavg L
    record.py --brief < line          (a one-line summary for the log)

RESULT is the driver's --json-out or perf_analyzer's -f CSV. When it is missing or holds no
success, the line says why (the error kinds, or the client's last error line) instead of a rate.
A window whose client used ≥ 90% of its core is marked client_bound: it measured the client.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sys

CLIENT_BOUND = 0.9


def last_error(log_path: str) -> str:
    if not os.path.exists(log_path):
        return "no output"
    lines = [l.strip() for l in open(log_path, errors="replace") if l.strip()]
    bad = [l for l in lines if re.search(r"(?i)error|fail|unavailable|unimplemented|not found|exception", l)]
    return (bad or lines or ["no output"])[-1][:300]


def from_driver(path: str, log: str) -> dict:
    if not os.path.exists(path) or os.path.getsize(path) == 0:
        return {"infer_per_s": None, "why": last_error(log)}
    r = json.load(open(path))
    out = {
        "infer_per_s": r["throughput_rps"],
        "succeeded": r["succeeded"],
        "errors": r["errors"],
        "error_ratio": r["error_ratio"],
        "p50_us": r["latency_us"]["p50"],
        "p99_us": r["latency_us"]["p99"],
        "client_cpu_util": r["client_cpu_util"],
    }
    if not r["succeeded"]:
        out["infer_per_s"] = None
        errs = ", ".join(f"{k} x{v}" for k, v in r["errors"].items())
        out["why"] = ("no request succeeded: " + errs) if errs else (
            f"no request completed inside the window ({r['scheduled']} started): the server or the client stalled"
        )
    return out


def from_pa(path: str, log: str, time_file: str | None) -> dict:
    rows = []
    if os.path.exists(path):
        with open(path, newline="") as f:
            rows = [r for r in csv.DictReader(f) if r.get("Inferences/Second")]
    if not rows:
        return {"infer_per_s": None, "why": last_error(log)}
    r = rows[-1]
    out = {
        "infer_per_s": float(r["Inferences/Second"]),
        "p50_us": float(r.get("p50 latency", "nan")),
        "p99_us": float(r.get("p99 latency", "nan")),
    }
    if time_file and os.path.exists(time_file):
        # /usr/bin/time: elapsed, user, system seconds of the whole perf_analyzer process
        fields = open(time_file).read().split()[-3:]
        try:
            wall, user, sys_s = map(float, fields)
            out["client_cpu_util"] = (user + sys_s) / wall if wall > 0 else None
        except ValueError:
            pass
    return out


def brief(line: str) -> str:
    r = json.loads(line)
    head = f"r{r['round']} {r['server']:>16} {r['workload']:<10} {r['client']:<13}"
    if r["infer_per_s"] is None:
        return f"{head} n/a: {r['why']}"
    cpu = r.get("client_cpu_util")
    tail = f" client CPU {100 * cpu:.0f}%" if cpu is not None else ""
    bound = " CLIENT-BOUND" if r.get("client_bound") else ""
    errs = f" errors {r['errors']}" if r.get("errors") else ""
    return f"{head} {r['infer_per_s']:9.0f} infer/s p99 {r['p99_us'] / 1000:.2f} ms{tail}{bound}{errs} load {r['loadavg_1m']}"


def main() -> None:
    if sys.argv[1:] == ["--brief"]:
        print(brief(sys.stdin.read().strip()))
        return
    p = argparse.ArgumentParser()
    p.add_argument("client", choices=["driver", "perf_analyzer"])
    for a in ("result", "round", "server", "workload", "model", "protocol", "concurrency", "log"):
        p.add_argument(a)
    p.add_argument("--time")
    p.add_argument("--loadavg", type=float, required=True)
    a = p.parse_args()
    res = from_driver(a.result, a.log) if a.client == "driver" else from_pa(a.result, a.log, a.time)
    server, _, paired = a.server.partition("@")
    cpu = res.get("client_cpu_util")
    res.update(
        round=int(a.round), server=server, paired_with=paired or None, workload=a.workload, model=a.model,
        protocol=a.protocol, concurrency=int(a.concurrency), client=a.client, loadavg_1m=a.loadavg,
        client_bound=bool(cpu is not None and cpu >= CLIENT_BOUND),
    )  # fmt: skip
    print(json.dumps(res))


if __name__ == "__main__":
    main()
