"""`--log-format json` through the built server: every line it writes to stderr (its own SLF4J
loggers, Netty's, grpc-java's java.util.logging) is one JSON object from logback's JsonEncoder,
across start, requests over both protocols, a bad gRPC call, and a drain on SIGTERM.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time

import numpy as np
import pytest
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

import helpers

ROW = np.array([[5.1, 3.5, 1.4, 0.2]], dtype=np.float32)


def test_every_stderr_line_is_a_json_log_event(tmp_path):
    jar = os.environ.get("SLUICE_JAR_PATH")
    if not jar:
        pytest.fail("SLUICE_JAR_PATH is not set: run the suite through `bash interop/run.sh`", pytrace=False)
    java = os.environ.get("SLUICE_JAVA", "java")
    repo = tmp_path / "repo"
    shutil.copytree(helpers.MODEL_REPO / "iris_classifier", repo / "iris_classifier")
    ports = tmp_path / "ports.json"
    stderr = tmp_path / "stderr.log"
    with open(stderr, "w") as err:
        proc = subprocess.Popen([java, "-jar", jar, "serve", "--model-repository", str(repo),
                                 "--host", "127.0.0.1", "--http-port", "0", "--grpc-port", "0",
                                 "--metrics-port", "0", "--ports-file", str(ports),
                                 "--log-format", "json"],
                                stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL)
        try:
            deadline = time.time() + 120
            while not (ports.exists() and ports.stat().st_size > 0):
                assert proc.poll() is None, stderr.read_text()
                assert time.time() < deadline, "server did not start"
                time.sleep(0.1)
            p = json.loads(ports.read_text())
            http_in = httpclient.InferInput("float_input", [1, 4], "FP32")
            http_in.set_data_from_numpy(ROW)
            httpclient.InferenceServerClient(f"127.0.0.1:{p['http']}").infer("iris_classifier", [http_in])
            grpc = grpcclient.InferenceServerClient(f"127.0.0.1:{p['grpc']}")
            grpc_in = grpcclient.InferInput("float_input", [1, 4], "FP32")
            grpc_in.set_data_from_numpy(ROW)
            grpc.infer("iris_classifier", [grpc_in])
            with pytest.raises(InferenceServerException):
                grpc.infer("no_such_model", [grpc_in])
        finally:
            proc.terminate()
            assert proc.wait(timeout=30) == 0
    lines = [l for l in stderr.read_text().splitlines() if l.strip()]
    assert lines, "the server logged nothing"
    events = []
    for line in lines:
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError:
            pytest.fail(f"not a JSON line: {line!r}")
    for e in events:
        assert {"timestamp", "level", "loggerName", "message", "formattedMessage"} <= e.keys(), e
    loaded = [e for e in events if e["loggerName"] == "io.sluice.gateway.model.ModelManager"]
    assert "loaded model 'iris_classifier' version 1" in [e["formattedMessage"] for e in loaded], loaded
