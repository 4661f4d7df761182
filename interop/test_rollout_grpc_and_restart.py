"""The rollout admin over gRPC (grpcurl, through reflection), the route of each streamed answer
(tritonclient's stream API), and a traffic policy kept across a restart (--traffic-state-dir).

The module starts its own server, and restarts it, on a copy of the committed int_adder as
versions 1 and 3 (3 is v2's graph, which adds one more), with an admin token.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

import helpers

TOKEN = "interop-grpc-admin-token"
ADMIN = "sluice.admin.v1.TrafficAdmin"


class Server:
    """One server process on fixed folders; restart() stops it and starts a new one on them."""

    def __init__(self, root: Path):
        java = os.environ.get("SLUICE_JAVA", "java")
        jar = os.environ.get("SLUICE_JAR_PATH")
        if not jar:
            pytest.fail("SLUICE_JAR_PATH is not set: run the suite through `bash interop/run.sh`", pytrace=False)
        self.root = root
        self.state = root / "state"
        token = root / "token"
        token.write_text(TOKEN + "\n")
        self.ports = root / "ports.json"
        self.cmd = [java, "-jar", jar, "serve", "--model-repository", str(root / "repo"),
                    "--host", "127.0.0.1", "--http-port", "0", "--grpc-port", "0",
                    "--metrics-port", "0", "--ports-file", str(self.ports),
                    "--admin-token-file", str(token), "--traffic-state-dir", str(self.state),
                    "--drift-enabled", "false"]
        self.log_dir = Path(os.environ.get("SLUICE_LOG_DIR", str(root)))
        self.starts = 0
        self.proc = None
        self.start()

    def start(self):
        if self.ports.exists():
            self.ports.unlink()
        self.starts += 1
        self.log = open(self.log_dir / f"server-rollout-grpc-{self.starts}.log", "w")
        self.proc = subprocess.Popen(self.cmd, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        deadline = time.time() + 120
        while not (self.ports.exists() and self.ports.stat().st_size > 0):
            assert self.proc.poll() is None, "server exited; see server-rollout-grpc-*.log"
            assert time.time() < deadline, "server did not start"
            time.sleep(0.1)
        p = json.loads(self.ports.read_text())
        self.http = f"127.0.0.1:{p['http']}"
        self.grpc = f"127.0.0.1:{p['grpc']}"

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=20)
        self.log.close()

    def restart(self):
        self.stop()
        self.start()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("rollout-grpc")
    model = root / "repo" / "int_adder"
    model.mkdir(parents=True)
    src = helpers.MODEL_REPO / "int_adder"
    shutil.copy(src / "config.pbtxt", model / "config.pbtxt")
    for version, source in (("1", "1"), ("3", "2")):
        (model / version).mkdir()
        shutil.copy(src / source / "model.onnx", model / version / "model.onnx")
    s = Server(root)
    yield s
    s.stop()


def grpcurl(server, method: str, data: dict, token: str | None = TOKEN) -> subprocess.CompletedProcess:
    path = os.environ.get("GRPCURL")
    if not path:
        pytest.fail("GRPCURL is not set: run the suite through `bash interop/run.sh`", pytrace=False)
    cmd = [path, "-plaintext", "-d", json.dumps(data)]
    if token is not None:
        cmd += ["-H", f"authorization: Bearer {token}"]
    cmd += [server.grpc, f"{ADMIN}/{method}"]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


def traffic_over_grpc(server) -> dict:
    out = grpcurl(server, "GetTraffic", {"model": "int_adder"})
    assert out.returncode == 0, out.stderr
    return json.loads(json.loads(out.stdout)["traffic_json"])


def put_over_grpc(server, policy: dict) -> subprocess.CompletedProcess:
    return grpcurl(server, "PutTraffic", {"model": "int_adder", "policy_json": json.dumps(policy)})


def traffic_over_http(server) -> dict:
    status, out, _ = helpers.curl(f"http://{server.http}/v2/models/int_adder/traffic",
                                  "-H", f"Authorization: Bearer {TOKEN}")
    assert status == 200
    return json.loads(out)


def _inputs(module):
    ia = module.InferInput("a", [4], "INT64")
    ib = module.InferInput("b", [4], "INT64")
    ia.set_data_from_numpy(np.array([1, 2, 3, 4], dtype=np.int64))
    ib.set_data_from_numpy(np.array([10, 10, 10, 10], dtype=np.int64))
    return [ia, ib]


@pytest.fixture(autouse=True)
def stable_on_one(server):
    out = put_over_grpc(server, {"stable": "1"})
    assert out.returncode == 0, out.stderr


def test_a_policy_put_with_grpcurl_is_the_one_http_shows(server):
    out = put_over_grpc(server, {"stable": "1", "candidates": [{"version": "3", "weight": 20}]})

    assert out.returncode == 0, out.stderr
    answered = json.loads(json.loads(out.stdout)["traffic_json"])
    assert answered["policy"]["candidates"] == [{"version": "3", "weight": 20.0}]
    assert traffic_over_http(server)["policy"] == answered["policy"]


def test_a_bad_policy_over_grpc_is_invalid_argument_with_https_message(server):
    bad = {"stable": "1", "candidates": [{"version": "3", "weight": 150}]}
    before = traffic_over_http(server)["policy"]

    out = put_over_grpc(server, bad)
    status, body, _ = helpers.curl(f"http://{server.http}/v2/models/int_adder/traffic",
                                   "-X", "PUT", "-H", f"Authorization: Bearer {TOKEN}",
                                   "--data-binary", "@-", data=json.dumps(bad).encode())

    assert out.returncode != 0
    assert "InvalidArgument" in out.stderr, out.stderr
    assert status == 400
    message = json.loads(body)["error"]
    assert "candidates[0].weight: 150 (expected: a number from 0 to 100)" in message
    assert message in out.stderr
    assert traffic_over_http(server)["policy"] == before


def test_grpc_admin_without_the_token_is_unauthenticated_and_changes_nothing(server):
    before = traffic_over_http(server)["policy"]

    for token in (None, "wrong"):
        out = grpcurl(server, "PutTraffic", {"model": "int_adder", "policy_json": '{"stable": "3"}'},
                      token=token)
        assert out.returncode != 0
        assert "Unauthenticated" in out.stderr, out.stderr

    assert traffic_over_http(server)["policy"] == before


def test_every_streamed_answer_names_its_route(server):
    import tritonclient.grpc as grpcclient

    out = put_over_grpc(server, {"stable": "1", "candidates": [{"version": "3", "weight": 50}]})
    assert out.returncode == 0, out.stderr
    client = grpcclient.InferenceServerClient(server.grpc)
    results: queue.Queue = queue.Queue()
    client.start_stream(callback=lambda result, error: results.put((result, error)))
    try:
        n = 100
        for i in range(n):
            client.async_stream_infer("int_adder", _inputs(grpcclient), request_id=str(i))
        answers = [results.get(timeout=30) for _ in range(n)]
    finally:
        client.stop_stream()
        client.close()

    routes = {}
    for result, error in answers:
        assert error is None, error
        response = result.get_response()
        route = response.parameters["sluice_route"].string_param
        assert route == ("canary" if response.model_version == "3" else "stable")
        routes[route] = routes.get(route, 0) + 1
    assert set(routes) == {"stable", "canary"}, routes


def test_a_policy_is_in_force_after_a_restart_and_splits_the_requests(server):
    import tritonclient.http as httpclient

    policy = {"stable": "1", "candidates": [{"version": "3", "weight": 10}]}
    status, _, _ = helpers.curl(f"http://{server.http}/v2/models/int_adder/traffic",
                                "-X", "PUT", "-H", f"Authorization: Bearer {TOKEN}",
                                "--data-binary", "@-", data=json.dumps(policy).encode())
    assert status == 200
    before = traffic_over_http(server)["policy"]

    server.restart()

    after = traffic_over_grpc(server)
    assert after["policy"] == before
    assert after["restored"]["restored"] is True and after["restored"]["problems"] == []
    client = httpclient.InferenceServerClient(server.http, concurrency=4)
    n = 2000
    results = [client.async_infer("int_adder", _inputs(httpclient)) for _ in range(n)]
    versions = [r.get_result().get_response()["model_version"] for r in results]
    client.close()
    canary = versions.count("3")
    assert versions.count("1") + canary == n
    lo, hi = helpers.split_bounds(n, 0.1)
    assert lo <= canary <= hi, (canary, lo, hi)
