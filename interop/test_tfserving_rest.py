"""TensorFlow Serving's REST API (KServe V1) on the HTTP port, with curl and requests.

Requests follow TF Serving's documented shapes (tensorflow.org/tfx/serving/api_rest): row
format ("instances"), columnar ("inputs"), {"b64": ...} strings, model status and metadata,
and {"error": ...} answers. Server A serves it for ONNX models, server D for TensorFlow ones.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import requests

from helpers import curl, http_base

TF_REPO = Path(__file__).resolve().parent.parent / "examples" / "tf_model_repository"


def test_row_predict_on_an_onnx_model_matches_sklearn(http_url, iris):
    clf, x, _ = iris
    rows = x[[0, 75, 149]]
    status, body, _ = curl(
        http_base(http_url) + "/v1/models/iris_classifier:predict",
        "-X", "POST", "-H", "Content-Type: application/json", "--data-binary", "@-",
        data=json.dumps({"instances": rows.tolist()}).encode(),
    )
    assert status == 200, body
    predictions = json.loads(body)["predictions"]
    assert len(predictions) == 3
    np.testing.assert_array_equal([p["label"][0] for p in predictions], clf.predict(rows))
    np.testing.assert_allclose([p["probabilities"] for p in predictions], clf.predict_proba(rows),
                               rtol=1e-5, atol=1e-6)


def test_columnar_predict_answers_with_outputs(http_url, iris):
    clf, x, _ = iris
    rows = x[:2]
    r = requests.post(http_base(http_url) + "/v1/models/iris_classifier/versions/1:predict",
                      json={"inputs": rows.tolist()}, timeout=30)
    assert r.status_code == 200, r.text
    outputs = r.json()["outputs"]
    np.testing.assert_allclose(outputs["probabilities"], clf.predict_proba(rows), rtol=1e-5, atol=1e-6)


def test_row_predict_on_tensorflow_matches_python_tensorflow(tf_http_url):
    exp = json.loads((TF_REPO / "tf_dense_classifier" / "expected_outputs.json").read_text())
    x = np.array(exp["inputs"]["features"]["data"], dtype=np.float32).reshape(-1, 4)[:3]
    r = requests.post(http_base(tf_http_url) + "/v1/models/tf_dense_classifier:predict",
                      json={"signature_name": "serving_default", "instances": x.tolist()}, timeout=30)
    assert r.status_code == 200, r.text
    want = np.array(exp["outputs"]["probabilities"]["data"], dtype=np.float32).reshape(-1, 3)[:3]
    got = np.array([p["probabilities"] for p in r.json()["predictions"]], dtype=np.float32)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-5)


def test_b64_strings_reach_tensorflow(tf_http_url):
    payload = {"instances": [
        {"text": {"b64": base64.b64encode(b"alpha").decode()}, "count": 1},
        {"text": "b", "count": 7},
    ]}
    r = requests.post(http_base(tf_http_url) + "/v1/models/tf_text_features:predict",
                      json=payload, timeout=30)
    assert r.status_code == 200, r.text
    assert [p["tagged"] for p in r.json()["predictions"]] == ["alpha#1", "b#7"]


def test_status_and_metadata(tf_http_url):
    base = http_base(tf_http_url)
    status = requests.get(base + "/v1/models/tf_dense_classifier", timeout=30).json()
    assert status["model_version_status"][0]["state"] == "AVAILABLE"
    meta = requests.get(base + "/v1/models/tf_dense_classifier/metadata", timeout=30).json()
    sig = meta["metadata"]["signature_def"]["signature_def"]["serving_default"]
    assert sig["inputs"]["features"]["dtype"] == "DT_FLOAT"
    assert [d["size"] for d in sig["inputs"]["features"]["tensor_shape"]["dim"]] == ["-1", "4"]
    assert set(sig["outputs"]) == {"logits", "probabilities"}


def test_errors_are_json_with_an_error_key(tf_http_url):
    base = http_base(tf_http_url)
    missing = requests.post(base + "/v1/models/nope:predict", json={"instances": [1]}, timeout=30)
    assert missing.status_code == 404 and "error" in missing.json()
    ragged = requests.post(base + "/v1/models/tf_dense_classifier:predict",
                           json={"instances": [[1, 2, 3, 4], [1, 2]]}, timeout=30)
    assert ragged.status_code == 400 and ragged.json()["error"]
    neither = requests.post(base + "/v1/models/tf_dense_classifier:predict", json={}, timeout=30)
    assert neither.status_code == 400 and "instances" in neither.json()["error"]
