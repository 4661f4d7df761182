#!/usr/bin/env bash
# Server CPU per served request and per front-door refusal, by server thread, HTTP and gRPC.
#
# The overload target (issue 7: goodput at 2x capacity >= 0.9x capacity, a reject <= 1 ms) is a
# question of CPU on the server's core: every refusal's cost comes out of the model's share. CPU
# time per request (from /proc/<pid>/task/*/schedstat, see thread_groups.py) does not depend on
# what else runs on the machine, unlike wall time, so this script can run on a shared box
# (under nice) and still say where the time goes. heavy_mlp with batching off, as overload.sh.
#   served:  closed loops of CONCURRENCY requests, gRPC then HTTP, on a server with the defaults;
#   refused: the same loops against --max-inflight-requests 1 while one gRPC lane keeps a request
#            in the engine, so nearly every foreground request is refused at the front door; the
#            lane's served requests (counted by the server) are subtracted at the served cost.
# Counts come from the server itself (Triton statistics, sluice_requests_dropped_total), and the
# server's own reject cost from sluice_admission_reject_seconds (its buckets, over the window).
# Each window follows a warm-up of the same load. Writes reports/cpu-per-request.md; about
# 4 x (WARMUP + DURATION) s plus two server starts (about 3 minutes with the defaults). The warm-up
# matters: on a pinned core the JIT compilers take 35-40% of it for about the first 30 s of load,
# and a window inside that charges their time to every request (the JIT row says how much).
#
# usage: bash loadtest/cpu-per-request.sh
#   MODELS_DIR=build/models DURATION=8 WARMUP=30 CONCURRENCY=32 SERVER_CPU= CLIENT_CPU= (taskset
#   lists; empty: unpinned) SERVER_JAVA_OPTS (e.g. "-Xms512m -Xmx512m")
set -euo pipefail
cd "$(dirname "$0")/.."
source loadtest/lib.sh

MODELS_DIR=${MODELS_DIR:-build/models}
DURATION=${DURATION:-8}
WARMUP=${WARMUP:-30}
CONCURRENCY=${CONCURRENCY:-32}
SERVER_CPU=${SERVER_CPU:-}
CLIENT_CPU=${CLIENT_CPU:-}
OUT=${OUT:-reports/cpu-per-request.md}
MODEL=heavy_mlp
ensure_jars
ensure_large_models "$MODELS_DIR"

work=$(mktemp -d)
background=""
trap '[[ -n $background ]] && kill "$background" 2>/dev/null; stop_server; rm -rf "$work"' EXIT
copy_model "$MODELS_DIR/$MODEL" "$work/repo" nobatch

pin_client=()
[[ -n $CLIENT_CPU ]] && pin_client=(taskset -c "$CLIENT_CPU")
# client PROTOCOL SECONDS WARMUP CONCURRENCY JSON: one closed loop.
client() {
  local protocol=$1 port=$grpc conns=()
  [[ $protocol == http ]] && port=$http && conns=(--connections "$4")
  "${pin_client[@]}" java -jar "$LOADTEST_JAR" run --model "$MODEL" --input-shape 1,256 \
      --datatype FP32 --protocol "$protocol" --target "127.0.0.1:$port" --mode closed \
      --concurrency "$4" --warmup "$3" --duration "$2" --drain 5 "${conns[@]}" \
      --json-out "$5" >/dev/null 2>&1 || true
}

# counts FILE: what the server counted so far (served, refused, reject-cost buckets).
counts() {
  python3 - "$http" "$metrics" "$MODEL" >"$1" <<'PY'
import json, sys, urllib.request
http, metrics, model = sys.argv[1:4]
stats = json.load(urllib.request.urlopen(f"http://127.0.0.1:{http}/v2/models/{model}/stats"))
served = sum(int(m["inference_stats"]["success"]["count"]) for m in stats["model_stats"])
text = urllib.request.urlopen(f"http://127.0.0.1:{metrics}/metrics").read().decode()
refused, buckets = 0.0, {}
for line in text.splitlines():
    if line.startswith("sluice_requests_dropped_total") and 'reason="inflight_limit"' in line:
        refused += float(line.rsplit(" ", 1)[1])
    elif line.startswith("sluice_admission_reject_seconds_bucket"):
        labels = line[line.index("{") + 1:line.index("}")]
        proto = labels.split('protocol="')[1].split('"')[0]
        le = labels.split('le="')[1].split('"')[0]
        buckets.setdefault(proto, {})[le] = float(line.rsplit(" ", 1)[1])
json.dump({"served": served, "refused": refused, "buckets": buckets}, sys.stdout)
PY
}

# window LABEL PROTOCOL: a warm-up run, then the measured run between two snapshots.
window() {
  local label=$1 protocol=$2
  client "$protocol" "$WARMUP" 0 "$CONCURRENCY" "$work/warm-$label.json"
  counts "$work/counts-before-$label.json"
  python3 loadtest/thread_groups.py snapshot "$SERVER_PID" "$work/threads-before-$label.json"
  client "$protocol" "$DURATION" 0 "$CONCURRENCY" "$work/run-$label.json"
  python3 loadtest/thread_groups.py snapshot "$SERVER_PID" "$work/threads-after-$label.json"
  counts "$work/counts-after-$label.json"
  python3 loadtest/thread_groups.py delta "$work/threads-before-$label.json" \
      "$work/threads-after-$label.json" "sluice-$MODEL" >"$work/cpu-$label.json"
  log "$label: $(cat "$work/cpu-$label.json")"
}

serve() {
  start_server "$work/ports.json" "$work/server-$1.log" "$SERVER_CPU" \
      --model-repository "$work/repo" --max-connections 16000 "${@:2}"
  grpc=$(json_get "$work/ports.json" grpc)
  http=$(json_get "$work/ports.json" http)
  metrics=$(json_get "$work/ports.json" metrics)
}

serve served
window served-grpc grpc
window served-http http
stop_server

serve refused --max-inflight-requests 1
# One gRPC lane keeps a request in the engine for the whole phase (it is never refused itself:
# it sends its next request only after its answer).
"${pin_client[@]}" java -jar "$LOADTEST_JAR" run --model "$MODEL" --input-shape 1,256 \
    --datatype FP32 --protocol grpc --target "127.0.0.1:$grpc" --mode closed --concurrency 1 \
    --warmup 0 --duration 3600 --drain 1 --json-out "$work/background.json" >/dev/null 2>&1 &
background=$!
sleep 2
window refused-grpc grpc
window refused-http http
kill "$background" 2>/dev/null || true
wait "$background" 2>/dev/null || true
background=""
stop_server

python3 - "$work" "$OUT" "$CONCURRENCY" "$DURATION" "$(git rev-parse --short HEAD)" <<'PY'
import json, sys, time
work, out, concurrency, duration, commit = sys.argv[1:6]
load = lambda name: json.load(open(f"{work}/{name}.json"))
cpu, n = {}, {}
for label in ("served-grpc", "served-http", "refused-grpc", "refused-http"):
    before, after = load(f"counts-before-{label}"), load(f"counts-after-{label}")
    cpu[label] = load(f"cpu-{label}")
    n[label] = {k: after[k] - before[k] for k in ("served", "refused")}
    n[label]["buckets"] = {
        p: {le: c - before["buckets"].get(p, {}).get(le, 0.0) for le, c in b.items()}
        for p, b in after["buckets"].items()}
groups = sorted({g for c in cpu.values() for g in c}, key=lambda g: -cpu["served-grpc"].get(g, 0))
per = {}
for p in ("grpc", "http"):
    s = n[f"served-{p}"]["served"]
    per[f"served-{p}"] = {g: 1e6 * cpu[f"served-{p}"].get(g, 0.0) / max(s, 1) for g in groups}
for p in ("grpc", "http"):
    label = f"refused-{p}"
    r, s = n[label]["refused"], n[label]["served"]
    # The engine lane's served requests, at gRPC's served cost, are not the refusals' cost.
    per[label] = {g: max(0.0, 1e6 * cpu[label].get(g, 0.0) - s * per["served-grpc"][g]) / max(r, 1)
                  for g in groups}
total = {k: sum(v.values()) for k, v in per.items()}

def quantile(buckets, q):
    edges = sorted(((float("inf") if le == "+Inf" else float(le)), c) for le, c in buckets.items())
    if not edges or edges[-1][1] <= 0:
        return None
    for le, c in edges:
        if c >= q * edges[-1][1]:
            return le
    return None

def ms(v):
    return "n/a" if v is None else ("> 1 s" if v == float("inf") else f"{1000 * v:.3f}")

cols = ["served-grpc", "served-http", "refused-grpc", "refused-http"]
lines = [
    "# Server CPU per served request and per refusal, by thread",
    "",
    f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} at {commit} with "
    f"`bash loadtest/cpu-per-request.sh` (closed loops of {concurrency}, {duration} s windows after "
    "a warm-up): heavy_mlp, batching off. CPU time (schedstat) per request, in microseconds, by "
    "server thread group; refusals on a server with `--max-inflight-requests 1`, the engine "
    "lane's served requests subtracted at the served gRPC cost. CPU time does not depend on other "
    "load on the machine; wall times do, and none are used here.",
    "",
    "| thread group | " + " | ".join(f"{c} us/request" for c in cols) + " |",
    "|---|" + "---:|" * len(cols),
]
for g in groups:
    lines.append(f"| {g} | " + " | ".join(f"{per[c][g]:.1f}" for c in cols) + " |")
lines.append("| **total** | " + " | ".join(f"**{total[c]:.1f}**" for c in cols) + " |")
lines.append("| requests counted | " + " | ".join(
    str(int(n[c]["served"] if c.startswith("served") else n[c]["refused"])) for c in cols) + " |")
lines += ["", "Server-side reject cost (`sluice_admission_reject_seconds`, bucket upper bounds over "
          "the refusal windows):", ""]
for p in ("grpc", "http"):
    b = n[f"refused-{p}"]["buckets"].get(p, {})
    lines.append(f"- {p}: p50 <= {ms(quantile(b, 0.5))} ms, p99 <= {ms(quantile(b, 0.99))} ms")
# One core, fully busy at 2x overload: goodput g and refusals (2C - g) share it, C = 1/served gRPC.
lines += ["", "What one fully busy core predicts at 2x gRPC capacity (C = 1 / served gRPC CPU): "
          "goodput g solves g * served + (2C - g) * refusal = 1 s/s.", ""]
c = 1e6 / total["served-grpc"]
for p in ("grpc", "http"):
    s, r = total[f"served-{p}"] / 1e6, total[f"refused-{p}"] / 1e6
    g = (1 - 2 * c * r) / (s - r) if s > r else float("nan")
    lines.append(f"- {p}: goodput / capacity = {g / c:.2f}")
open(out, "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
log "wrote $OUT"
