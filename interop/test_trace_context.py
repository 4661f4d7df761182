"""W3C trace context through the built server: curl and tritonclient (HTTP headers and gRPC
metadata) send `traceparent`; the prediction log's records carry its trace and span ids, and an
invalid value is treated as absent (the request still succeeds, the record has no ids).

The server is this module's own (from the jar, on ephemeral ports), with a prediction log
folder to read.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient

import helpers

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
ROW = np.array([[5.1, 3.5, 1.4, 0.2]], dtype=np.float32)


def _traceparent(span: str) -> str:
    return f"00-{TRACE}-{span}-01"


@pytest.fixture(scope="module")
def traced_server(tmp_path_factory):
    jar = os.environ.get("SLUICE_JAR_PATH")
    if not jar:
        pytest.fail("SLUICE_JAR_PATH is not set: run the suite through `bash interop/run.sh`", pytrace=False)
    java = os.environ.get("SLUICE_JAVA", "java")
    repo = tmp_path_factory.mktemp("repo")
    shutil.copytree(helpers.MODEL_REPO / "iris_classifier", repo / "iris_classifier")
    logs = tmp_path_factory.mktemp("predictions")
    ports = repo / "ports.json"
    log_dir = Path(os.environ.get("SLUICE_LOG_DIR", str(repo)))
    log = open(log_dir / "server-trace.log", "w")
    proc = subprocess.Popen([java, "-jar", jar, "serve", "--model-repository", str(repo),
                             "--host", "127.0.0.1", "--http-port", "0", "--grpc-port", "0",
                             "--metrics-port", "0", "--ports-file", str(ports),
                             "--prediction-log-dir", str(logs)],
                            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    deadline = time.time() + 120
    while not (ports.exists() and ports.stat().st_size > 0):
        assert proc.poll() is None, "server exited; see server-trace.log"
        assert time.time() < deadline, "server did not start"
        time.sleep(0.1)
    p = json.loads(ports.read_text())
    yield {"http": f"127.0.0.1:{p['http']}", "grpc": f"127.0.0.1:{p['grpc']}",
           "log": logs / "predictions.jsonl"}
    proc.terminate()
    proc.wait(timeout=20)
    log.close()


def _records(path: Path, ids: set[str]) -> dict[str, dict]:
    """The prediction log's records of these request ids, once all are written."""
    def written():
        if not path.exists():
            return None
        found = {}
        for line in path.read_text().splitlines():
            r = json.loads(line)
            if r["id"] in ids:
                found[r["id"]] = r
        return found if len(found) == len(ids) else None

    found = helpers.wait_for(written, timeout=15)
    assert found, f"the prediction log did not get records {sorted(ids)}"
    return found


def test_traceparent_from_curl_and_tritonclient_reaches_the_prediction_log(traced_server):
    body = json.dumps({"id": "curl-traced", **helpers.iris_json_request(ROW)}).encode()
    status, _, err = helpers.curl(
        f"http://{traced_server['http']}/v2/models/iris_classifier/infer",
        "-H", "Content-Type: application/json",
        "-H", f"traceparent: {_traceparent('00f067aa0ba90201')}",
        "-H", "tracestate: vendor=opaque",
        "--data-binary", "@-", data=body)
    assert status == 200, err

    http_in = httpclient.InferInput("float_input", [1, 4], "FP32")
    http_in.set_data_from_numpy(ROW)
    httpclient.InferenceServerClient(traced_server["http"]).infer(
        "iris_classifier", [http_in], request_id="http-traced",
        headers={"traceparent": _traceparent("00f067aa0ba90202")})

    grpc_in = grpcclient.InferInput("float_input", [1, 4], "FP32")
    grpc_in.set_data_from_numpy(ROW)
    grpcclient.InferenceServerClient(traced_server["grpc"]).infer(
        "iris_classifier", [grpc_in], request_id="grpc-traced",
        headers={"traceparent": _traceparent("00f067aa0ba90203")})

    found = _records(traced_server["log"], {"curl-traced", "http-traced", "grpc-traced"})
    for rid, span in [("curl-traced", "00f067aa0ba90201"), ("http-traced", "00f067aa0ba90202"),
                      ("grpc-traced", "00f067aa0ba90203")]:
        assert found[rid]["trace_id"] == TRACE, found[rid]
        assert found[rid]["span_id"] == span, found[rid]


@pytest.mark.parametrize("value", [
    "garbage",
    f"00-{'0' * 32}-00f067aa0ba902b7-01",   # an all-zero trace id
    f"00-{TRACE.upper()}-00f067aa0ba902b7-01",  # upper-case hex
    f"ff-{TRACE}-00f067aa0ba902b7-01",       # the forbidden version
])
def test_an_invalid_traceparent_is_treated_as_absent(traced_server, value):
    rid = "invalid-" + str(abs(hash(value)))
    body = json.dumps({"id": rid, **helpers.iris_json_request(ROW)}).encode()
    status, out, err = helpers.curl(
        f"http://{traced_server['http']}/v2/models/iris_classifier/infer",
        "-H", "Content-Type: application/json", "-H", f"traceparent: {value}",
        "--data-binary", "@-", data=body)
    assert status == 200, (out, err)
    record = _records(traced_server["log"], {rid})[rid]
    assert "trace_id" not in record and "span_id" not in record, record
