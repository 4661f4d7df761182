"""Sluice's prediction log in a real Kafka topic, read back with Kafka's own console consumer.

Started by interop/kafka/run.sh (this file's name keeps it out of interop/run.sh's suite). The
tests run in file order: the last one stops the broker.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path

import numpy as np
import pytest
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient

ROOT = Path(__file__).resolve().parents[2]
HTTP = os.environ.get("SLUICE_HTTP_URL", "")
GRPC = os.environ.get("SLUICE_GRPC_URL", "")
METRICS = os.environ.get("SLUICE_METRICS_URL", "")
BOOTSTRAP = os.environ.get("KAFKA_BOOTSTRAP", "")
CLASSPATH = os.environ.get("KAFKA_CLASSPATH", "")
BROKER_DIR = os.environ.get("KAFKA_BROKER_DIR", "")
TOPIC = "sluice-predictions"
MODEL = "iris_classifier"

pytestmark = pytest.mark.skipif(not BOOTSTRAP, reason="run through interop/kafka/run.sh")


def iris_rows(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).uniform(0.5, 7.5, size=(n, 4)).astype(np.float32)


def consume(expected_ids: set[str], timeout_s: float = 60) -> dict[str, dict]:
    """Reads the topic from the start with kafka-tools' console consumer until every expected id
    has been seen; returns key -> record for those ids."""
    deadline = time.monotonic() + timeout_s
    found: dict[str, dict] = {}
    while True:
        out = subprocess.run(
            ["java", "-Xmx256m", "-cp", CLASSPATH, "org.apache.kafka.tools.consumer.ConsoleConsumer",
             "--bootstrap-server", BOOTSTRAP, "--topic", TOPIC, "--from-beginning",
             "--timeout-ms", "8000", "--group", f"interop-{uuid.uuid4().hex}",
             "--property", "print.key=true", "--property", "key.separator=\t"],
            capture_output=True, text=True, timeout=120)
        for line in out.stdout.splitlines():
            if "\t" not in line:
                continue
            key, value = line.split("\t", 1)
            if key in expected_ids:
                found[key] = json.loads(value)
        if set(found) >= expected_ids or time.monotonic() > deadline:
            return found


def metric(name: str, **labels: str) -> float:
    text = urllib.request.urlopen(f"http://{METRICS}/metrics", timeout=10).read().decode()
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        if all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def http_infer(x: np.ndarray, request_id: str = "") -> httpclient.InferResult:
    client = httpclient.InferenceServerClient(HTTP)
    inp = httpclient.InferInput("float_input", list(x.shape), "FP32")
    inp.set_data_from_numpy(x)
    return client.infer(MODEL, [inp], request_id=request_id)


def grpc_infer(x: np.ndarray, request_id: str = "") -> grpcclient.InferResult:
    client = grpcclient.InferenceServerClient(GRPC)
    inp = grpcclient.InferInput("float_input", list(x.shape), "FP32")
    inp.set_data_from_numpy(x)
    return client.infer(MODEL, [inp], request_id=request_id)


def test_every_request_is_one_record_on_the_topic_with_its_id_model_version_and_outputs():
    sent: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for i in range(10):
        x = iris_rows(1 + i % 3, seed=i)
        infer = http_infer if i % 2 == 0 else grpc_infer
        rid = f"kafka-{i}-{uuid.uuid4().hex[:8]}"
        r = infer(x, rid)
        echoed = r.get_response()["id"] if infer is http_infer else r.get_response().id
        assert echoed == rid
        sent[rid] = (x, r.as_numpy("label"))

    records = consume(set(sent))

    assert set(records) == set(sent)
    for rid, (x, labels) in sent.items():
        rec = records[rid]
        assert rec["id"] == rid
        assert rec["model"] == MODEL
        assert rec["version"] == "1"
        assert rec["role"] == "primary"
        assert rec["rows"] == x.shape[0]
        # Outputs by column: the label column holds the class the client got back.
        assert rec["outputs"]["label"] == [float(v) for v in labels.reshape(-1)]
        # Inputs by column, in the order of the four features.
        columns = list(rec["inputs"].values())
        np.testing.assert_allclose(np.array(columns).T, x, rtol=1e-6)


def test_a_request_without_an_id_gets_one_that_names_its_record_and_joins_feedback():
    x = iris_rows(1, seed=99)
    body = json.dumps({"inputs": [{"name": "float_input", "datatype": "FP32", "shape": [1, 4],
                                   "data": x.reshape(-1).tolist()}]})
    out = subprocess.run(["curl", "-sf", "-H", "Content-Type: application/json", "-d", body,
                          f"http://{HTTP}/v2/models/{MODEL}/infer"],
                         capture_output=True, text=True, check=True)
    http_id = json.loads(out.stdout)["id"]
    grpc_id = grpc_infer(x).get_response().id
    assert http_id and grpc_id and http_id != grpc_id

    records = consume({http_id, grpc_id})

    assert set(records) == {http_id, grpc_id}
    label = records[http_id]["outputs"]["label"][0]
    # Ground truth joins on the id the client never chose.
    req = urllib.request.Request(
        f"http://{HTTP}/v2/models/{MODEL}/feedback", method="POST",
        data=json.dumps({"labels": [{"id": http_id, "label": int(label)}]}).encode(),
        headers={"Content-Type": "application/json"})
    result = json.loads(urllib.request.urlopen(req, timeout=10).read())
    assert result["matched"] == 1, result


def test_with_the_broker_stopped_requests_still_succeed_and_the_drops_are_counted():
    subprocess.run(["bash", str(ROOT / "scripts/kafka-broker.sh"), "stop", BROKER_DIR],
                   check=True, timeout=60)
    before = metric("sluice_prediction_log_dropped_total")

    for i in range(20):
        r = http_infer(iris_rows(1, seed=1000 + i)) if i % 2 else grpc_infer(iris_rows(1, seed=i))
        assert r.as_numpy("label") is not None

    deadline = time.monotonic() + 30
    while metric("sluice_prediction_log_dropped_total") - before < 20:
        assert time.monotonic() < deadline, "drops not counted within 30 s"
        time.sleep(0.5)
    kafka_reasons = sum(metric("sluice_prediction_log_dropped_total", reason=r) for r in
                        ("kafka_timeout", "kafka_unavailable", "kafka_buffer_full", "kafka_error"))
    assert kafka_reasons >= 20
