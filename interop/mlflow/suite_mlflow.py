"""Sluice following a real MLflow registry, asked by tritonclient over HTTP and gRPC.

Started by interop/mlflow/run.sh (not by interop/run.sh: this file's name keeps it out of the
main suite). The server follows 'fraud' (versions 1..5 logged by register.py: 1 and 2 good with
different weights, 3 a signature that does not match the graph, 4 a corrupted model.onnx, 5 with
its own config.pbtxt) beside the folder repository examples/model_repository. The tests run in
file order and each sets the aliases it needs.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import numpy as np
import pytest
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "examples"))
sys.path.insert(0, str(ROOT / "interop"))

import helpers  # noqa: E402
from make_models import build_mlp, mlp_reference  # noqa: E402

HTTP = os.environ.get("SLUICE_HTTP_URL", "")
GRPC = os.environ.get("SLUICE_GRPC_URL", "")
METRICS = os.environ.get("SLUICE_METRICS_URL", "")
MLFLOW = os.environ.get("MLFLOW_URI", "")
POLL = float(os.environ.get("MLFLOW_POLL_SECONDS", "2"))
# One poll interval with its jitter, plus a load and warm-up of the tiny graph on a busy box.
FOLLOW_S = POLL * 1.1 + 5.0
X = np.random.default_rng(7).standard_normal((1, 32)).astype(np.float32)

if not HTTP or not MLFLOW:
    pytest.skip("run through interop/mlflow/run.sh", allow_module_level=True)


def expected(seed: int) -> float:
    _, params = build_mlp("fraud", [32, 64, 1], seed=seed)
    return float(mlp_reference(X, params)[0, 0])


def set_alias(alias: str, version: int, model: str = "fraud") -> None:
    body = json.dumps({"name": model, "alias": alias, "version": str(version)}).encode()
    req = urllib.request.Request(MLFLOW + "/api/2.0/mlflow/registered-models/alias", data=body,
                                 headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=30) as r:
        assert r.status == 200


def delete_alias(alias: str) -> None:
    body = json.dumps({"name": "fraud", "alias": alias}).encode()
    req = urllib.request.Request(MLFLOW + "/api/2.0/mlflow/registered-models/alias", data=body,
                                 headers={"Content-Type": "application/json"}, method="DELETE")
    with urllib.request.urlopen(req, timeout=30) as r:
        assert r.status == 200


def http_answer(client, version: str = "") -> tuple[str, float]:
    inp = httpclient.InferInput("input", [1, 32], "FP32")
    inp.set_data_from_numpy(X)
    r = client.infer("fraud", [inp], model_version=version)
    return r.get_response()["model_version"], float(r.as_numpy("output")[0, 0])


def grpc_answer(client, version: str = "") -> tuple[str, float]:
    inp = grpcclient.InferInput("input", [1, 32], "FP32")
    inp.set_data_from_numpy(X)
    r = client.infer("fraud", [inp], model_version=version)
    return r.get_response().model_version, float(r.as_numpy("output")[0, 0])


def index() -> list[dict]:
    req = urllib.request.Request(helpers.http_base(HTTP) + "/v2/repository/index", data=b"{}",
                                 method="POST")
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


def wait_served(client, version: int, timeout: float) -> float:
    """Seconds until a request naming no version is answered by `version`."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if http_answer(client)[0] == str(version):
            return time.monotonic() - start
        time.sleep(0.05)
    pytest.fail(f"version {version} not served within {timeout} s; index {index()}")


@pytest.fixture(scope="module")
def http():
    c = httpclient.InferenceServerClient(HTTP, concurrency=4, network_timeout=60.0)
    yield c
    c.close()


@pytest.fixture(scope="module")
def grpc():
    c = grpcclient.InferenceServerClient(GRPC)
    yield c
    c.close()


def test_the_champion_answers_over_http_and_grpc_beside_the_folder_models(http, grpc):
    set_alias("champion", 1)
    wait_served(http, 1, FOLLOW_S)
    version, value = http_answer(http)
    assert version == "1"
    assert value == pytest.approx(expected(1), rel=1e-4, abs=1e-4)
    assert grpc_answer(grpc)[1] == pytest.approx(expected(1), rel=1e-4, abs=1e-4)
    assert http.is_model_ready("tiny_mlp") and http.is_server_ready()
    meta = http.get_model_metadata("fraud")
    assert meta["inputs"] == [{"name": "input", "datatype": "FP32", "shape": [-1, 32]}]


def test_an_alias_move_is_served_within_one_poll_interval(http, grpc):
    set_alias("champion", 1)
    wait_served(http, 1, FOLLOW_S)
    set_alias("champion", 2)
    took = wait_served(http, 2, FOLLOW_S)
    print(f"\nalias move to first answer from the new version: {took:.2f} s (poll {POLL} s)")
    assert http_answer(http)[1] == pytest.approx(expected(2), rel=1e-4, abs=1e-4)
    assert grpc_answer(grpc)[0] == "2"
    # The old version is retired (its files stay cached for a quick rollback).
    assert helpers.wait_for(
        lambda: [e["version"] for e in index() if e["name"] == "fraud"] == ["2"],
        timeout=FOLLOW_S)


def test_other_aliases_are_served_by_explicit_version(http, grpc):
    set_alias("champion", 2)
    set_alias("challenger", 1)
    helpers.wait_for(lambda: any(e["name"] == "fraud" and e["version"] == "1"
                                 and e["state"] == "READY" for e in index()), timeout=FOLLOW_S)
    assert http_answer(http, "1") == ("1", pytest.approx(expected(1), rel=1e-4, abs=1e-4))
    assert grpc_answer(grpc, "1")[0] == "1"
    assert http_answer(http)[0] == "2"


def test_a_signed_webhook_moves_a_server_that_polls_every_five_minutes(http):
    """Server B polls every 300 s; an MLflow webhook (HMAC-signed) tells it of the move."""
    b = httpclient.InferenceServerClient(os.environ["SLUICE_B_HTTP_URL"], network_timeout=60.0)
    secret = Path(os.environ["WEBHOOK_SECRET_FILE"]).read_text().strip()
    body = json.dumps({"name": "sluice-b", "url": "http://" + os.environ["SLUICE_B_HTTP_URL"]
                       + "/v2/registry/webhook", "secret": secret,
                       "events": [{"entity": "MODEL_VERSION_ALIAS", "action": "CREATED"}]})
    req = urllib.request.Request(MLFLOW + "/api/2.0/mlflow/webhooks", data=body.encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=30) as r:
        assert r.status == 200
    time.sleep(2)  # MLFLOW_WEBHOOK_CACHE_TTL=1: the server sees the subscription
    try:
        before = http_answer(b)[0]
        target = 1 if before == "2" else 2
        set_alias("champion", target)
        took = wait_served(b, target, 60)
        print(f"\nwebhook: alias move to first answer from server B: {took:.2f} s")
        # Far inside B's 5-minute poll: the webhook moved it.
        assert took < 30
        samples = helpers.scrape(os.environ["SLUICE_B_METRICS_URL"])
        assert helpers.metric_sum(samples, "sluice_registry_webhooks_total", result="accepted") >= 1
        # An unsigned delivery is refused with the protocol's error shape.
        code, payload, _ = helpers.curl(helpers.http_base(os.environ["SLUICE_B_HTTP_URL"])
                                        + "/v2/registry/webhook", "-X", "POST", "--data-binary", "@-",
                                        data=b"{}")
        assert code == 401 and "error" in json.loads(payload)
    finally:
        b.close()


def refused(version: int, text: str):
    def check():
        for e in index():
            if e["name"] == "fraud" and e["version"] == str(version):
                return e["state"] == "UNAVAILABLE" and text in e["reason"] and e
        return False
    return check


def test_a_version_whose_graph_does_not_match_its_signature_is_refused(http):
    set_alias("champion", 2)
    wait_served(http, 2, FOLLOW_S)
    set_alias("champion", 3)
    entry = helpers.wait_for(refused(3, "signature"), timeout=FOLLOW_S)
    assert entry, index()
    assert "int64" in entry["reason"]
    assert http_answer(http)[0] == "2"
    assert http.is_server_ready()
    samples = helpers.scrape(METRICS)
    assert helpers.metric_sum(samples, "sluice_registry_version_failures_total", model="fraud",
                              step="load") >= 1


def test_a_corrupt_model_file_is_refused_and_the_old_version_serves(http):
    set_alias("champion", 4)
    entry = helpers.wait_for(refused(4, "load"), timeout=FOLLOW_S)
    assert entry, index()
    assert http_answer(http)[0] == "2"
    assert http.is_server_ready()


def test_a_version_with_its_own_config_pbtxt_is_served_with_it(http):
    set_alias("champion", 5)
    wait_served(http, 5, FOLLOW_S)
    config = http.get_model_config("fraud", "5")
    assert config["max_batch_size"] == 8
    set_alias("champion", 2)
    wait_served(http, 2, FOLLOW_S)


def test_with_the_registry_down_the_last_versions_serve_and_it_recovers(http):
    set_alias("champion", 2)
    wait_served(http, 2, FOLLOW_S)
    subprocess.run(["bash", str(ROOT / "scripts/mlflow-server.sh"), "stop",
                    os.environ["MLFLOW_DIR"]], check=True)
    try:
        stale = helpers.wait_for(lambda: helpers.metric_sum(helpers.scrape(METRICS),
                                 "sluice_registry_stale_seconds", model="fraud") > 0,
                                 timeout=POLL * 3 + 20)
        assert stale
        assert http_answer(http)[0] == "2"
        assert http.is_server_ready() and http.is_model_ready("fraud")
        assert helpers.metric_sum(helpers.scrape(METRICS), "sluice_registry_poll_errors_total",
                                  model="fraud") >= 1
        # The index says since when, on the version still serving.
        rows = [e for e in index() if e["name"] == "fraud"]
        assert rows and all(e["state"] == "READY" and "registry is stale since" in e["reason"]
                            for e in rows), rows
    finally:
        subprocess.run(["bash", str(ROOT / "scripts/mlflow-server.sh"), "start",
                        os.environ["MLFLOW_DIR"]], check=True, stdout=subprocess.DEVNULL)
    set_alias("champion", 1)
    wait_served(http, 1, FOLLOW_S + 10)
    assert helpers.wait_for(lambda: helpers.metric_sum(helpers.scrape(METRICS),
                            "sluice_registry_stale_seconds", model="fraud") == 0, timeout=FOLLOW_S)
    assert all(e["reason"] == "" for e in index() if e["name"] == "fraud")


def rss_kib(pid: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_alias_moves_under_http_and_grpc_load_fail_no_request(http):
    """Moves the champion between versions 1 and 2 while four clients ask (5 ms think time)."""
    moves = int(os.environ.get("MLFLOW_SWAPS", "10"))
    delete_alias("challenger")  # each move then loads one version and retires the other
    set_alias("champion", 1)
    wait_served(http, 1, FOLLOW_S)
    stop = threading.Event()
    failures: list[str] = []
    latencies: dict[str, list[float]] = {"steady": [], "swaps": []}
    phase = ["steady"]
    answered = {"1": 0, "2": 0}

    def run(kind: str):
        client = (httpclient.InferenceServerClient(HTTP, network_timeout=60.0) if kind == "http"
                  else grpcclient.InferenceServerClient(GRPC))
        ask = http_answer if kind == "http" else grpc_answer
        try:
            while not stop.is_set():
                t = time.perf_counter()
                try:
                    version, _ = ask(client)
                    answered[version] = answered.get(version, 0) + 1
                except Exception as e:  # noqa: BLE001 - every failure is the finding
                    failures.append(f"{kind}: {e}")
                latencies[phase[0]].append(time.perf_counter() - t)
                time.sleep(0.005)
        finally:
            client.close()

    threads = [threading.Thread(target=run, args=(k,), daemon=True)
               for k in ("http", "http", "grpc", "grpc")]
    for t in threads:
        t.start()
    follow = []
    try:
        time.sleep(3)
        rss_before = rss_kib(os.environ["SLUICE_PID"])
        phase[0] = "swaps"
        for i in range(moves):
            target = 2 if i % 2 == 0 else 1
            set_alias("champion", target)
            # Generous: this test counts failures; the move's latency is measured and printed.
            follow.append(wait_served(http, target, FOLLOW_S * 4))
        phase[0] = "steady"
        time.sleep(3)
    finally:
        stop.set()
        for t in threads:
            t.join(60)
    rss_after = rss_kib(os.environ["SLUICE_PID"])

    def p99(xs):
        return statistics.quantiles(xs, n=100)[98] * 1000 if len(xs) > 100 else float("nan")

    print(f"\n{moves} champion moves under 2 HTTP + 2 gRPC clients: {len(failures)} failed,"
          f" answers {answered}; p99 steady {p99(latencies['steady']):.2f} ms,"
          f" during swaps {p99(latencies['swaps']):.2f} ms; alias move to first answer"
          f" median {statistics.median(follow):.2f} s, max {max(follow):.2f} s;"
          f" RSS {rss_before} KiB before, {rss_after} KiB after")
    assert failures == [], failures[:5]
    assert answered["1"] > 0 and answered["2"] > 0
    # The cache holds the version serving and at most two recent ones, not every version seen.
    cached = [p for p in (Path(os.environ["MLFLOW_CACHE"]) / "fraud").iterdir()
              if p.is_dir() and not p.name.startswith(".")]
    assert 1 <= len(cached) <= 3, cached


# --------------------------------------------------------------------------- faults (server C)
# Server C reaches MLflow through interop/mlflow/fault_proxy.py; each test arms one fault.

def fault(**spec) -> None:
    req = urllib.request.Request(os.environ["FAULT_PROXY_URL"] + "/__fault",
                                 data=json.dumps(spec).encode(), method="POST")
    with urllib.request.urlopen(req, timeout=30) as r:
        assert r.status == 200


def proxy_log() -> list:
    with urllib.request.urlopen(os.environ["FAULT_PROXY_URL"] + "/__log", timeout=30) as r:
        return [json.loads(line) for line in r.read().decode().splitlines() if line]


def c_metric(name: str, **labels) -> float:
    return helpers.metric_sum(helpers.scrape(os.environ["SLUICE_C_METRICS_URL"]), name, **labels)


def c_index() -> list[dict]:
    req = urllib.request.Request(helpers.http_base(os.environ["SLUICE_C_HTTP_URL"])
                                 + "/v2/repository/index", data=b"{}", method="POST")
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


@pytest.fixture(scope="module")
def c():
    client = httpclient.InferenceServerClient(os.environ["SLUICE_C_HTTP_URL"],
                                              network_timeout=60.0)
    yield client
    fault(mode="off")
    client.close()


def test_a_429_with_retry_after_is_waited_out_and_the_move_still_lands(c):
    set_alias("champion", 1)
    wait_served(c, 1, FOLLOW_S + 10)
    fault(mode="status", status=429, retry_after=2, match="registered-models/get", count=1)
    set_alias("champion", 2)
    wait_served(c, 2, FOLLOW_S + 10)
    gets = [e for e in proxy_log() if "registered-models/get" in e[1]]
    refused_at = next(i for i, e in enumerate(gets) if e[2] == 429)
    assert gets[refused_at + 1][0] - gets[refused_at][0] >= 2.0, gets[refused_at:refused_at + 2]


def test_500s_keep_the_last_version_serving_counted_until_the_registry_recovers(c):
    set_alias("champion", 2)
    wait_served(c, 2, FOLLOW_S + 10)
    errors = c_metric("sluice_registry_poll_errors_total", model="fraud")
    fault(mode="status", status=500, match="registered-models/get", count=-1)
    try:
        set_alias("champion", 1)
        assert helpers.wait_for(lambda: c_metric("sluice_registry_poll_errors_total",
                                                 model="fraud") > errors, timeout=60)
        assert http_answer(c)[0] == "2"
        assert c.is_server_ready()
        assert c_metric("sluice_registry_stale_seconds", model="fraud") > 0
    finally:
        fault(mode="off")
    wait_served(c, 1, FOLLOW_S + 10)


def test_a_truncated_download_is_retried_while_the_old_version_serves(c):
    set_alias("champion", 1)
    wait_served(c, 1, FOLLOW_S + 10)
    failures = c_metric("sluice_registry_version_failures_total", model="fraud", step="fetch")
    fault(mode="truncate", match="model.onnx", count=-1)
    try:
        set_alias("champion", 6)
        assert helpers.wait_for(lambda: c_metric("sluice_registry_version_failures_total",
                                model="fraud", step="fetch") > failures, timeout=90)
        assert http_answer(c)[0] == "1"
        assert c.is_server_ready()
    finally:
        fault(mode="off")
    wait_served(c, 6, FOLLOW_S + 10)
    assert http_answer(c)[1] == pytest.approx(expected(6), rel=1e-4, abs=1e-4)


def test_an_artifact_path_with_dotdot_is_refused_with_its_reason(c):
    set_alias("champion", 6)
    wait_served(c, 6, FOLLOW_S + 10)
    fault(mode="dotdot", match="mlflow-artifacts/artifacts?", count=-1)
    try:
        set_alias("champion", 7)

        def refused_c():
            for e in c_index():
                if e["name"] == "fraud" and e["version"] == "7":
                    return e["state"] == "UNAVAILABLE" and "artifact path" in e["reason"] and e
            return False
        entry = helpers.wait_for(refused_c, timeout=FOLLOW_S + 20)
        assert entry, c_index()
        assert "verify" in entry["reason"]
        assert http_answer(c)[0] == "6"
        assert c.is_server_ready()
    finally:
        fault(mode="off")
        set_alias("champion", 1)


# ------------------------------------------------------------- alias-driven rollouts (server D)
# Server D follows 'churn' with --mlflow-rollout: versions 1-3 have the same weights, 4 others.
# Each challenger move starts shadow (3 s), then canary 5% -> 25% -> 50% (3 s each); the end is
# written back to MLflow. Two HTTP and one gRPC client ask all the while; none may fail.

def mlflow_get(endpoint: str, **params) -> dict:
    query = "&".join(f"{k}={urllib.parse.quote(str(v))}" for k, v in params.items())
    with urllib.request.urlopen(f"{MLFLOW}/api/2.0/mlflow/{endpoint}?{query}", timeout=30) as r:
        return json.loads(r.read())


def churn_alias(alias: str) -> str | None:
    aliases = mlflow_get("registered-models/get", name="churn")["registered_model"].get("aliases", [])
    return next((a["version"] for a in aliases if a["alias"] == alias), None)


def churn_tags(version: int) -> dict:
    mv = mlflow_get("model-versions/get", name="churn", version=version)["model_version"]
    return {t["key"]: t["value"] for t in mv.get("tags", [])}


def d_traffic() -> dict:
    code, body, _ = helpers.curl(helpers.http_base(os.environ["SLUICE_D_HTTP_URL"])
                                 + "/v2/models/churn/traffic")
    return json.loads(body) if code == 200 else {}


def d_rollout() -> dict:
    return d_traffic().get("rollout") or {}


class ChurnLoad:
    """Two HTTP clients and one gRPC client asking 'churn' on server D until stopped."""

    def __init__(self):
        self.stop = threading.Event()
        self.failures: list[str] = []
        self.answered: dict[str, int] = {}
        self.threads = [threading.Thread(target=self.run, args=(k,), daemon=True)
                        for k in ("http", "http", "grpc")]

    def run(self, kind: str):
        d = os.environ["SLUICE_D_HTTP_URL"]
        client = (httpclient.InferenceServerClient(d, network_timeout=60.0) if kind == "http"
                  else grpcclient.InferenceServerClient(self.grpc_url()))
        try:
            while not self.stop.is_set():
                try:
                    if kind == "http":
                        inp = httpclient.InferInput("input", [1, 32], "FP32")
                        inp.set_data_from_numpy(X)
                        v = client.infer("churn", [inp]).get_response()["model_version"]
                    else:
                        inp = grpcclient.InferInput("input", [1, 32], "FP32")
                        inp.set_data_from_numpy(X)
                        v = client.infer("churn", [inp]).get_response().model_version
                    self.answered[v] = self.answered.get(v, 0) + 1
                except Exception as e:  # noqa: BLE001 - every failure is the finding
                    self.failures.append(f"{kind}: {e}")
                time.sleep(0.002)
        finally:
            client.close()

    @staticmethod
    def grpc_url() -> str:
        return os.environ["SLUICE_D_GRPC_URL"]

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(60)


def rollout_of(version: int, timeout: float) -> dict:
    """Waits until server D's rollout of `version` has ended; returns its status."""
    def ended():
        r = d_rollout()
        return (r.get("candidate") == str(version) and r.get("outcome") != "running"
                and "registry" in r and r)
    r = helpers.wait_for(ended, timeout=timeout, interval=0.2)
    assert r, d_traffic()
    return r


# Shadow, three steps, a poll to notice the move and a load: well inside this on a busy box.
ROLLOUT_S = 3 + 3 * 3 + FOLLOW_S + 30


def test_a_challenger_that_agrees_is_rolled_out_and_champion_moved_in_mlflow():
    with ChurnLoad() as load:
        time.sleep(2)
        set_alias("challenger", 2, model="churn")
        r = rollout_of(2, ROLLOUT_S)
        assert helpers.wait_for(lambda: churn_alias("champion") == "2", timeout=10), r
        time.sleep(FOLLOW_S)  # the follower sees its own move: version 1 retired, 2 serves on
    print(f"\nalias-driven rollout of churn 2: {r}; answers {load.answered},"
          f" {len(load.failures)} failed")
    assert r["outcome"] == "promoted", r
    assert "champion moved to version 2" in r["registry"]
    assert d_traffic()["policy"]["stable"] == "2"
    assert load.failures == [], load.failures[:5]
    assert load.answered.get("2", 0) > 0
    samples = helpers.scrape(os.environ["SLUICE_D_METRICS_URL"])
    assert helpers.metric_sum(samples, "sluice_alias_rollouts_total", model="churn",
                              outcome="promoted") == 1


def test_a_challenger_whose_answers_disagree_is_rolled_back_and_tagged_in_mlflow():
    with ChurnLoad() as load:
        time.sleep(1)
        set_alias("challenger", 4, model="churn")
        r = rollout_of(4, ROLLOUT_S)
    print(f"\nalias-driven rollout of churn 4 (other weights): {r}; answers {load.answered},"
          f" {len(load.failures)} failed")
    assert r["outcome"].startswith("rolled back"), r
    assert "agreement" in r["outcome"], r
    tags = churn_tags(4)
    assert tags.get("sluice.rollback") == r["outcome"], tags
    assert churn_alias("champion") == "2"
    assert d_traffic()["policy"]["stable"] == "2"
    assert load.failures == [], load.failures[:5]


def test_a_challenger_failing_half_its_requests_is_rolled_back_with_no_client_error():
    d = helpers.http_base(os.environ["SLUICE_D_HTTP_URL"])
    # Loaded first under the 'shadow' alias (no rollout), so its faults are set before it
    # becomes the challenger.
    set_alias("shadow", 3, model="churn")
    assert helpers.wait_for(lambda: any(
        e["name"] == "churn" and e["version"] == "3" and e["state"] == "READY"
        for e in json.loads(helpers.curl(d + "/v2/repository/index", "-X", "POST", "-d", "{}")[1])),
        timeout=FOLLOW_S)
    code, body, _ = helpers.curl(d + "/v2/models/churn/versions/3/faults", "-X", "PUT",
                                 "--data-binary", "@-", data=b'{"error_rate": 0.5, "delay_ms": 0}')
    assert code == 200, body
    with ChurnLoad() as load:
        time.sleep(1)
        set_alias("challenger", 3, model="churn")
        r = rollout_of(3, ROLLOUT_S)
    print(f"\nalias-driven rollout of churn 3 (50% injected errors): {r};"
          f" answers {load.answered}, {len(load.failures)} failed")
    assert r["outcome"].startswith("rolled back"), r
    assert churn_tags(3).get("sluice.rollback") == r["outcome"]
    assert churn_alias("champion") == "2"
    assert load.failures == [], load.failures[:5]
