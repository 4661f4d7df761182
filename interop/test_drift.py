"""The drift monitor through the built server, driven by tritonclient.

Each test module's server is its own (started here from the jar, on ephemeral ports) so that a
drift window sees only the traffic these tests send. The reference is built by the Java CLI
(`sluice profile`) from examples/data/iris_train.csv; the drift endpoint's KS and chi-square are
compared with scipy on the very rows sent. Then drifted traffic (every feature shifted by 0.5
reference standard deviations) raises the alert: the webhook receiver gets the HMAC-signed
payload and /drift names the drifted features.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import numpy as np
import pytest
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException
from scipy import stats

import helpers

ROOT = helpers.ROOT
IRIS_CSV = ROOT / "examples" / "data" / "iris_train.csv"
SECRET = "interop-secret"
FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]


def _jar() -> tuple[str, str]:
    jar = os.environ.get("SLUICE_JAR_PATH")
    if not jar:
        pytest.fail("SLUICE_JAR_PATH is not set: run the suite through `bash interop/run.sh`", pytrace=False)
    return os.environ.get("SLUICE_JAVA", "java"), jar


class _Receiver(BaseHTTPRequestHandler):
    bodies: list = []

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        good = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        _Receiver.bodies.append((self.headers.get("X-Sluice-Signature") == good, json.loads(body)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def receiver():
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


@pytest.fixture(scope="module")
def cli_profile(tmp_path_factory) -> Path:
    java, jar = _jar()
    out = tmp_path_factory.mktemp("profile") / "reference_profile.json"
    subprocess.run([java, "-jar", jar, "profile",
                    "--config", str(helpers.MODEL_REPO / "iris_classifier" / "config.pbtxt"),
                    "--data", str(IRIS_CSV), "--out", str(out),
                    "--dataset-name", "iris_train.csv", "--dataset-version", "sklearn-1.0 load_iris"],
                   check=True, capture_output=True, timeout=120)
    return out


@pytest.fixture(scope="module")
def drift_server(tmp_path_factory, receiver, cli_profile):
    java, jar = _jar()
    repo = tmp_path_factory.mktemp("repo")
    shutil.copytree(helpers.MODEL_REPO / "iris_classifier", repo / "iris_classifier")
    shutil.copy(cli_profile, repo / "iris_classifier" / "1" / "reference_profile.json")
    config = repo / "iris_classifier" / "config.pbtxt"
    config.write_text(config.read_text()
                      + '\nparameters { key: "sluice.reject_non_finite" value { string_value: "true" } }\n')
    ports = repo / "ports.json"
    log_dir = Path(os.environ.get("SLUICE_LOG_DIR", str(repo)))
    log = open(log_dir / "server-drift.log", "w")
    proc = subprocess.Popen([java, "-jar", jar, "serve", "--model-repository", str(repo),
                             "--host", "127.0.0.1", "--http-port", "0", "--grpc-port", "0",
                             "--metrics-port", "0", "--ports-file", str(ports),
                             "--drift-window-rows", "1000",
                             # every request: the windows are compared with the exact rows sent
                             "--drift-max-rate", "0",
                             "--drift-webhook-url", f"http://127.0.0.1:{receiver.server_port}/hook",
                             "--drift-webhook-secret", SECRET],
                            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    deadline = time.time() + 120
    while not (ports.exists() and ports.stat().st_size > 0):
        assert proc.poll() is None, "drift server exited; see server-drift.log"
        assert time.time() < deadline, "drift server did not start"
        time.sleep(0.1)
    p = json.loads(ports.read_text())
    yield {"http": f"127.0.0.1:{p['http']}", "grpc": f"127.0.0.1:{p['grpc']}",
           "metrics": f"127.0.0.1:{p['metrics']}"}
    proc.terminate()
    proc.wait(timeout=20)
    log.close()


def _drift(url: str) -> dict:
    with urllib.request.urlopen(f"http://{url}/v2/models/iris_classifier/drift", timeout=10) as r:
        return json.loads(r.read())


def _windows_after(url: str, n: int, timeout: float = 30):
    """The drift document once more than n windows completed (404 until the first row is filed)."""
    def done():
        try:
            d = _drift(url)
        except urllib.error.HTTPError as e:
            if e.code == 404:
                return None
            raise
        return d if d["windows_completed"] > n else None
    d = helpers.wait_for(done, timeout=timeout)
    assert d, f"no window past {n} within {timeout} s"
    return d


def _rows(n: int, seed: int, shift_sd: float, profile: dict) -> np.ndarray:
    """n iris rows drawn with replacement, jittered, each feature moved by shift_sd std."""
    x = np.loadtxt(IRIS_CSV, delimiter=",", skiprows=1, usecols=range(4))
    rng = np.random.default_rng(seed)
    rows = x[rng.integers(0, len(x), n)] + rng.normal(0, 0.05, (n, 4))
    std = np.array([c["std"] for c in profile["columns"][:4]])
    return (rows + shift_sd * std).astype(np.float32)


def _send_http(url: str, rows: np.ndarray) -> np.ndarray:
    client = httpclient.InferenceServerClient(url)
    labels = []
    for i in range(0, len(rows), 25):
        inp = httpclient.InferInput("float_input", [len(rows[i:i + 25]), 4], "FP32")
        inp.set_data_from_numpy(rows[i:i + 25], binary_data=True)
        res = client.infer("iris_classifier", [inp])
        labels.append(res.as_numpy("label").reshape(-1))
    return np.concatenate(labels)


def _send_grpc(url: str, rows: np.ndarray) -> None:
    client = grpcclient.InferenceServerClient(url)
    for i in range(0, len(rows), 20):
        inp = grpcclient.InferInput("float_input", [len(rows[i:i + 20]), 4], "FP32")
        inp.set_data_from_numpy(rows[i:i + 20])
        client.infer("iris_classifier", [inp])


def _close(a, b, rel=1e-9, abs_=1e-9):
    return abs(a - b) <= max(abs_, rel * abs(b))


def test_java_profile_cli_matches_the_python_helper(cli_profile):
    java_p = json.loads(cli_profile.read_text())
    py_p = json.loads((helpers.MODEL_REPO / "iris_classifier" / "1" / "reference_profile.json").read_text())
    assert java_p["dataset"] == py_p["dataset"]
    assert [c["name"] for c in java_p["columns"]] == [c["name"] for c in py_p["columns"]]
    for jc, pc in zip(java_p["columns"], py_p["columns"]):
        assert set(jc) == set(pc), jc["name"]
        for key, value in pc.items():
            if isinstance(value, float):
                assert _close(jc[key], value, rel=1e-12, abs_=1e-12), (jc["name"], key)
            elif isinstance(value, list) and value and isinstance(value[0], float):
                np.testing.assert_allclose(jc[key], value, rtol=1e-12, atol=1e-12, err_msg=f"{jc['name']}.{key}")
            else:
                assert jc[key] == value, (jc["name"], key)


def test_drift_endpoint_equals_scipy_on_the_rows_sent(drift_server, cli_profile):
    profile = json.loads(cli_profile.read_text())
    rows = _rows(1000, seed=11, shift_sd=0.0, profile=profile)
    labels = _send_http(drift_server["http"], rows)
    d = _windows_after(drift_server["http"], 0)
    assert d["window"]["rows"] == 1000
    assert d["reference"]["lineage"] == "sklearn-1.0 load_iris"
    feats = {f["name"]: f for f in d["features"]}
    for j, name in enumerate(FEATURES):
        ref = np.array(profile["columns"][j]["sample"])
        ks = stats.ks_2samp(ref, rows[:, j].astype(np.float64), method="auto")
        f = feats[name]
        assert f["method"] == "ks"
        assert _close(f["statistic"], float(ks.statistic)), name
        assert _close(f["p_value"], float(ks.pvalue), rel=1e-9, abs_=0), name
        w = stats.wasserstein_distance(ref, rows[:, j].astype(np.float64)) / profile["columns"][j]["std"]
        assert _close(f["scores"]["wasserstein"], w), name
    # label: a discrete output with 3 values, so chi-square
    label_col = next(c for c in profile["columns"] if c["name"] == "label")
    ref_counts = [c["count"] for c in label_col["categories"]] + [0]
    values = [float(c["value"]) for c in label_col["categories"]]
    cur_counts = [int(np.sum(labels == v)) for v in values] + [int(np.sum(~np.isin(labels, values)))]
    keep = [i for i in range(len(ref_counts)) if ref_counts[i] + cur_counts[i] > 0]
    table = np.array([[ref_counts[i] for i in keep], [cur_counts[i] for i in keep]])
    h = stats.chi2_contingency(table, correction=False)
    f = feats["label"]
    assert f["method"] == "chisquare"
    assert _close(f["statistic"], float(h.statistic))
    assert _close(f["p_value"], float(h.pvalue), rel=1e-9, abs_=0)
    gof = stats.chisquare(np.array(cur_counts[:3], float), np.array(ref_counts[:3], float) * 1000 / 150)
    assert _close(f["scores"]["chisquare_gof"], float(gof.statistic))
    assert _close(f["scores"]["chisquare_gof_p_value"], float(gof.pvalue), rel=1e-9, abs_=0)


def test_drifted_traffic_raises_the_alert_the_signed_webhook_and_names_the_features(drift_server, cli_profile):
    profile = json.loads(cli_profile.read_text())
    try:
        before = _drift(drift_server["http"])["windows_completed"]
    except urllib.error.HTTPError as e:  # run alone: nothing filed yet
        assert e.code == 404
        before = 0
    _send_grpc(drift_server["grpc"], _rows(1000, seed=12, shift_sd=0.5, profile=profile))
    d = _windows_after(drift_server["http"], before)
    assert d["dataset"]["alert"] is True
    assert d["dataset"]["drift"] is True
    for name in FEATURES:
        assert name in d["dataset"]["drifted_columns"], d["dataset"]
    hooks = helpers.wait_for(lambda: _Receiver.bodies or None, timeout=30)
    signed, body = hooks[-1]
    assert signed
    assert body["model"] == "iris_classifier" and body["dataset_drift"] is True
    assert set(FEATURES) <= set(body["drifted_columns"])
    samples = helpers.scrape(drift_server["metrics"])
    assert helpers.metric_sum(samples, "sluice_drift_alerts_total", model="iris_classifier") >= 1
    assert helpers.metric_sum(samples, "sluice_drift_webhooks_total", outcome="sent") >= 1
    assert helpers.metric_present(samples, "sluice_drift_feature_bin_total", feature="petal_length", bin="0")


def test_a_model_that_rejects_nan_answers_400_and_keeps_serving(drift_server):
    client = httpclient.InferenceServerClient(drift_server["http"])
    bad = np.array([[5.1, np.nan, 1.4, 0.2]], dtype=np.float32)
    inp = httpclient.InferInput("float_input", [1, 4], "FP32")
    inp.set_data_from_numpy(bad, binary_data=True)  # JSON has no NaN; the binary extension does
    with pytest.raises(InferenceServerException) as err:
        client.infer("iris_classifier", [inp])
    assert err.value.status() == "400", err.value
    assert "element 1 is NaN" in err.value.message()
    inp.set_data_from_numpy(np.array([[5.1, 3.5, 1.4, 0.2]], dtype=np.float32), binary_data=False)
    assert client.infer("iris_classifier", [inp]).as_numpy("label").shape[0] == 1


def test_ground_truth_joins_tritonclient_request_ids_and_yields_accuracy(drift_server):
    client = grpcclient.InferenceServerClient(drift_server["grpc"])
    rows = np.array([[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]], dtype=np.float32)
    predicted = []
    for i, row in enumerate(rows):
        inp = grpcclient.InferInput("float_input", [1, 4], "FP32")
        inp.set_data_from_numpy(row.reshape(1, 4))
        predicted.append(int(client.infer("iris_classifier", [inp], request_id=f"gt-{i}").as_numpy("label").reshape(-1)[0]))

    def post(body):
        req = urllib.request.Request(f"http://{drift_server['http']}/v2/models/iris_classifier/feedback",
                                     data=json.dumps(body).encode(), method="POST")
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())

    def recorded():  # the monitor thread files predictions every 20 ms (404: nothing filed yet)
        try:
            out = post({"labels": [{"id": "gt-1", "label": predicted[1]}]})
        except urllib.error.HTTPError as e:
            assert e.code == 404
            return None
        return out if out["matched"] == 1 else None

    assert helpers.wait_for(recorded, timeout=10)
    out = post({"labels": [{"id": "gt-0", "label": predicted[0] + 1}, {"id": "gt-1", "label": 0},
                           {"id": "never-sent", "label": 1}]})
    assert out == {"matched": 1, "unknown_id": 1, "expired": 0, "duplicate": 1}
    perf = _drift(drift_server["http"])["performance"]
    assert perf["labels"] >= 2 and perf["prediction"] == "label"
    assert 0 <= perf["accuracy"] < 1
