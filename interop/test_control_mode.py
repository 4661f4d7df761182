"""Triton's model control modes through the built server, driven by tritonclient.

Two servers of this module's own, each on a copy of tiny_mlp: one in `poll` mode (from the flag,
polling every second), one in `none` mode (from a YAML --config file). In both, the repository
load and unload API is refused as Triton refuses it (UNAVAILABLE / 503, Triton's message),
counted, and nothing changes. The poll server follows a version folder added and removed; the
none server ignores it. The default (`explicit`) is what test_repository.py drives.
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
from tritonclient.utils import InferenceServerException

import helpers

REFUSAL = "explicit model load / unload is not allowed if polling is enabled"


def _start(tmp: Path, name: str, *args: str):
    java = os.environ.get("SLUICE_JAVA", "java")
    jar = os.environ.get("SLUICE_JAR_PATH")
    if not jar:
        pytest.fail("SLUICE_JAR_PATH is not set: run the suite through `bash interop/run.sh`", pytrace=False)
    repo = tmp / "repo"
    shutil.copytree(helpers.MODEL_REPO / "tiny_mlp", repo / "tiny_mlp")
    ports = tmp / "ports.json"
    log_dir = Path(os.environ.get("SLUICE_LOG_DIR", str(tmp)))
    log = open(log_dir / f"server-{name}.log", "w")
    proc = subprocess.Popen([java, "-jar", jar, "serve", "--model-repository", str(repo),
                             "--host", "127.0.0.1", "--http-port", "0", "--grpc-port", "0",
                             "--metrics-port", "0", "--ports-file", str(ports), *args],
                            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    deadline = time.time() + 120
    while not (ports.exists() and ports.stat().st_size > 0):
        assert proc.poll() is None, f"{name} server exited; see server-{name}.log"
        assert time.time() < deadline, f"{name} server did not start"
        time.sleep(0.1)
    p = json.loads(ports.read_text())
    server = {"repo": repo, "http": f"127.0.0.1:{p['http']}", "grpc": f"127.0.0.1:{p['grpc']}",
              "metrics": f"127.0.0.1:{p['metrics']}"}
    return proc, log, server


@pytest.fixture(scope="module")
def poll_server(tmp_path_factory):
    proc, log, server = _start(tmp_path_factory.mktemp("poll"), "poll",
                               "--model-control-mode", "poll", "--repository-poll-interval", "1")
    yield server
    proc.terminate()
    proc.wait(timeout=20)
    log.close()


@pytest.fixture(scope="module")
def none_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("none")
    config = tmp / "sluice.yaml"
    config.write_text("model-control-mode: none\n")
    proc, log, server = _start(tmp, "none", "--config", str(config))
    yield server
    proc.terminate()
    proc.wait(timeout=20)
    log.close()


def _served_version(server) -> str:
    client = httpclient.InferenceServerClient(server["http"])
    x = httpclient.InferInput("input", [1, 32], "FP32")
    x.set_data_from_numpy(np.full((1, 32), 0.5, dtype=np.float32))
    return client.infer("tiny_mlp", [x]).get_response()["model_version"]


def _unavailable_errors(server) -> float:
    samples = helpers.scrape(server["metrics"])
    return helpers.metric_sum(samples, "sluice_request_errors_total", code="UNAVAILABLE")


def _refused_everywhere(server, mode: str):
    before = _unavailable_errors(server)
    http = httpclient.InferenceServerClient(server["http"])
    grpc = grpcclient.InferenceServerClient(server["grpc"])
    for call in (lambda: http.load_model("tiny_mlp"), lambda: http.unload_model("tiny_mlp")):
        with pytest.raises(InferenceServerException, match=REFUSAL) as e:
            call()
        assert e.value.status() == "503", e.value
        assert f"model-control-mode {mode}" in e.value.message()
    for call in (lambda: grpc.load_model("tiny_mlp"), lambda: grpc.unload_model("tiny_mlp")):
        with pytest.raises(InferenceServerException, match=REFUSAL) as e:
            call()
        assert e.value.status() == "StatusCode.UNAVAILABLE", e.value
    assert http.is_model_ready("tiny_mlp")
    assert grpc.is_model_ready("tiny_mlp")
    assert _served_version(server) == "1"
    assert helpers.wait_for(lambda: _unavailable_errors(server) - before == 4, timeout=5), \
        helpers.scrape(server["metrics"])


def test_poll_mode_refuses_load_and_unload_like_triton_and_counts_them(poll_server):
    _refused_everywhere(poll_server, "poll")


def test_none_mode_from_yaml_refuses_load_and_unload_like_triton(none_server):
    _refused_everywhere(none_server, "none")


def test_the_repository_index_answers_in_every_mode(poll_server, none_server):
    for server in (poll_server, none_server):
        index = httpclient.InferenceServerClient(server["http"]).get_model_repository_index()
        assert [(e["name"], e["version"], e["state"]) for e in index] == [("tiny_mlp", "1", "READY")]


def test_poll_mode_serves_a_version_folder_added_and_falls_back_when_it_is_removed(poll_server):
    repo = poll_server["repo"] / "tiny_mlp"
    shutil.copytree(repo / "1", repo / "2")
    assert helpers.wait_for(lambda: _served_version(poll_server) == "2", timeout=15)
    shutil.rmtree(repo / "2")
    assert helpers.wait_for(lambda: _served_version(poll_server) == "1", timeout=15)


def test_none_mode_ignores_a_version_folder_added(none_server):
    repo = none_server["repo"] / "tiny_mlp"
    shutil.copytree(repo / "1", repo / "2")
    try:
        time.sleep(3)
        assert _served_version(none_server) == "1"
    finally:
        shutil.rmtree(repo / "2")
