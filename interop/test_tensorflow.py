"""TensorFlow SavedModels and an ONNX model served by one process, through tritonclient.

Server D serves examples/tf_model_repository's SavedModels beside tiny_mlp (ONNX). The
TensorFlow answers are compared with what Python TensorFlow answered for the same inputs
when examples/make_tf_models.py built the models (expected_outputs.json), to 1e-5.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pytest
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

TF_REPO = Path(__file__).resolve().parent.parent / "examples" / "tf_model_repository"


def _expected(model: str) -> dict:
    return json.loads((TF_REPO / model / "expected_outputs.json").read_text())


def _array(t: dict) -> np.ndarray:
    if "b64" in t:
        return np.array([base64.b64decode(v) for v in t["b64"]], dtype=object).reshape(t["shape"])
    return np.array(t["data"], dtype=t["dtype"]).reshape(t["shape"])


def _dense_rows():
    exp = _expected("tf_dense_classifier")
    # The autofilled max_batch_size is the gateway's default (4).
    return exp, _array(exp["inputs"]["features"])[:4]


def test_both_engines_report_their_platform(tf_http_url):
    client = httpclient.InferenceServerClient(tf_http_url)
    assert client.get_model_metadata("tf_dense_classifier")["platform"] == "tensorflow_savedmodel"
    assert client.get_model_metadata("tiny_mlp")["platform"] == "onnxruntime_onnx"
    config = client.get_model_config("tf_dense_classifier")
    assert config["backend"] == "tensorflow"
    assert config["max_batch_size"] > 0 and "dynamic_batching" in config


def test_tf_dense_over_http_matches_python_tensorflow(tf_http_url):
    exp, x = _dense_rows()
    client = httpclient.InferenceServerClient(tf_http_url)
    inp = httpclient.InferInput("features", list(x.shape), "FP32")
    inp.set_data_from_numpy(x, binary_data=True)
    result = client.infer("tf_dense_classifier", [inp])
    for name in ("logits", "probabilities"):
        want = _array(exp["outputs"][name])[:4]
        np.testing.assert_allclose(result.as_numpy(name), want, rtol=0, atol=1e-5)


def test_tf_dense_over_grpc_matches_python_tensorflow(tf_grpc_url):
    exp, x = _dense_rows()
    client = grpcclient.InferenceServerClient(tf_grpc_url)
    inp = grpcclient.InferInput("features", list(x.shape), "FP32")
    inp.set_data_from_numpy(x)
    result = client.infer("tf_dense_classifier", [inp],
                          outputs=[grpcclient.InferRequestedOutput("probabilities")])
    want = _array(exp["outputs"]["probabilities"])[:4]
    np.testing.assert_allclose(result.as_numpy("probabilities"), want, rtol=0, atol=1e-5)


def test_tf_strings_and_int64_over_grpc_match_python_tensorflow(tf_grpc_url):
    exp = _expected("tf_text_features")
    text = _array(exp["inputs"]["text"])
    count = _array(exp["inputs"]["count"])
    client = grpcclient.InferenceServerClient(tf_grpc_url)
    t = grpcclient.InferInput("text", list(text.shape), "BYTES")
    t.set_data_from_numpy(text)
    c = grpcclient.InferInput("count", list(count.shape), "INT64")
    c.set_data_from_numpy(count)
    result = client.infer("tf_text_features", [t, c])
    np.testing.assert_array_equal(result.as_numpy("bucket"), _array(exp["outputs"]["bucket"]))
    assert list(result.as_numpy("tagged")) == list(_array(exp["outputs"]["tagged"]))


def test_the_onnx_twin_answers_as_python_tensorflow_did(tf_grpc_url):
    exp, x = _dense_rows()
    client = grpcclient.InferenceServerClient(tf_grpc_url)
    assert client.get_model_metadata("dense_classifier_onnx").platform == "onnxruntime_onnx"
    inp = grpcclient.InferInput("features", list(x.shape), "FP32")
    inp.set_data_from_numpy(x)
    result = client.infer("dense_classifier_onnx", [inp])
    for name in ("logits", "probabilities"):
        want = _array(exp["outputs"][name])[:4]
        np.testing.assert_allclose(result.as_numpy(name), want, rtol=0, atol=1e-5)


def test_the_onnx_model_answers_in_the_same_process(tf_http_url):
    client = httpclient.InferenceServerClient(tf_http_url)
    x = np.full((2, 32), 0.5, dtype=np.float32)
    inp = httpclient.InferInput("input", [2, 32], "FP32")
    inp.set_data_from_numpy(x)
    out = client.infer("tiny_mlp", [inp]).as_numpy("output")
    assert out.shape == (2, 1)
    assert out[0, 0] == out[1, 0]


def test_a_wrong_shape_for_tensorflow_is_a_client_error(tf_http_url):
    client = httpclient.InferenceServerClient(tf_http_url)
    inp = httpclient.InferInput("features", [1, 3], "FP32")
    inp.set_data_from_numpy(np.zeros((1, 3), dtype=np.float32))
    with pytest.raises(InferenceServerException) as e:
        client.infer("tf_dense_classifier", [inp])
    assert e.value.status() == "400"
    assert "shape" in e.value.message()
