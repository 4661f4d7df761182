"""Malformed and invalid requests, over raw HTTP (requests) and raw gRPC stubs.

Every bad request is followed by a good one on the same client (HTTP session / gRPC channel),
to show that the server keeps serving after rejecting it.
"""

from __future__ import annotations

import json

import grpc
import numpy as np
import pytest
import requests
from tritonclient.grpc import service_pb2, service_pb2_grpc

from helpers import http_base, iris_json_request

IRIS_ROW = [5.1, 3.5, 1.4, 0.2]


# --------------------------------------------------------------------------- HTTP plumbing


@pytest.fixture(scope="module")
def session():
    s = requests.Session()
    yield s
    s.close()


@pytest.fixture(scope="module")
def infer_url(http_url):
    return http_base(http_url) + "/v2/models/iris_classifier/infer"


def _assert_error(resp, status):
    assert resp.status_code == status, f"want {status}, got {resp.status_code}: {resp.text[:500]}"
    body = resp.json()
    assert isinstance(body.get("error"), str) and body["error"], f"error body must be {{'error': '...'}}: {body}"


def _assert_still_serves(session, http_url):
    r = session.post(
        http_base(http_url) + "/v2/models/iris_classifier/infer",
        json=iris_json_request(np.array([IRIS_ROW], dtype=np.float32)),
        timeout=30,
    )
    assert r.status_code == 200, f"server stopped serving after a bad request: {r.status_code} {r.text[:300]}"
    names = sorted(o["name"] for o in r.json()["outputs"])
    assert names == ["label", "probabilities"]


def _binary_request(header: dict, payload: bytes, header_length=None):
    hjson = json.dumps(header).encode()
    hl = str(len(hjson)) if header_length is None else header_length
    return hjson + payload, {"Inference-Header-Content-Length": hl, "Content-Type": "application/octet-stream"}


def _iris_binary_header(size=16, shape=(1, 4)):
    return {
        "inputs": [
            {"name": "float_input", "shape": list(shape), "datatype": "FP32", "parameters": {"binary_data_size": size}}
        ]
    }


def _post_json(session, url, obj):
    return session.post(url, data=json.dumps(obj), headers={"Content-Type": "application/json"}, timeout=30)


# --------------------------------------------------------------------------- HTTP: framing


def test_positive_control_binary_request_is_accepted(session, infer_url, http_url):
    body, headers = _binary_request(_iris_binary_header(), np.array([IRIS_ROW], dtype="<f4").tobytes())
    r = session.post(infer_url, data=body, headers=headers, timeout=30)
    assert r.status_code == 200, r.text[:300]


@pytest.mark.parametrize(
    "body",
    [b'{"inputs": [', b"not json at all", b'{"inputs": {"name": 1}}', b"[]", b""],
    ids=["truncated", "garbage", "inputs-not-list", "array", "empty"],
)
def test_malformed_json_body_is_400_with_error_json(session, infer_url, http_url, body):
    r = session.post(infer_url, data=body, headers={"Content-Type": "application/json"}, timeout=30)
    _assert_error(r, 400)
    _assert_still_serves(session, http_url)


def test_truncated_binary_body_is_400(session, infer_url, http_url):
    body, headers = _binary_request(_iris_binary_header(16), np.zeros(2, dtype="<f4").tobytes())  # 8 of 16 bytes
    _assert_error(session.post(infer_url, data=body, headers=headers, timeout=30), 400)
    _assert_still_serves(session, http_url)


def test_binary_data_size_not_matching_the_shape_is_400(session, infer_url, http_url):
    body, headers = _binary_request(_iris_binary_header(12), np.zeros(3, dtype="<f4").tobytes())
    _assert_error(session.post(infer_url, data=body, headers=headers, timeout=30), 400)
    _assert_still_serves(session, http_url)


def test_trailing_bytes_after_the_binary_buffers_are_400(session, infer_url, http_url):
    body, headers = _binary_request(_iris_binary_header(16), np.zeros(5, dtype="<f4").tobytes())
    _assert_error(session.post(infer_url, data=body, headers=headers, timeout=30), 400)
    _assert_still_serves(session, http_url)


def test_non_numeric_inference_header_content_length_is_400(session, infer_url, http_url):
    body, headers = _binary_request(_iris_binary_header(), np.zeros(4, dtype="<f4").tobytes(), header_length="abc")
    _assert_error(session.post(infer_url, data=body, headers=headers, timeout=30), 400)
    _assert_still_serves(session, http_url)


def test_inference_header_content_length_larger_than_body_is_400(session, infer_url, http_url):
    body, headers = _binary_request(_iris_binary_header(), np.zeros(4, dtype="<f4").tobytes(), header_length="100000")
    _assert_error(session.post(infer_url, data=body, headers=headers, timeout=30), 400)
    _assert_still_serves(session, http_url)


def test_negative_inference_header_content_length_is_400(session, infer_url, http_url):
    body, headers = _binary_request(_iris_binary_header(), np.zeros(4, dtype="<f4").tobytes(), header_length="-5")
    _assert_error(session.post(infer_url, data=body, headers=headers, timeout=30), 400)
    _assert_still_serves(session, http_url)


# --------------------------------------------------------------------------- HTTP: tensors


def _iris(shape, data, datatype="FP32", name="float_input"):
    return {"inputs": [{"name": name, "shape": shape, "datatype": datatype, "data": data}]}


@pytest.mark.parametrize(
    "request_body",
    [
        _iris([1, 4], [1, 2, 3, 4], datatype="INT32"),
        _iris([1, 4], [1, 2, 3, 4], datatype="FP64"),
        _iris([1, 4], [1, 2, 3, 4], datatype="FLOAT"),
    ],
    ids=["INT32", "FP64", "unknown-FLOAT"],
)
def test_wrong_datatype_is_400(session, infer_url, http_url, request_body):
    _assert_error(_post_json(session, infer_url, request_body), 400)
    _assert_still_serves(session, http_url)


@pytest.mark.parametrize("datatype", ["FP16", "BF16"])
def test_fp16_and_bf16_in_json_are_400(session, http_url, datatype):
    # even to a model whose input is FP32, a JSON FP16/BF16 tensor is rejected as such
    r = _post_json(session, http_base(http_url) + "/v2/models/iris_classifier/infer", _iris([1, 4], IRIS_ROW, datatype))
    _assert_error(r, 400)
    _assert_still_serves(session, http_url)


def test_wrong_shape_is_400(session, infer_url, http_url):
    _assert_error(_post_json(session, infer_url, _iris([1, 5], [1, 2, 3, 4, 5])), 400)
    _assert_still_serves(session, http_url)


def test_shape_without_batch_dimension_is_400(session, infer_url, http_url):
    _assert_error(_post_json(session, infer_url, _iris([4], IRIS_ROW)), 400)
    _assert_still_serves(session, http_url)


def test_element_count_not_matching_shape_is_400(session, infer_url, http_url):
    _assert_error(_post_json(session, infer_url, _iris([2, 4], IRIS_ROW)), 400)
    _assert_still_serves(session, http_url)


def test_negative_dimension_in_request_shape_is_400(session, infer_url, http_url):
    _assert_error(_post_json(session, infer_url, _iris([-1, 4], IRIS_ROW)), 400)
    _assert_still_serves(session, http_url)


def test_batch_over_max_batch_size_is_400(session, infer_url, http_url):
    rows = np.tile(np.array([IRIS_ROW], dtype=np.float32), (33, 1))
    _assert_error(_post_json(session, infer_url, iris_json_request(rows)), 400)
    _assert_still_serves(session, http_url)


def test_non_numeric_data_for_fp32_is_400(session, infer_url, http_url):
    _assert_error(_post_json(session, infer_url, _iris([1, 4], ["a", "b", "c", "d"])), 400)
    _assert_still_serves(session, http_url)


def test_missing_input_is_400(session, http_url):
    url = http_base(http_url) + "/v2/models/int_adder/infer"
    req = {"inputs": [{"name": "a", "shape": [4], "datatype": "INT64", "data": [1, 2, 3, 4]}]}
    _assert_error(_post_json(session, url, req), 400)
    _assert_still_serves(session, http_url)


def test_no_inputs_at_all_is_400(session, infer_url, http_url):
    _assert_error(_post_json(session, infer_url, {"inputs": []}), 400)
    _assert_still_serves(session, http_url)


def test_unknown_input_is_400(session, infer_url, http_url):
    req = _iris([1, 4], IRIS_ROW)
    req["inputs"].append({"name": "bogus", "shape": [1, 4], "datatype": "FP32", "data": IRIS_ROW})
    _assert_error(_post_json(session, infer_url, req), 400)
    _assert_still_serves(session, http_url)


def test_duplicate_input_is_400(session, infer_url, http_url):
    req = _iris([1, 4], IRIS_ROW)
    req["inputs"].append(dict(req["inputs"][0]))
    _assert_error(_post_json(session, infer_url, req), 400)
    _assert_still_serves(session, http_url)


def test_unknown_requested_output_is_400(session, infer_url, http_url):
    req = _iris([1, 4], IRIS_ROW)
    req["outputs"] = [{"name": "no_such_output"}]
    _assert_error(_post_json(session, infer_url, req), 400)
    _assert_still_serves(session, http_url)


def test_unknown_model_is_404(session, http_url):
    r = _post_json(session, http_base(http_url) + "/v2/models/no_such_model/infer", _iris([1, 4], IRIS_ROW))
    _assert_error(r, 404)
    _assert_still_serves(session, http_url)


def test_unknown_version_is_404(session, http_url):
    r = _post_json(
        session, http_base(http_url) + "/v2/models/iris_classifier/versions/7/infer", _iris([1, 4], IRIS_ROW)
    )
    _assert_error(r, 404)
    _assert_still_serves(session, http_url)


def test_body_over_max_request_bytes_is_413(broken_http_url):
    # server B runs with --max-request-bytes 1048576
    s = requests.Session()
    try:
        x = np.zeros((4, 32), dtype="<f4").tobytes()
        header = json.dumps(
            {"inputs": [{"name": "input", "shape": [4, 32], "datatype": "FP32", "parameters": {"binary_data_size": len(x)}}]}
        ).encode()
        pad = b" " * (2 * 1024 * 1024)  # JSON header padded with whitespace to 2 MiB
        body = header + pad + x
        url = http_base(broken_http_url) + "/v2/models/tiny_mlp/infer"
        try:
            r = s.post(url, data=body, headers={"Inference-Header-Content-Length": str(len(header) + len(pad))}, timeout=30)
        except requests.ConnectionError as e:  # pragma: no cover - reported as a server bug
            pytest.fail(f"server dropped the connection instead of answering 413: {e}")
        _assert_error(r, 413)
        ok = s.post(url, data=header + x, headers={"Inference-Header-Content-Length": str(len(header))}, timeout=30)
        assert ok.status_code == 200, ok.text[:300]
    finally:
        s.close()


def test_body_over_max_request_bytes_with_expect_continue_is_413(broken_http_url):
    s = requests.Session()
    try:
        body = b"{" + b" " * (2 * 1024 * 1024) + b"}"
        url = http_base(broken_http_url) + "/v2/models/tiny_mlp/infer"
        try:
            r = s.post(url, data=body, headers={"Content-Type": "application/json", "Expect": "100-continue"}, timeout=30)
        except requests.ConnectionError as e:  # pragma: no cover - reported as a server bug
            pytest.fail(f"server dropped the connection instead of answering 413: {e}")
        assert r.status_code == 413, r.text[:300]
    finally:
        s.close()


def test_bytes_tensor_with_bad_element_length_is_400(session, http_url):
    raw = (100).to_bytes(4, "little") + b"red"  # says 100 bytes, has 3
    header = {
        "inputs": [{"name": "text", "shape": [1, 1], "datatype": "BYTES", "parameters": {"binary_data_size": len(raw)}}]
    }
    body, headers = _binary_request(header, raw)
    r = session.post(http_base(http_url) + "/v2/models/category_encoder/infer", data=body, headers=headers, timeout=30)
    _assert_error(r, 400)
    _assert_still_serves(session, http_url)


def test_unsupported_content_encoding_is_rejected(session, infer_url, http_url):
    r = session.post(
        infer_url,
        data=b"\x00\x01garbage",
        headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
        timeout=30,
    )
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])
    _assert_still_serves(session, http_url)


def test_bad_requests_do_not_close_the_keep_alive_connection(http_url):
    # One TCP connection (http.client reopens silently when the server closes, so compare sockets):
    # Triton answers a 400/404 and keeps the connection for the next request.
    import http.client  # noqa: PLC0415

    host, port = http_url.rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    good = json.dumps(iris_json_request(np.array([IRIS_ROW], dtype=np.float32)))
    bad_requests = [
        ("/v2/models/iris_classifier/infer", b'{"inputs": ['),
        ("/v2/models/iris_classifier/infer", json.dumps(_iris([1, 5], [1, 2, 3, 4, 5])).encode()),
        ("/v2/models/no_such_model/infer", good.encode()),
        ("/v2/no/such/route", b"{}"),
    ]
    try:
        conn.request("POST", "/v2/models/iris_classifier/infer", body=good, headers={"Content-Type": "application/json"})
        first = conn.getresponse()
        first.read()
        assert first.status == 200
        sock = conn.sock
        assert sock is not None, "server closed the connection after a successful request"
        for path, body in bad_requests:
            conn.request("POST", path, body=body, headers={"Content-Type": "application/json"})
            resp = conn.getresponse()
            resp.read()
            assert resp.status in (400, 404), (path, resp.status)
            conn.request("POST", "/v2/models/iris_classifier/infer", body=good, headers={"Content-Type": "application/json"})
            ok = conn.getresponse()
            ok.read()
            assert ok.status == 200
            assert conn.sock is sock, f"connection was not kept alive after the {resp.status} for {path}"
    finally:
        conn.close()


# --------------------------------------------------------------------------- gRPC plumbing


@pytest.fixture(scope="module")
def channel(grpc_url):
    big = 64 * 1024 * 1024
    ch = grpc.insecure_channel(
        grpc_url, options=[("grpc.max_send_message_length", big), ("grpc.max_receive_message_length", big)]
    )
    yield ch
    ch.close()


@pytest.fixture(scope="module")
def stub(channel):
    return service_pb2_grpc.GRPCInferenceServiceStub(channel)


def _raw_iris_request(rows=1, raw=None, **kw):
    req = service_pb2.ModelInferRequest(model_name=kw.pop("model_name", "iris_classifier"), **kw)
    t = req.inputs.add()
    t.name = "float_input"
    t.datatype = "FP32"
    t.shape.extend([rows, 4])
    req.raw_input_contents.append(
        raw if raw is not None else np.tile(np.array(IRIS_ROW, dtype="<f4"), rows).tobytes()
    )
    return req


def _assert_grpc_still_serves(stub):
    resp = stub.ModelInfer(_raw_iris_request(), timeout=30)
    assert [o.name for o in resp.outputs] == ["label", "probabilities"]
    assert len(resp.raw_output_contents) == 2, "responses must always fill raw_output_contents"
    assert np.frombuffer(resp.raw_output_contents[0], dtype="<i8").tolist() == [0]


def _grpc_error(stub, req) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as err:
        stub.ModelInfer(req, timeout=30)
    return err.value


def test_grpc_positive_control_raw_request_is_served(stub):
    _assert_grpc_still_serves(stub)


def test_grpc_typed_contents_are_served_and_answered_in_raw_output_contents(stub):
    req = service_pb2.ModelInferRequest(model_name="iris_classifier")
    t = req.inputs.add()
    t.name, t.datatype = "float_input", "FP32"
    t.shape.extend([1, 4])
    t.contents.fp32_contents.extend(IRIS_ROW)
    resp = stub.ModelInfer(req, timeout=30)
    assert len(resp.raw_output_contents) == 2
    assert np.frombuffer(resp.raw_output_contents[0], dtype="<i8").tolist() == [0]


def test_grpc_typed_int64_contents_are_served(stub):
    req = service_pb2.ModelInferRequest(model_name="int_adder", model_version="1")
    for name, values in (("a", [1, 2, 3, 4]), ("b", [10, 20, 30, 40])):
        t = req.inputs.add()
        t.name, t.datatype = name, "INT64"
        t.shape.extend([4])
        t.contents.int64_contents.extend(values)
    resp = stub.ModelInfer(req, timeout=30)
    assert [o.name for o in resp.outputs] == ["sum", "diff"]
    assert len(resp.raw_output_contents) == 2
    assert np.frombuffer(resp.raw_output_contents[0], dtype="<i8").tolist() == [11, 22, 33, 44]
    assert np.frombuffer(resp.raw_output_contents[1], dtype="<i8").tolist() == [-9, -18, -27, -36]


def test_grpc_typed_bytes_contents_are_served(stub):
    req = service_pb2.ModelInferRequest(model_name="category_encoder")
    t = req.inputs.add()
    t.name, t.datatype = "text", "BYTES"
    t.shape.extend([3, 1])
    t.contents.bytes_contents.extend([b"blue", b"nope", b"red"])
    resp = stub.ModelInfer(req, timeout=30)
    assert len(resp.raw_output_contents) == 1
    assert np.frombuffer(resp.raw_output_contents[0], dtype="<i8").tolist() == [2, -1, 0]


def test_grpc_raw_and_typed_contents_together_are_invalid_argument(stub):
    req = _raw_iris_request()
    req.inputs[0].contents.fp32_contents.extend(IRIS_ROW)
    assert _grpc_error(stub, req).code() == grpc.StatusCode.INVALID_ARGUMENT
    _assert_grpc_still_serves(stub)


def test_grpc_wrong_raw_size_is_invalid_argument(stub):
    req = _raw_iris_request(raw=np.zeros(3, dtype="<f4").tobytes())
    assert _grpc_error(stub, req).code() == grpc.StatusCode.INVALID_ARGUMENT
    _assert_grpc_still_serves(stub)


def test_grpc_more_raw_contents_than_inputs_is_invalid_argument(stub):
    req = _raw_iris_request()
    req.raw_input_contents.append(np.zeros(4, dtype="<f4").tobytes())
    assert _grpc_error(stub, req).code() == grpc.StatusCode.INVALID_ARGUMENT
    _assert_grpc_still_serves(stub)


def test_grpc_wrong_shape_is_invalid_argument(stub):
    req = service_pb2.ModelInferRequest(model_name="iris_classifier")
    t = req.inputs.add()
    t.name, t.datatype = "float_input", "FP32"
    t.shape.extend([1, 5])
    req.raw_input_contents.append(np.zeros(5, dtype="<f4").tobytes())
    assert _grpc_error(stub, req).code() == grpc.StatusCode.INVALID_ARGUMENT
    _assert_grpc_still_serves(stub)


def test_grpc_wrong_datatype_is_invalid_argument(stub):
    req = _raw_iris_request()
    req.inputs[0].datatype = "INT32"
    assert _grpc_error(stub, req).code() == grpc.StatusCode.INVALID_ARGUMENT
    _assert_grpc_still_serves(stub)


def test_grpc_missing_input_is_invalid_argument(stub):
    req = service_pb2.ModelInferRequest(model_name="int_adder")
    t = req.inputs.add()
    t.name, t.datatype = "a", "INT64"
    t.shape.extend([4])
    req.raw_input_contents.append(np.zeros(4, dtype="<i8").tobytes())
    assert _grpc_error(stub, req).code() == grpc.StatusCode.INVALID_ARGUMENT
    _assert_grpc_still_serves(stub)


def test_grpc_unknown_input_is_invalid_argument(stub):
    req = _raw_iris_request()
    t = req.inputs.add()
    t.name, t.datatype = "bogus", "FP32"
    t.shape.extend([1, 4])
    req.raw_input_contents.append(np.zeros(4, dtype="<f4").tobytes())
    assert _grpc_error(stub, req).code() == grpc.StatusCode.INVALID_ARGUMENT
    _assert_grpc_still_serves(stub)


def test_grpc_unknown_requested_output_is_invalid_argument(stub):
    req = _raw_iris_request()
    req.outputs.add().name = "no_such_output"
    assert _grpc_error(stub, req).code() == grpc.StatusCode.INVALID_ARGUMENT
    _assert_grpc_still_serves(stub)


def test_grpc_unknown_model_is_not_found(stub):
    req = _raw_iris_request(model_name="no_such_model")
    assert _grpc_error(stub, req).code() == grpc.StatusCode.NOT_FOUND
    _assert_grpc_still_serves(stub)


def test_grpc_unknown_version_is_not_found(stub):
    req = _raw_iris_request(model_version="7")
    assert _grpc_error(stub, req).code() == grpc.StatusCode.NOT_FOUND
    _assert_grpc_still_serves(stub)


def test_grpc_malformed_protobuf_bytes_get_a_non_ok_status(channel, stub):
    call = channel.unary_unary(
        "/inference.GRPCInferenceService/ModelInfer",
        request_serializer=None,  # identity: send these bytes as the message
        response_deserializer=None,
    )
    # field 1 (model_name), length-delimited, claims ~4 GiB but ends right there: not a valid message
    with pytest.raises(grpc.RpcError) as err:
        call(b"\x0a\xff\xff\xff\xff\x0f", timeout=30)
    assert err.value.code() != grpc.StatusCode.OK
    _assert_grpc_still_serves(stub)


def test_grpc_unknown_method_is_unimplemented(channel, stub):
    call = channel.unary_unary("/inference.GRPCInferenceService/NoSuchMethod", request_serializer=None, response_deserializer=None)
    with pytest.raises(grpc.RpcError) as err:
        call(b"", timeout=30)
    assert err.value.code() == grpc.StatusCode.UNIMPLEMENTED
    _assert_grpc_still_serves(stub)


def test_grpc_message_over_4_mib_is_accepted(stub):
    # tiny_mlp: max_batch_size 4 caps the tensor, so send an oversized id instead (a 5 MiB message)
    req = service_pb2.ModelInferRequest(model_name="iris_classifier", id="x" * (5 * 1024 * 1024))
    t = req.inputs.add()
    t.name, t.datatype = "float_input", "FP32"
    t.shape.extend([1, 4])
    req.raw_input_contents.append(np.array(IRIS_ROW, dtype="<f4").tobytes())
    resp = stub.ModelInfer(req, timeout=60)
    assert len(resp.raw_output_contents) == 2


def test_grpc_health_service_reports_serving(channel):
    # grpc.health.v1.Health/Check without the grpcio-health-checking package: an empty
    # HealthCheckRequest is b"", and HealthCheckResponse{status: SERVING (1)} is b"\x08\x01".
    check = channel.unary_unary("/grpc.health.v1.Health/Check", request_serializer=None, response_deserializer=None)
    assert check(b"", timeout=30) == b"\x08\x01"


def test_grpc_bytes_that_are_no_protobuf_are_invalid_argument_not_unknown(channel, stub):
    """grpc-java used to answer UNKNOWN and log a SEVERE trace for each such message."""
    raw = channel.unary_unary("/inference.GRPCInferenceService/ModelInfer")
    with pytest.raises(grpc.RpcError) as e:
        raw(b"\xff\xff\x7f\x00", timeout=30)
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT, e.value
    assert e.value.details().startswith("the ModelInferRequest message cannot be parsed"), e.value
    _assert_grpc_still_serves(stub)


def test_binary_shape_whose_product_overflows_is_400_not_500(session, infer_url):
    """Was 500 {"error":"long overflow"}; the JSON path already said 400."""
    header = json.dumps({"inputs": [{"name": "float_input", "datatype": "FP32",
                                     "shape": [4294967296, 4294967296, 4],
                                     "parameters": {"binary_data_size": 16}}]}).encode()
    r = session.post(infer_url, data=header + bytes(16), timeout=30,
                     headers={"Inference-Header-Content-Length": str(len(header))})
    _assert_error(r, 400)
    assert "float_input" in r.json()["error"], r.text

