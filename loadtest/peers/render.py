"""reports/peers.md ("Sluice vs what you would use instead") from peers.sh's windows.

    render.py --data loadtest/target/report/peers --out reports/peers.md

Reads windows.jsonl (one line per measured window, record.py), skipped.jsonl and meta.json;
writes the Markdown and peers.json (the same numbers, summarised). A ratio is Sluice's rate
over the peer's from the Sluice run just before that peer in the same round; the spread is the
range of those ratios over the rounds. Client-bound windows (the client used ≥ 90% of its
core) are kept but marked: a client-bound Sluice window makes its ratio a lower bound.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics

WORKLOADS = {
    "tiny_grpc": "tiny_mlp gRPC c=16",
    "tiny_http": "tiny_mlp HTTP c=16",
    "heavy_grpc": "heavy_mlp gRPC c=32, batching on",
}
PEER_TITLES = {
    "mlserver": "MLServer {v}",
    "kserve": "KServe {v} (Python server)",
    "pytriton": "PyTriton {v} (Triton core, Python backend)",
}
# What each adapter is and what the peer lacks; what the clients actually met is added from the
# windows (their errors), so these lines only state what is fixed by the peer's design.
PEER_NOTES = {
    "mlserver": "no ONNX runtime of its own: a custom `MLModel` runs onnxruntime "
    "(`loadtest/peers/mlserver_onnx.py`). heavy_mlp uses its adaptive batching (max_batch_size 64, "
    "max_batch_time {bt} ms: it waits that long for a fuller batch, where Sluice's and Triton's "
    "`dynamic_batching {{ }}` run what is queued). parallel_workers: {pw}. "
    "**No V2 binary tensor extension over HTTP**: the driver's HTTP client sends binary tensors and "
    "gets HTTP 500 (request validation fails to decode the body as UTF-8), so it has no HTTP number. "
    "**No Triton model-configuration endpoint**, so perf_analyzer stops at \"failed to get model config\".",
    "kserve": "a `kserve.Model` subclass runs onnxruntime (`loadtest/peers/kserve_onnx.py`). "
    "**No batcher** in the model server (KServe batches in its Kubernetes agent sidecar), so its "
    "heavy_mlp row is unbatched. "
    "**No Triton model-configuration endpoint** (HTTP or gRPC ModelConfig), so perf_analyzer stops at "
    "\"failed to get model config\"; the driver needs none and works over both transports.",
    "pytriton": "Triton's own protocol front end and dynamic batcher (max_queue_delay 0) drive a "
    "Python function (`loadtest/peers/pytriton_onnx.py`) in Triton's Python backend: every batch "
    "crosses from tritonserver to a stub process and back through shared memory. Its statistics "
    "extension is behind an access token by default; peers.sh sets one and perf_analyzer sends it.",
}


def load(path: str) -> list[dict]:
    if not os.path.exists(path):
        return []
    return [json.loads(l) for l in open(path) if l.strip()]


def fmt_rate(v: float | None) -> str:
    return "n/a" if v is None else f"{v:,.0f}"


def spread(values: list[float], fmt) -> str:
    if not values:
        return "n/a"
    mid = statistics.median(values)
    if len(values) == 1:
        return fmt(mid)
    return f"{fmt(mid)} ({fmt(min(values))}–{fmt(max(values))})"


def summarise(windows: list[dict], peers: list[str], client: str) -> dict:
    """workload -> {"sluice": [rates], peer: {"rates": [...], "ratios": [...], ...}}."""
    out = {}
    for w in WORKLOADS:
        rows = [r for r in windows if r["workload"] == w and r["client"] == client]
        s_rows = [r for r in rows if r["server"] == "sluice"]
        entry = {
            "sluice": {
                "rates": [r["infer_per_s"] for r in s_rows if r["infer_per_s"] is not None],
                "client_bound": any(r["client_bound"] for r in s_rows),
                "why": sorted({r["why"] for r in s_rows if r["infer_per_s"] is None}),
            }
        }
        for p in peers:
            p_rows = [r for r in rows if r["server"] == p]
            ratios, bound = [], []
            for pr in p_rows:
                pair = [r for r in s_rows if r["paired_with"] == p and r["round"] == pr["round"]]
                if pair and pair[0]["infer_per_s"] and pr["infer_per_s"]:
                    ratios.append(pair[0]["infer_per_s"] / pr["infer_per_s"])
                    bound.append(pair[0]["client_bound"])
            entry[p] = {
                "rates": [r["infer_per_s"] for r in p_rows if r["infer_per_s"] is not None],
                "ratios": ratios,
                "sluice_client_bound": any(bound),
                "client_bound": any(r["client_bound"] for r in p_rows),
                "why": sorted({r["why"] for r in p_rows if r["infer_per_s"] is None}),
            }
        out[w] = entry
    return out


def table(summary: dict, peers: list[str], titles: dict[str, str], footnotes: list[str]) -> list[str]:
    head = "| workload | Sluice infer/s | " + " | ".join(f"{titles[p]} infer/s | Sluice ÷ it" for p in peers) + " |"
    lines = [head, "|---|---:|" + "---:|---:|" * len(peers)]

    def why_note(whys: list[str]) -> str:
        if not whys:
            return ""
        if whys[0] not in footnotes:
            footnotes.append(whys[0])
        return f" [{footnotes.index(whys[0]) + 1}]"

    for w, title in WORKLOADS.items():
        e = summary[w]
        s = e["sluice"]
        cells = [title, spread(s["rates"], fmt_rate) + (" †" if s["client_bound"] else "") + why_note(s["why"])]
        for p in peers:
            pe = e[p]
            rate = spread(pe["rates"], fmt_rate) + (" †" if pe["client_bound"] else "") + why_note(pe["why"])
            ratio = spread(pe["ratios"], lambda v: f"{v:.1f}×")
            if pe["ratios"] and pe["sluice_client_bound"]:
                ratio = "≥ " + ratio
            cells += [rate, ratio]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    windows = load(os.path.join(a.data, "windows.jsonl"))
    skipped = load(os.path.join(a.data, "skipped.jsonl"))
    meta = json.load(open(os.path.join(a.data, "meta.json")))
    order = ["mlserver", "kserve", "pytriton"]
    peers = [p for p in order if any(r["server"] == p for r in windows)]
    titles = {p: PEER_TITLES[p].format(v=meta["versions"].get(p) or "?") for p in peers}
    loads = [r["loadavg_1m"] for r in windows]

    md = ["# Sluice vs what you would use instead", ""]
    md += [
        f"Measured {meta['started']} at `{meta['git_rev']}` with `{meta['command']}` "
        f"({meta['wall_minutes']} min), {meta['rounds']} round(s). Each round runs, for each peer, a "
        "fresh Sluice and then a fresh peer, each pinned to CPU "
        f"{meta['server_cpus']} (its child processes too) with the clients pinned to CPU {meta['client_cpus']}; "
        f"closed loop, {meta['warmup_s']} s warm-up and {meta['window_s']} s measured per window "
        "(perf_analyzer: three windows of a third of that). Every server runs the same .onnx files with "
        f"onnxruntime {meta['onnxruntime']}, 1 intra-op and 1 inter-op thread, no spinning. "
        f"Load average (1 min) at the windows' ends: {min(loads, default=0):.2f}–{max(loads, default=0):.2f} "
        f"on {meta['cpus']} CPUs ({meta['cpu_model']}).",
        "",
    ]
    if meta["command"].startswith("QUICK=1"):
        md += [
            "**Quick mode** (few-second windows, JIT barely warm, a shared box): this run checks the "
            "pipeline; its numbers are rough. The full run is `bash loadtest/peers.sh` on a quiet machine.",
            "",
        ]
    md += [
        "Cells are the median over rounds with the range in brackets; **Sluice ÷ it** divides each "
        "round's Sluice rate by the peer's rate measured right after it. † marks a window whose client "
        "used ≥ 90% of its core (it measured the client; a ratio over a client-bound Sluice is a lower "
        "bound, shown ≥).",
        "",
    ]
    summaries = {}
    footnotes: list[str] = []
    for client, title in (("driver", "the project's driver (`sluice-loadtest run --mode closed`)"),
                          ("perf_analyzer", "Triton's perf_analyzer 2.47")):  # fmt: skip
        if not any(r["client"] == client for r in windows):
            continue
        summaries[client] = summarise(windows, peers, client)
        md += [f"## Client: {title}", ""]
        md += table(summaries[client], peers, titles, footnotes)
        md.append("")
    if footnotes:
        md += ["Where a client got no answer, what it said:", ""]
        md += [f"{i}. `{f}`" for i, f in enumerate(footnotes, 1)]
        md.append("")
    md += ["## The peers", ""]
    bt = round(1000 * float(meta.get("peer_batch_time_s", 0.001)), 3)
    for p in peers:
        md.append(f"- **{titles[p]}**: " + PEER_NOTES[p].format(bt=bt, pw=meta.get("mlserver_parallel_workers")))
    for s in skipped:
        md.append(f"- **{s['peer']}: skipped.** {s['reason']}")
    md.append("")
    md += [
        "## Every window",
        "",
        "| round | server | before | workload | client | infer/s | p50 ms | p99 ms | client CPU | load 1 min |",
        "|---:|---|---|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in windows:
        cpu = r.get("client_cpu_util")

        def ms(k):
            v = r.get(k)
            return "" if v is None or r["infer_per_s"] is None else f"{v / 1000:.2f}"

        md.append(
            f"| {r['round']} | {r['server']} | {r['paired_with'] or ''} | {r['workload']} | {r['client']} "
            f"| {fmt_rate(r['infer_per_s'])}{' †' if r['client_bound'] else ''} | {ms('p50_us')} | {ms('p99_us')} "
            f"| {'' if cpu is None else f'{100 * cpu:.0f}%'} | {r['loadavg_1m']:.2f} |"
        )
    md.append("")
    with open(a.out, "w") as f:
        f.write("\n".join(md))
    json.dump({"meta": meta, "skipped": skipped, "summary": summaries}, open(os.path.join(a.data, "peers.json"), "w"), indent=1)


if __name__ == "__main__":
    main()
