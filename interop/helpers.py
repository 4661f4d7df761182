"""Shared helpers for the interop suite (imported by conftest.py and the test modules).

Nothing here talks to a server on import; every network helper takes a URL or a client.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
MODEL_REPO = ROOT / "examples" / "model_repository"
BROKEN_REPO = ROOT / "examples" / "broken_repository"

MODELS = ["iris_classifier", "tiny_mlp", "category_encoder", "int_adder"]
IRIS_LABELS = ["setosa", "versicolor", "virginica"]

# Expected model metadata: name -> (inputs, outputs), each a list of (name, datatype, shape).
EXPECTED_METADATA = {
    "iris_classifier": (
        [("float_input", "FP32", [-1, 4])],
        [("label", "INT64", [-1, 1]), ("probabilities", "FP32", [-1, 3])],
    ),
    "tiny_mlp": (
        [("input", "FP32", [-1, 32])],
        [("output", "FP32", [-1, 1])],
    ),
    "category_encoder": (
        [("text", "BYTES", [-1, 1])],
        [("category_id", "INT64", [-1, 1])],
    ),
    "int_adder": (
        [("a", "INT64", [4]), ("b", "INT64", [4])],
        [("sum", "INT64", [4]), ("diff", "INT64", [4])],
    ),
}

EXPECTED_MAX_BATCH_SIZE = {"iris_classifier": 32, "tiny_mlp": 4, "category_encoder": 8, "int_adder": 0}


# --------------------------------------------------------------------------- reference models


def train_iris_classifier():
    """The exact scikit-learn model of examples/make_models.py::make_iris (same data, params, seed).

    Kept byte-for-byte identical to the training lines in make_models.py; the suite also checks
    that this replica agrees with Python onnxruntime on the committed .onnx, so a drift between
    the two files shows up as a failure of test_reference_sklearn_model_matches_committed_onnx.
    """
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    x, y = load_iris(return_X_y=True)
    x32 = x.astype(np.float32)
    clf = LogisticRegression(max_iter=10000, random_state=0)
    clf.fit(x32, y)
    return clf, x32, y


def ort_session(path: Path):
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), sess_options=so, providers=["CPUExecutionProvider"])


# --------------------------------------------------------------------------- HTTP helpers


def http_base(url: str) -> str:
    return url if url.startswith("http") else "http://" + url


def curl(url: str, *args: str, data: bytes | None = None, timeout: float = 30) -> tuple[int, bytes, str]:
    """Runs curl -s -o - -w '%{http_code}' [args] url; returns (status, body, stderr)."""
    cmd = ["curl", "-s", "-o", "-", "-w", "%{http_code}", "--max-time", str(int(timeout)), *args, url]
    proc = subprocess.run(cmd, input=data, capture_output=True, timeout=timeout + 10)
    out = proc.stdout
    assert proc.returncode == 0, f"curl failed rc={proc.returncode}: {cmd}\n{proc.stderr.decode(errors='replace')}"
    assert len(out) >= 3 and out[-3:].isdigit(), f"no status code in curl output: {out[-200:]!r}"
    return int(out[-3:]), out[:-3], proc.stderr.decode(errors="replace")


def iris_json_request(rows: np.ndarray, nested: bool = False, outputs=None) -> dict:
    data = rows.tolist() if nested else rows.reshape(-1).tolist()
    req = {"inputs": [{"name": "float_input", "shape": list(rows.shape), "datatype": "FP32", "data": data}]}
    if outputs is not None:
        req["outputs"] = [{"name": o} for o in outputs]
    return req


# --------------------------------------------------------------------------- metrics


_SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$")
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def scrape(metrics_url: str) -> list[tuple[str, dict, float]]:
    """Fetches Prometheus text and returns [(name, labels, value)]."""
    with urllib.request.urlopen(http_base(metrics_url) + "/metrics", timeout=30) as resp:
        assert resp.status == 200
        text = resp.read().decode()
    samples = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = _SAMPLE.match(line)
        assert m, f"unparsable metrics line: {line!r}"
        name, labels, value = m.groups()
        samples.append((name, dict(_LABEL.findall(labels or "")), float(value)))
    return samples


def metric_sum(samples, name: str, **labels) -> float:
    """Sum of every sample called `name` whose labels include `labels` (0 if none)."""
    return sum(v for n, lab, v in samples if n == name and all(lab.get(k) == str(w) for k, w in labels.items()))


def metric_present(samples, name: str, **labels) -> bool:
    return any(n == name and all(lab.get(k) == str(w) for k, w in labels.items()) for n, lab, _ in samples)


# --------------------------------------------------------------------------- statistics


def http_model_stats(http_client, model: str, version: str = "1") -> dict:
    stats = http_client.get_inference_statistics(model, version)
    entries = [s for s in stats["model_stats"] if s["name"] == model and s["version"] == version]
    assert len(entries) == 1, stats
    return entries[0]


# The server's randomness is not seeded, and each split check runs in every CI run: a 99.9%
# bound failed a clean run (238 of 400 at 50%). One in a million each side keeps the check
# able to catch a wrong split (0 or every request, or the weights swapped) without flaking.
SPLIT_TAIL = 5e-7


def split_bounds(n: int, p: float) -> tuple[float, float]:
    """scipy's binomial bounds for n requests split with probability p, SPLIT_TAIL each side."""
    from scipy.stats import binom
    return binom.ppf(SPLIT_TAIL, n, p), binom.ppf(1 - SPLIT_TAIL, n, p)


def wait_for(predicate, timeout: float = 5.0, interval: float = 0.05):
    """Polls predicate() until it returns a truthy value (returned) or the timeout passes (last value)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def pretty(obj) -> str:
    return json.dumps(obj, indent=1, sort_keys=True)[:4000]
