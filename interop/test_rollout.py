"""Safe rollouts with the clients users have: tritonclient (HTTP and gRPC) and curl.

The module starts its own server (a rollout changes the model's routing for everyone) on a
copy of the committed int_adder: versions 1 and 2 are the same graph (v1's file), version 3 is
v2's file, which adds one more. The admin API is behind a bearer token.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import helpers

TOKEN = "interop-rollout-token"


def _jar() -> tuple[str, str]:
    jar = os.environ.get("SLUICE_JAR_PATH")
    if not jar:
        pytest.fail("SLUICE_JAR_PATH is not set: run the suite through `bash interop/run.sh`", pytrace=False)
    return os.environ.get("SLUICE_JAVA", "java"), jar


@pytest.fixture(scope="module")
def rollout_server(tmp_path_factory):
    java, jar = _jar()
    root = tmp_path_factory.mktemp("rollout")
    model = root / "repo" / "int_adder"
    model.mkdir(parents=True)
    src = helpers.MODEL_REPO / "int_adder"
    shutil.copy(src / "config.pbtxt", model / "config.pbtxt")
    for version, source in (("1", "1"), ("2", "1"), ("3", "2")):
        (model / version).mkdir()
        shutil.copy(src / source / "model.onnx", model / version / "model.onnx")
    token = root / "token"
    token.write_text(TOKEN + "\n")
    ports = root / "ports.json"
    log_dir = Path(os.environ.get("SLUICE_LOG_DIR", str(root)))
    log = open(log_dir / "server-rollout.log", "w")
    proc = subprocess.Popen([java, "-jar", jar, "serve", "--model-repository", str(root / "repo"),
                             "--host", "127.0.0.1", "--http-port", "0", "--grpc-port", "0",
                             "--metrics-port", "0", "--ports-file", str(ports),
                             "--admin-token-file", str(token), "--context-headers", "x-user-id",
                             "--drift-enabled", "false"],
                            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    deadline = time.time() + 120
    while not (ports.exists() and ports.stat().st_size > 0):
        assert proc.poll() is None, "rollout server exited; see server-rollout.log"
        assert time.time() < deadline, "rollout server did not start"
        time.sleep(0.1)
    p = json.loads(ports.read_text())
    yield {"http": f"127.0.0.1:{p['http']}", "grpc": f"127.0.0.1:{p['grpc']}",
           "metrics": f"127.0.0.1:{p['metrics']}"}
    proc.terminate()
    proc.wait(timeout=20)
    log.close()


def admin(server, method: str, path: str, body: dict | None = None, token: str | None = TOKEN):
    args = ["-X", method, "-H", "Content-Type: application/json"]
    if token is not None:
        args += ["-H", f"Authorization: Bearer {token}"]
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        args += ["--data-binary", "@-"]
    status, out, _ = helpers.curl(f"http://{server['http']}/v2/models/int_adder{path}", *args, data=data)
    return status, (json.loads(out) if out else None)


@pytest.fixture(autouse=True)
def stable_on_one(rollout_server):
    assert admin(rollout_server, "PUT", "/traffic", {"stable": "1"})[0] == 200
    for v in ("1", "2", "3"):
        assert admin(rollout_server, "PUT", f"/versions/{v}/faults", {})[0] == 200


def _inputs(module):
    a = np.array([1, 2, 3, 4], dtype=np.int64)
    b = np.array([10, 10, 10, 10], dtype=np.int64)
    ia = module.InferInput("a", [4], "INT64")
    ib = module.InferInput("b", [4], "INT64")
    ia.set_data_from_numpy(a)
    ib.set_data_from_numpy(b)
    return [ia, ib]


def test_a_ninety_ten_split_lands_within_the_binomial_bound(rollout_server):
    import tritonclient.http as httpclient

    assert admin(rollout_server, "PUT", "/traffic",
                 {"stable": "1", "candidates": [{"version": "3", "weight": 10}]})[0] == 200
    client = httpclient.InferenceServerClient(rollout_server["http"], concurrency=4)
    n = 3000
    results = [client.async_infer("int_adder", _inputs(httpclient)) for _ in range(n)]
    versions = [r.get_result().get_response()["model_version"] for r in results]
    canary = versions.count("3")
    assert versions.count("1") + canary == n
    lo, hi = helpers.split_bounds(n, 0.1)
    assert lo <= canary <= hi, (canary, lo, hi)


def test_a_pin_reaches_its_version_over_http_and_grpc_and_says_so(rollout_server):
    import tritonclient.grpc as grpcclient
    import tritonclient.http as httpclient

    h = httpclient.InferenceServerClient(rollout_server["http"])
    r = h.infer("int_adder", _inputs(httpclient), headers={"x-sluice-version": "3"})
    assert r.get_response()["model_version"] == "3"
    assert r.as_numpy("sum").tolist() == [12, 13, 14, 15]
    g = grpcclient.InferenceServerClient(rollout_server["grpc"])
    r = g.infer("int_adder", _inputs(grpcclient), headers={"x-sluice-version": "3"})
    assert r.get_response().model_version == "3"
    body = json.dumps({"inputs": [
        {"name": "a", "shape": [4], "datatype": "INT64", "data": [1, 2, 3, 4]},
        {"name": "b", "shape": [4], "datatype": "INT64", "data": [1, 1, 1, 1]}]}).encode()
    status, _, err = helpers.curl(f"http://{rollout_server['http']}/v2/models/int_adder/infer", "-v",
                                  "-H", "x-sluice-version: 9", "--data-binary", "@-", data=body)
    assert status == 404
    status, _, err = helpers.curl(f"http://{rollout_server['http']}/v2/models/int_adder/infer", "-v",
                                  "-H", "x-sluice-version: 3", "--data-binary", "@-", data=body)
    assert status == 200 and "x-sluice-route: pinned" in err.lower()


def test_a_bad_policy_or_a_missing_token_changes_nothing(rollout_server):
    before = admin(rollout_server, "GET", "/traffic")[1]["policy"]
    status, body = admin(rollout_server, "PUT", "/traffic",
                         {"stable": "1", "candidates": [{"version": "3", "weight": 101}]})
    assert status == 400 and "expected" in body["error"]
    assert admin(rollout_server, "PUT", "/traffic", {"stable": "3"}, token=None)[0] == 401
    assert admin(rollout_server, "PUT", "/traffic", {"stable": "3"}, token="wrong")[0] == 401
    assert admin(rollout_server, "GET", "/traffic")[1]["policy"] == before


def test_injected_errors_on_a_canary_roll_it_back_and_clients_see_almost_none(rollout_server):
    import tritonclient.http as httpclient

    assert admin(rollout_server, "PUT", "/traffic",
                 {"stable": "1", "candidates": [{"version": "3", "weight": 10}]})[0] == 200
    assert admin(rollout_server, "PUT", "/versions/3/faults", {"error_rate": 0.5, "delay_ms": 0})[0] == 200
    client = httpclient.InferenceServerClient(rollout_server["http"], concurrency=8)
    failures = []
    total = 0

    def load():
        nonlocal total
        for _ in range(400):
            try:
                client.infer("int_adder", _inputs(httpclient))
            except Exception as e:  # noqa: BLE001 (any client-side failure counts)
                failures.append(e)
            total += 1

    threads = [threading.Thread(target=load) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(failures) <= 0.001 * total, failures[:3]
    state = admin(rollout_server, "GET", "/traffic")[1]
    candidate = state["state"]["candidates"][0]
    assert candidate["state"] == "rolled_back" and candidate["reason"] == "error_rate"
    assert candidate["weight"] == 0
    assert state["faults"][0]["injected_errors"] > 0
    samples = helpers.scrape(rollout_server["metrics"])
    assert helpers.metric_sum(samples, "sluice_rollbacks_total", model="int_adder", version="3",
                              reason="error_rate") == 1


def test_a_shadow_copy_of_the_same_model_agrees_fully_and_never_changes_the_answer(rollout_server):
    import tritonclient.http as httpclient

    client = httpclient.InferenceServerClient(rollout_server["http"])
    without = client.infer("int_adder", _inputs(httpclient)).as_numpy("sum").tobytes()
    assert admin(rollout_server, "PUT", "/traffic", {"stable": "1", "shadows": [
        {"version": "2", "fraction": 1.0}, {"version": "3", "fraction": 1.0}]})[0] == 200
    for _ in range(100):
        r = client.infer("int_adder", _inputs(httpclient))
        assert r.as_numpy("sum").tobytes() == without
        assert r.get_response()["model_version"] == "1"

    def scores():
        s = {x["shadow"]: x for x in admin(rollout_server, "GET", "/traffic")[1]["shadow_scores"]
             if x["primary"] == "1"}
        done = all(k in s and s[k]["agree"] + s[k]["disagree"] >= 100 for k in ("2", "3"))
        return s if done else None

    s = helpers.wait_for(scores, timeout=20)
    assert s, admin(rollout_server, "GET", "/traffic")[1]
    assert s["2"]["agreement"] == 1.0
    assert s["3"]["agreement"] == 0.0
