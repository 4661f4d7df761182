"""Triton's perf_analyzer (C++ client, 2.47.0) against Sluice over HTTP and gRPC.

perf_analyzer is the strictest client we have: it reads the model config (max_batch_size),
the metadata shapes, the server's extension list and — since `statistics` is listed — the
statistics of the model before and after each measurement window.
"""

from __future__ import annotations

import csv
import re
import subprocess

import pytest

from helpers import http_model_stats

PA_TIMEOUT_S = 180
REQUESTS_PER_WINDOW = 200
# perf_analyzer exits 2 ("Failed to obtain stable measurement") when the last 3 windows differ by
# more than --stability-percentage (default 10 %). Sub-millisecond requests on a shared CI host
# (other JVMs, builds) routinely vary 2-3x between windows, which says nothing about protocol
# compatibility; this suite checks that perf_analyzer completes against Sluice without a single
# failed request, not how stable the host is. Latency/throughput targets live in bench/.
STABILITY_PERCENTAGE = 1000
MAX_TRIALS = 20
FAILURE_WORDS = re.compile(r"(?i)\b(error|errors|fail|failed|failure|failures|exception|abort)\b")


def _run_pa(perf_analyzer, model, url, protocol, csv_path):
    cmd = [
        perf_analyzer,
        "-m", model,
        "-u", url,
        "-i", protocol,
        "--concurrency-range", "4",
        "--measurement-mode", "count_windows",
        "--measurement-request-count", str(REQUESTS_PER_WINDOW),
        "--stability-percentage", str(STABILITY_PERCENTAGE),
        "--max-trials", str(MAX_TRIALS),
        "-f", str(csv_path),
    ]  # fmt: skip
    try:
        return cmd, subprocess.run(cmd, capture_output=True, text=True, timeout=PA_TIMEOUT_S)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"perf_analyzer did not finish in {PA_TIMEOUT_S} s: {' '.join(cmd)}\n{e.stdout}\n{e.stderr}")


@pytest.mark.parametrize("protocol", ["http", "grpc"])
@pytest.mark.parametrize("model", ["tiny_mlp", "iris_classifier", "category_encoder", "int_adder"])
def test_perf_analyzer_measures_model_without_failures(
    perf_analyzer, model, protocol, http_url, grpc_url, http_client, tmp_path
):
    version = "2" if model == "int_adder" else "1"  # perf_analyzer uses the default (latest) version
    before = http_model_stats(http_client, model, version)["inference_stats"]["success"]["count"]
    csv_path = tmp_path / f"{model}-{protocol}.csv"
    cmd, proc = _run_pa(perf_analyzer, model, http_url if protocol == "http" else grpc_url, protocol, csv_path)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"perf_analyzer exited {proc.returncode}: {' '.join(cmd)}\n{out[-6000:]}"
    bad = [line for line in out.splitlines() if FAILURE_WORDS.search(line)]
    assert not bad, "perf_analyzer reported failures:\n" + "\n".join(bad[:20]) + "\n---\n" + out[-4000:]

    with open(csv_path, newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows, f"empty CSV {csv_path}: {csv_path.read_text()}"
    throughputs = [float(r["Inferences/Second"]) for r in rows if r.get("Inferences/Second")]
    assert throughputs and max(throughputs) > 0, rows
    assert any(r.get("Concurrency") == "4" for r in rows), rows

    after = http_model_stats(http_client, model, version)["inference_stats"]["success"]["count"]
    assert after - before >= REQUESTS_PER_WINDOW, f"server success count grew by {after - before} only"
