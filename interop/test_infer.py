"""Inference through unmodified tritonclient (HTTP JSON, HTTP binary, gRPC), checked against
scikit-learn and Python onnxruntime 1.29.0 on the same .onnx files."""

from __future__ import annotations

import json
import queue
import re
import struct
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import numpy as np
import pytest
import requests
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

from helpers import IRIS_LABELS, http_base, iris_json_request

SK_RTOL, SK_ATOL = 1e-5, 1e-6  # the tolerance make_models.py uses between onnxruntime and sklearn
ORT_RTOL, ORT_ATOL = 1e-6, 1e-7  # same runtime, same model file: (near-)bit-identical

IRIS_ROWS = [0, 1, 50, 51, 100, 101, 149]  # both ends of each class


# --------------------------------------------------------------------------- request builders


def _iris_inputs(mod, x, binary=True):
    inp = mod.InferInput("float_input", list(x.shape), "FP32")
    if mod is httpclient:
        inp.set_data_from_numpy(x, binary_data=binary)
    else:
        inp.set_data_from_numpy(x)
    return [inp]


def _outputs(mod, names, binary=True, **kw):
    if mod is httpclient:
        return [mod.InferRequestedOutput(n, binary_data=binary, **kw) for n in names]
    return [mod.InferRequestedOutput(n, **kw) for n in names]


def _infer_iris(protocol, client, x, mode="binary"):
    if protocol == "http":
        binary = mode != "json"
        outs = None if mode == "default" else _outputs(httpclient, ["label", "probabilities"], binary=binary)
        return client.infer("iris_classifier", _iris_inputs(httpclient, x, binary=binary), outputs=outs)
    return client.infer("iris_classifier", _iris_inputs(grpcclient, x))


def _tiny_inputs(mod, x):
    inp = mod.InferInput("input", list(x.shape), "FP32")
    inp.set_data_from_numpy(x)
    return [inp]


def _text_input(mod, arr, binary=True):
    inp = mod.InferInput("text", list(arr.shape), "BYTES")
    if mod is httpclient:
        inp.set_data_from_numpy(arr, binary_data=binary)
    else:
        inp.set_data_from_numpy(arr)
    return [inp]


def _adder_inputs(mod, a, b):
    ins = []
    for name, arr in (("a", a), ("b", b)):
        inp = mod.InferInput(name, list(arr.shape), "INT64")
        inp.set_data_from_numpy(arr)
        ins.append(inp)
    return ins


# --------------------------------------------------------------------------- reference sanity


def test_reference_sklearn_model_matches_committed_onnx(iris, ort_sessions):
    clf, x, _ = iris
    label, proba = ort_sessions["iris_classifier"].run(["label", "probabilities"], {"float_input": x})
    np.testing.assert_array_equal(label[:, 0], clf.predict(x))
    np.testing.assert_allclose(proba, clf.predict_proba(x), rtol=SK_RTOL, atol=SK_ATOL)


# --------------------------------------------------------------------------- iris


IRIS_MODES = [("http", "json"), ("http", "binary"), ("http", "default"), ("grpc", "grpc")]


@pytest.mark.parametrize("protocol,mode", IRIS_MODES, ids=["http-json", "http-binary", "http-default", "grpc"])
def test_iris_outputs_equal_sklearn_predictions(protocol, mode, http_client, grpc_client, iris):
    clf, x, _ = iris
    rows = x[IRIS_ROWS]
    res = _infer_iris(protocol, http_client if protocol == "http" else grpc_client, rows, mode)
    label, proba = res.as_numpy("label"), res.as_numpy("probabilities")
    assert label.dtype == np.int64 and label.shape == (len(rows), 1)
    assert proba.dtype == np.float32 and proba.shape == (len(rows), 3)
    np.testing.assert_array_equal(label[:, 0], clf.predict(rows))
    np.testing.assert_allclose(proba, clf.predict_proba(rows), rtol=SK_RTOL, atol=SK_ATOL)


@pytest.mark.parametrize("protocol,mode", IRIS_MODES, ids=["http-json", "http-binary", "http-default", "grpc"])
def test_iris_outputs_equal_python_onnxruntime(protocol, mode, http_client, grpc_client, iris, ort_sessions):
    _, x, _ = iris
    rows = x[IRIS_ROWS]
    res = _infer_iris(protocol, http_client if protocol == "http" else grpc_client, rows, mode)
    ref_label, ref_proba = ort_sessions["iris_classifier"].run(["label", "probabilities"], {"float_input": rows})
    np.testing.assert_array_equal(res.as_numpy("label"), ref_label)
    np.testing.assert_allclose(res.as_numpy("probabilities"), ref_proba, rtol=ORT_RTOL, atol=ORT_ATOL)


@pytest.mark.parametrize("protocol", ["http", "grpc"])
def test_all_150_iris_rows_in_batches_of_30_match_sklearn(protocol, http_client, grpc_client, iris):
    clf, x, _ = iris
    client = http_client if protocol == "http" else grpc_client
    labels, probas = [], []
    for start in range(0, 150, 30):
        res = _infer_iris(protocol, client, x[start : start + 30])
        labels.append(res.as_numpy("label")[:, 0])
        probas.append(res.as_numpy("probabilities"))
    np.testing.assert_array_equal(np.concatenate(labels), clf.predict(x))
    np.testing.assert_allclose(np.concatenate(probas), clf.predict_proba(x), rtol=SK_RTOL, atol=SK_ATOL)


@pytest.mark.parametrize("protocol", ["http", "grpc"])
def test_iris_batch_of_max_batch_size_32_rows_is_served(protocol, http_client, grpc_client, iris):
    clf, x, _ = iris
    rows = x[np.random.default_rng(7).choice(150, size=32, replace=False)]
    res = _infer_iris(protocol, http_client if protocol == "http" else grpc_client, rows)
    assert res.as_numpy("probabilities").shape == (32, 3)
    np.testing.assert_array_equal(res.as_numpy("label")[:, 0], clf.predict(rows))


def test_iris_accepts_nested_json_data(http_url, iris):
    clf, x, _ = iris
    rows = x[IRIS_ROWS]
    r = requests.post(
        http_base(http_url) + "/v2/models/iris_classifier/infer", json=iris_json_request(rows, nested=True), timeout=30
    )
    assert r.status_code == 200, r.text
    outs = {o["name"]: o for o in r.json()["outputs"]}
    np.testing.assert_array_equal(np.array(outs["label"]["data"]).reshape(-1), clf.predict(rows))


def test_http_json_response_outputs_carry_no_parameters(http_client, iris):
    _, x, _ = iris
    res = _infer_iris("http", http_client, x[:2], mode="json")
    body = res.get_response()
    assert body["model_name"] == "iris_classifier"
    for out in body["outputs"]:
        assert "parameters" not in out, f"JSON output must not carry parameters: {out}"
        assert "data" in out


def test_http_binary_response_has_header_length_and_octet_stream(http_url, iris):
    _, x, _ = iris
    rows = x[:3]
    header = json.dumps(
        {
            "inputs": [
                {"name": "float_input", "shape": [3, 4], "datatype": "FP32", "parameters": {"binary_data_size": 48}}
            ],
            "parameters": {"binary_data_output": True},
        }
    ).encode()
    r = requests.post(
        http_base(http_url) + "/v2/models/iris_classifier/infer",
        data=header + rows.astype("<f4").tobytes(),
        headers={"Inference-Header-Content-Length": str(len(header)), "Content-Type": "application/octet-stream"},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    assert r.headers.get("Content-Type", "").startswith("application/octet-stream"), r.headers
    hlen = int(r.headers["Inference-Header-Content-Length"])
    meta = json.loads(r.content[:hlen])
    sizes = [o["parameters"]["binary_data_size"] for o in meta["outputs"]]
    assert hlen + sum(sizes) == len(r.content)
    assert sorted(o["name"] for o in meta["outputs"]) == ["label", "probabilities"]


@pytest.mark.parametrize("protocol", ["http", "grpc"])
def test_requested_output_subset_returns_only_probabilities(protocol, http_client, grpc_client, iris):
    clf, x, _ = iris
    rows = x[IRIS_ROWS]
    mod = httpclient if protocol == "http" else grpcclient
    client = http_client if protocol == "http" else grpc_client
    res = client.infer("iris_classifier", _iris_inputs(mod, rows), outputs=_outputs(mod, ["probabilities"]))
    assert res.as_numpy("label") is None
    names = (
        [o["name"] for o in res.get_response()["outputs"]]
        if protocol == "http"
        else [o.name for o in res.get_response().outputs]
    )
    assert names == ["probabilities"]
    np.testing.assert_allclose(res.as_numpy("probabilities"), clf.predict_proba(rows), rtol=SK_RTOL, atol=SK_ATOL)


@pytest.mark.parametrize("protocol", ["http", "grpc"])
def test_classification_returns_top_2_as_value_index_label(protocol, http_client, grpc_client, iris):
    clf, x, _ = iris
    rows = x[IRIS_ROWS]
    mod = httpclient if protocol == "http" else grpcclient
    client = http_client if protocol == "http" else grpc_client
    res = client.infer(
        "iris_classifier", _iris_inputs(mod, rows), outputs=_outputs(mod, ["probabilities"], class_count=2)
    )
    out = res.as_numpy("probabilities")
    assert out.shape == (len(rows), 2), out
    proba = clf.predict_proba(rows)
    order = np.argsort(-proba, axis=1)
    for i, row in enumerate(out):
        for k, cell in enumerate(row):
            text = cell.decode() if isinstance(cell, bytes) else str(cell)
            value, index, label = text.split(":")
            assert int(index) == order[i, k], (text, proba[i])
            assert label == IRIS_LABELS[int(index)]
            assert float(value) == pytest.approx(proba[i, int(index)], abs=1e-5)
    top = [int(c.decode().split(":")[1]) for c in out[:, 0]]
    assert top == clf.predict(rows).tolist()


def test_classification_output_is_bytes_datatype_over_http(http_client, iris):
    _, x, _ = iris
    res = http_client.infer(
        "iris_classifier",
        _iris_inputs(httpclient, x[:2]),
        outputs=[httpclient.InferRequestedOutput("probabilities", binary_data=False, class_count=1)],
    )
    (out,) = res.get_response()["outputs"]
    assert out["datatype"] == "BYTES"
    assert out["shape"] == [2, 1]
    assert out["data"][0].endswith(":0:setosa")


# --------------------------------------------------------------------------- tiny_mlp


@pytest.mark.parametrize("protocol", ["http", "grpc"])
@pytest.mark.parametrize("batch", [1, 2, 3, 4])
def test_tiny_mlp_matches_onnxruntime_for_batch(protocol, batch, http_client, grpc_client, ort_sessions):
    x = np.random.default_rng(batch).standard_normal((batch, 32)).astype(np.float32)
    mod = httpclient if protocol == "http" else grpcclient
    client = http_client if protocol == "http" else grpc_client
    res = client.infer("tiny_mlp", _tiny_inputs(mod, x))
    (ref,) = ort_sessions["tiny_mlp"].run(["output"], {"input": x})
    out = res.as_numpy("output")
    assert out.shape == (batch, 1) and out.dtype == np.float32
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-6)


def test_tiny_mlp_over_http_json_matches_onnxruntime(http_client, ort_sessions):
    x = np.random.default_rng(11).standard_normal((3, 32)).astype(np.float32)
    inp = httpclient.InferInput("input", [3, 32], "FP32")
    inp.set_data_from_numpy(x, binary_data=False)
    res = http_client.infer("tiny_mlp", [inp], outputs=[httpclient.InferRequestedOutput("output", binary_data=False)])
    (ref,) = ort_sessions["tiny_mlp"].run(["output"], {"input": x})
    np.testing.assert_allclose(res.as_numpy("output"), ref, rtol=1e-5, atol=1e-6)


# --------------------------------------------------------------------------- category_encoder (BYTES)

WORDS = np.array([["red"], ["green"], ["blue"], ["purple"], [""], ["grün"]], dtype=object)
WORD_IDS = np.array([[0], [1], [2], [-1], [-1], [-1]], dtype=np.int64)


@pytest.mark.parametrize("binary", [False, True], ids=["json", "binary"])
def test_category_encoder_maps_strings_over_http(binary, http_client):
    res = http_client.infer(
        "category_encoder",
        _text_input(httpclient, WORDS, binary=binary),
        outputs=[httpclient.InferRequestedOutput("category_id", binary_data=binary)],
    )
    out = res.as_numpy("category_id")
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out, WORD_IDS)


def test_category_encoder_maps_strings_over_grpc(grpc_client):
    res = grpc_client.infer("category_encoder", _text_input(grpcclient, WORDS))
    np.testing.assert_array_equal(res.as_numpy("category_id"), WORD_IDS)


def test_category_encoder_matches_onnxruntime(grpc_client, ort_sessions):
    words = np.array([["blue"], ["Red"], ["red "], ["green"]], dtype=object)
    res = grpc_client.infer("category_encoder", _text_input(grpcclient, words))
    (ref,) = ort_sessions["category_encoder"].run(["category_id"], {"text": words.astype(str)})
    np.testing.assert_array_equal(res.as_numpy("category_id"), ref)


def test_category_encoder_reads_raw_binary_bytes_elements(http_url):
    elems = [b"green", b"", b"blue"]
    raw = b"".join(struct.pack("<I", len(e)) + e for e in elems)
    header = json.dumps(
        {
            "inputs": [
                {"name": "text", "shape": [3, 1], "datatype": "BYTES", "parameters": {"binary_data_size": len(raw)}}
            ],
            "outputs": [{"name": "category_id", "parameters": {"binary_data": False}}],
        }
    ).encode()
    r = requests.post(
        http_base(http_url) + "/v2/models/category_encoder/infer",
        data=header + raw,
        headers={"Inference-Header-Content-Length": str(len(header))},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    (out,) = r.json()["outputs"]
    assert out["data"] == [1, -1, 2]


# --------------------------------------------------------------------------- int_adder (versions)

A = np.array([1, 2, 3, 4], dtype=np.int64)
B = np.array([10, 20, 30, 40], dtype=np.int64)


@pytest.mark.parametrize("protocol", ["http", "grpc"])
@pytest.mark.parametrize("version,offset", [("1", 0), ("2", 1)])
def test_int_adder_version_gives_its_own_sum(protocol, version, offset, http_client, grpc_client):
    mod = httpclient if protocol == "http" else grpcclient
    client = http_client if protocol == "http" else grpc_client
    res = client.infer("int_adder", _adder_inputs(mod, A, B), model_version=version)
    np.testing.assert_array_equal(res.as_numpy("sum"), A + B + offset)
    np.testing.assert_array_equal(res.as_numpy("diff"), A - B)
    assert res.as_numpy("sum").dtype == np.int64


@pytest.mark.parametrize("protocol", ["http", "grpc"])
def test_int_adder_default_version_is_the_latest(protocol, http_client, grpc_client):
    mod = httpclient if protocol == "http" else grpcclient
    client = http_client if protocol == "http" else grpc_client
    res = client.infer("int_adder", _adder_inputs(mod, A, B))
    np.testing.assert_array_equal(res.as_numpy("sum"), A + B + 1)
    version = res.get_response()["model_version"] if protocol == "http" else res.get_response().model_version
    assert version == "2"


def test_int_adder_handles_large_and_negative_int64(grpc_client):
    a = np.array([2**62, -(2**62), -1, 0], dtype=np.int64)
    b = np.array([1, -1, -1, 0], dtype=np.int64)
    res = grpc_client.infer("int_adder", _adder_inputs(grpcclient, a, b), model_version="1")
    np.testing.assert_array_equal(res.as_numpy("sum"), a + b)


# --------------------------------------------------------------------------- async and concurrency


def test_http_async_infer_returns_every_result(http_client, ort_sessions):
    xs = [np.random.default_rng(100 + i).standard_normal((1 + i % 4, 32)).astype(np.float32) for i in range(16)]
    pending = [http_client.async_infer("tiny_mlp", _tiny_inputs(httpclient, x)) for x in xs]
    for x, p in zip(xs, pending):
        (ref,) = ort_sessions["tiny_mlp"].run(["output"], {"input": x})
        np.testing.assert_allclose(p.get_result(timeout=60).as_numpy("output"), ref, rtol=1e-5, atol=1e-6)


def test_grpc_async_infer_calls_back_with_every_result(grpc_client, ort_sessions):
    xs = [np.random.default_rng(200 + i).standard_normal((1 + i % 4, 32)).astype(np.float32) for i in range(16)]
    done: queue.Queue = queue.Queue()

    def callback(i, result, error):
        done.put((i, result, error))

    for i, x in enumerate(xs):
        grpc_client.async_infer("tiny_mlp", _tiny_inputs(grpcclient, x), partial(callback, i), request_id=str(i))
    seen = set()
    for _ in xs:
        i, result, error = done.get(timeout=60)
        assert error is None, error
        assert result.get_response().id == str(i)
        (ref,) = ort_sessions["tiny_mlp"].run(["output"], {"input": xs[i]})
        np.testing.assert_allclose(result.as_numpy("output"), ref, rtol=1e-5, atol=1e-6)
        seen.add(i)
    assert seen == set(range(len(xs)))


@pytest.mark.parametrize("protocol", ["http", "grpc"])
def test_concurrent_requests_from_threads_all_get_their_own_answer(protocol, http_url, grpc_url, ort_sessions, iris):
    clf, x_iris, _ = iris
    local = threading.local()

    def get_client():
        if not hasattr(local, "client"):
            local.client = (
                httpclient.InferenceServerClient(http_url)
                if protocol == "http"
                else grpcclient.InferenceServerClient(grpc_url)
            )
        return local.client

    mod = httpclient if protocol == "http" else grpcclient

    def work(i):
        client = get_client()
        if i % 2 == 0:
            x = np.random.default_rng(300 + i).standard_normal((1 + i % 4, 32)).astype(np.float32)
            out = client.infer("tiny_mlp", _tiny_inputs(mod, x)).as_numpy("output")
            (ref,) = ort_sessions["tiny_mlp"].run(["output"], {"input": x})
            np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-6)
        else:
            rows = x_iris[[i % 150, (i * 7) % 150]]
            label = client.infer("iris_classifier", _iris_inputs(mod, rows)).as_numpy("label")
            np.testing.assert_array_equal(label[:, 0], clf.predict(rows))
        return i

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert sorted(pool.map(work, range(96))) == list(range(96))


# --------------------------------------------------------------------------- gRPC streaming


def test_grpc_stream_serves_several_requests_and_survives_a_bad_one(grpc_url, ort_sessions):
    client = grpcclient.InferenceServerClient(grpc_url)
    results: queue.Queue = queue.Queue()
    client.start_stream(callback=lambda result, error: results.put((result, error)))
    try:
        xs = {}
        for i in range(5):
            if i == 2:
                bad = grpcclient.InferInput("input", [1, 31], "FP32")  # wrong shape: model wants [N,32]
                bad.set_data_from_numpy(np.zeros((1, 31), dtype=np.float32))
                client.async_stream_infer("tiny_mlp", [bad], request_id="bad")
                continue
            xs[str(i)] = np.random.default_rng(400 + i).standard_normal((1, 32)).astype(np.float32)
            client.async_stream_infer("tiny_mlp", _tiny_inputs(grpcclient, xs[str(i)]), request_id=str(i))
        ok, errors = {}, []
        for _ in range(5):
            result, error = results.get(timeout=60)
            if error is not None:
                errors.append(error)
            else:
                ok[result.get_response().id] = result.as_numpy("output")
        assert len(errors) == 1, errors
        assert errors[0].message(), "the stream error must carry a message"
        assert sorted(ok) == ["0", "1", "3", "4"]
        for rid, out in ok.items():
            (ref,) = ort_sessions["tiny_mlp"].run(["output"], {"input": xs[rid]})
            np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-6)

        # The error has arrived; the same stream must still serve.
        x = np.ones((2, 32), dtype=np.float32)
        client.async_stream_infer("tiny_mlp", _tiny_inputs(grpcclient, x), request_id="after")
        result, error = results.get(timeout=60)
        assert error is None, error
        assert result.get_response().id == "after"
        (ref,) = ort_sessions["tiny_mlp"].run(["output"], {"input": x})
        np.testing.assert_allclose(result.as_numpy("output"), ref, rtol=1e-5, atol=1e-6)
    finally:
        client.stop_stream()
        client.close()


def test_grpc_stream_serves_different_models_on_one_stream(grpc_url, iris):
    clf, x, _ = iris
    client = grpcclient.InferenceServerClient(grpc_url)
    results: queue.Queue = queue.Queue()
    client.start_stream(callback=lambda result, error: results.put((result, error)))
    try:
        client.async_stream_infer("iris_classifier", _iris_inputs(grpcclient, x[:3]), request_id="iris")
        client.async_stream_infer("int_adder", _adder_inputs(grpcclient, A, B), model_version="1", request_id="add")
        client.async_stream_infer("category_encoder", _text_input(grpcclient, WORDS), request_id="cat")
        got = {}
        for _ in range(3):
            result, error = results.get(timeout=60)
            assert error is None, error
            got[result.get_response().id] = result
        np.testing.assert_array_equal(got["iris"].as_numpy("label")[:, 0], clf.predict(x[:3]))
        np.testing.assert_array_equal(got["add"].as_numpy("sum"), A + B)
        np.testing.assert_array_equal(got["cat"].as_numpy("category_id"), WORD_IDS)
    finally:
        client.stop_stream()
        client.close()


# --------------------------------------------------------------------------- transport options


@pytest.mark.parametrize("algorithm", ["gzip", "deflate"])
def test_http_request_compression_with_binary_tensors_is_decoded(algorithm, http_client, iris):
    # Inference-Header-Content-Length counts the *uncompressed* JSON header.
    clf, x, _ = iris
    rows = x[IRIS_ROWS]
    res = http_client.infer(
        "iris_classifier", _iris_inputs(httpclient, rows), request_compression_algorithm=algorithm
    )
    np.testing.assert_array_equal(res.as_numpy("label")[:, 0], clf.predict(rows))


@pytest.mark.parametrize("algorithm", ["gzip", "deflate"])
def test_http_response_compression_request_gets_a_readable_answer(algorithm, http_client, iris):
    clf, x, _ = iris
    rows = x[IRIS_ROWS]
    res = http_client.infer(
        "iris_classifier", _iris_inputs(httpclient, rows), response_compression_algorithm=algorithm
    )
    np.testing.assert_allclose(res.as_numpy("probabilities"), clf.predict_proba(rows), rtol=SK_RTOL, atol=SK_ATOL)


def test_grpc_gzip_compressed_request_is_served(grpc_client, iris):
    clf, x, _ = iris
    rows = x[IRIS_ROWS]
    res = grpc_client.infer("iris_classifier", _iris_inputs(grpcclient, rows), compression_algorithm="gzip")
    np.testing.assert_array_equal(res.as_numpy("label")[:, 0], clf.predict(rows))


@pytest.mark.parametrize("protocol", ["http", "grpc"])
def test_request_id_is_echoed_in_the_response(protocol, http_client, grpc_client, iris):
    _, x, _ = iris
    mod = httpclient if protocol == "http" else grpcclient
    client = http_client if protocol == "http" else grpc_client
    res = client.infer("iris_classifier", _iris_inputs(mod, x[:1]), request_id="req-42")
    rid = res.get_response()["id"] if protocol == "http" else res.get_response().id
    assert rid == "req-42"


@pytest.mark.parametrize("protocol", ["http", "grpc"])
def test_a_request_without_an_id_gets_a_generated_one_distinct_per_request(protocol, http_client,
                                                                          grpc_client, iris):
    _, x, _ = iris
    mod = httpclient if protocol == "http" else grpcclient
    client = http_client if protocol == "http" else grpc_client
    ids = []
    for _ in range(2):
        res = client.infer("iris_classifier", _iris_inputs(mod, x[:1]))
        ids.append(res.get_response()["id"] if protocol == "http" else res.get_response().id)
    # A per-process prefix of 12 hex digits, a dash and a counter.
    assert all(re.fullmatch(r"[0-9a-f]{12}-[0-9]+", i) for i in ids), ids
    assert ids[0] != ids[1]


@pytest.mark.parametrize("protocol", ["http", "grpc"])
def test_priority_and_timeout_request_parameters_are_accepted(protocol, http_client, grpc_client, iris):
    # tritonclient sends priority as uint64 (gRPC) / JSON number and timeout in microseconds.
    clf, x, _ = iris
    mod = httpclient if protocol == "http" else grpcclient
    client = http_client if protocol == "http" else grpc_client
    res = client.infer("iris_classifier", _iris_inputs(mod, x[:3]), priority=1, timeout=30_000_000)
    np.testing.assert_array_equal(res.as_numpy("label")[:, 0], clf.predict(x[:3]))


def test_infer_on_unknown_model_raises_not_found(client, protocol, triton):
    x = np.zeros((1, 32), dtype=np.float32)
    with pytest.raises(InferenceServerException) as err:
        client.infer("no_such_model", _tiny_inputs(triton, x))
    assert err.value.status() == ("404" if protocol == "http" else "StatusCode.NOT_FOUND")
