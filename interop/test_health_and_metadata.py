"""Health, server/model metadata and model configuration, as tritonclient and curl see them."""

from __future__ import annotations

import json

import pytest
from tritonclient.grpc import model_config_pb2
from tritonclient.utils import InferenceServerException

from helpers import EXPECTED_MAX_BATCH_SIZE, EXPECTED_METADATA, MODELS, curl, http_base

REQUIRED_EXTENSIONS = {"binary_tensor_data", "statistics", "model_configuration", "classification", "model_repository"}


def _not_found_status(protocol: str) -> str:
    return "404" if protocol == "http" else "StatusCode.NOT_FOUND"


# --------------------------------------------------------------------------- health


def test_server_is_live(client):
    assert client.is_server_live() is True


def test_server_is_ready(client):
    assert client.is_server_ready() is True


@pytest.mark.parametrize("model", MODELS)
def test_each_model_is_ready(client, model):
    assert client.is_model_ready(model) is True


@pytest.mark.parametrize("version", ["1", "2"])
def test_both_int_adder_versions_are_ready(client, version):
    assert client.is_model_ready("int_adder", version) is True


def test_iris_has_no_version_2(client):
    assert client.is_model_ready("iris_classifier", "2") is False


def test_unknown_model_is_not_ready(client):
    assert client.is_model_ready("no_such_model") is False


# --------------------------------------------------------------------------- server metadata


def test_server_metadata_lists_the_required_extensions_over_http(http_client):
    meta = http_client.get_server_metadata()
    assert isinstance(meta["name"], str) and meta["name"]
    assert isinstance(meta["version"], str) and meta["version"]
    missing = REQUIRED_EXTENSIONS - set(meta["extensions"])
    assert not missing, f"extensions {meta['extensions']} lack {sorted(missing)}"


def test_server_metadata_lists_the_required_extensions_over_grpc(grpc_client):
    meta = grpc_client.get_server_metadata()
    assert meta.name and meta.version
    missing = REQUIRED_EXTENSIONS - set(meta.extensions)
    assert not missing, f"extensions {list(meta.extensions)} lack {sorted(missing)}"


# --------------------------------------------------------------------------- model metadata


def _io_triples(entries):
    return [(e["name"], e["datatype"], [int(d) for d in e["shape"]]) for e in entries]


@pytest.mark.parametrize("model", MODELS)
def test_model_metadata_over_http_has_expected_names_datatypes_and_shapes(http_client, model):
    meta = http_client.get_model_metadata(model)
    assert meta["name"] == model
    assert meta["platform"] == "onnxruntime_onnx"
    inputs, outputs = EXPECTED_METADATA[model]
    assert _io_triples(meta["inputs"]) == inputs
    assert _io_triples(meta["outputs"]) == outputs
    for e in meta["inputs"] + meta["outputs"]:
        assert all(type(d) is int for d in e["shape"]), f"shape must be JSON numbers: {e}"


@pytest.mark.parametrize("model", MODELS)
def test_model_metadata_over_grpc_has_expected_names_datatypes_and_shapes(grpc_client, model):
    meta = grpc_client.get_model_metadata(model)
    assert meta.name == model
    assert meta.platform == "onnxruntime_onnx"
    inputs, outputs = EXPECTED_METADATA[model]
    assert [(t.name, t.datatype, list(t.shape)) for t in meta.inputs] == inputs
    assert [(t.name, t.datatype, list(t.shape)) for t in meta.outputs] == outputs


def test_int_adder_metadata_lists_both_versions(client, protocol):
    meta = client.get_model_metadata("int_adder")
    versions = meta["versions"] if protocol == "http" else list(meta.versions)
    assert sorted(versions) == ["1", "2"]


def test_version_specific_metadata_is_served(client, protocol):
    meta = client.get_model_metadata("int_adder", "1")
    name = meta["name"] if protocol == "http" else meta.name
    assert name == "int_adder"


def test_unknown_model_metadata_is_not_found(client, protocol):
    with pytest.raises(InferenceServerException) as err:
        client.get_model_metadata("no_such_model")
    assert err.value.status() == _not_found_status(protocol)


def test_unknown_version_metadata_is_not_found(client, protocol):
    with pytest.raises(InferenceServerException) as err:
        client.get_model_metadata("iris_classifier", "7")
    assert err.value.status() == _not_found_status(protocol)


# --------------------------------------------------------------------------- model config


def test_http_config_prints_proto_field_names_enums_by_name_and_numbers(http_client):
    cfg = http_client.get_model_config("iris_classifier")
    assert cfg["name"] == "iris_classifier"
    assert cfg["platform"] == "onnxruntime_onnx"
    assert type(cfg["max_batch_size"]) is int and cfg["max_batch_size"] == 32
    (inp,) = cfg["input"]
    assert inp["name"] == "float_input"
    assert inp["data_type"] == "TYPE_FP32"
    assert inp["dims"] == [4] and all(type(d) is int for d in inp["dims"])
    outs = {o["name"]: o for o in cfg["output"]}
    assert outs["label"]["data_type"] == "TYPE_INT64" and outs["label"]["dims"] == [1]
    assert outs["probabilities"]["data_type"] == "TYPE_FP32" and outs["probabilities"]["dims"] == [3]
    assert outs["probabilities"]["label_filename"] == "labels.txt"
    assert "maxBatchSize" not in cfg and "dataType" not in inp, "camelCase JSON names leaked"


def test_http_config_prints_defaults_too(http_client):
    cfg = http_client.get_model_config("iris_classifier")
    assert cfg["version_policy"] == {"latest": {"num_versions": 1}}
    db = cfg["dynamic_batching"]
    assert type(db["max_queue_delay_microseconds"]) is int and db["max_queue_delay_microseconds"] == 0
    (group,) = cfg["instance_group"]
    assert group["kind"] == "KIND_CPU" and group["count"] == 1


def test_http_config_shows_preferred_batch_size_normalized_to_max_batch_size(http_client):
    # Triton normalizes `dynamic_batching { }` without preferred sizes to [max_batch_size]
    # and prints the normalized config (PROTOCOL.md: "Defaults as Triton").
    db = http_client.get_model_config("iris_classifier")["dynamic_batching"]
    assert db["preferred_batch_size"] == [32], db


def test_http_config_of_int_adder_has_max_batch_size_zero_and_all_versions_policy(http_client):
    cfg = http_client.get_model_config("int_adder")
    assert type(cfg["max_batch_size"]) is int and cfg["max_batch_size"] == 0
    assert "all" in cfg["version_policy"], cfg["version_policy"]
    assert [i["data_type"] for i in cfg["input"]] == ["TYPE_INT64", "TYPE_INT64"]


def test_http_config_of_category_encoder_uses_type_string(http_client):
    cfg = http_client.get_model_config("category_encoder")
    assert cfg["input"][0]["data_type"] == "TYPE_STRING"
    assert cfg["output"][0]["data_type"] == "TYPE_INT64"
    assert cfg["max_batch_size"] == 8


def test_autofilled_tiny_mlp_config_has_max_batch_size_4_and_dynamic_batching(http_client):
    cfg = http_client.get_model_config("tiny_mlp")
    assert cfg["name"] == "tiny_mlp"
    assert type(cfg["max_batch_size"]) is int and cfg["max_batch_size"] == 4
    assert "dynamic_batching" in cfg, f"autofill should enable dynamic batching: {json.dumps(cfg)[:2000]}"
    (inp,) = cfg["input"]
    (out,) = cfg["output"]
    assert (inp["name"], inp["data_type"], inp["dims"]) == ("input", "TYPE_FP32", [32])
    assert (out["name"], out["data_type"], out["dims"]) == ("output", "TYPE_FP32", [1])


@pytest.mark.parametrize("model", MODELS)
def test_grpc_config_carries_max_batch_size(grpc_client, model):
    resp = grpc_client.get_model_config(model)
    assert resp.config.name == model
    assert resp.config.max_batch_size == EXPECTED_MAX_BATCH_SIZE[model]


def test_grpc_config_has_typed_inputs_and_autofilled_dynamic_batching(grpc_client):
    iris = grpc_client.get_model_config("iris_classifier").config
    assert iris.input[0].data_type == model_config_pb2.TYPE_FP32
    assert list(iris.input[0].dims) == [4]
    tiny = grpc_client.get_model_config("tiny_mlp").config
    assert tiny.HasField("dynamic_batching")


def test_grpc_config_as_json_uses_proto_names(grpc_client):
    cfg = grpc_client.get_model_config("iris_classifier", as_json=True)["config"]
    # tritonclient prints int64 as strings here (MessageToJson); only the names and enums matter.
    assert int(cfg["max_batch_size"]) == 32
    assert cfg["input"][0]["data_type"] == "TYPE_FP32"


def test_unknown_model_config_is_not_found(client, protocol):
    with pytest.raises(InferenceServerException) as err:
        client.get_model_config("no_such_model")
    assert err.value.status() == _not_found_status(protocol)


# --------------------------------------------------------------------------- raw HTTP via curl


def test_curl_health_live_answers_200_live_true(http_url):
    status, body, _ = curl(http_base(http_url) + "/v2/health/live")
    assert status == 200
    assert json.loads(body) == {"live": True}


def test_curl_health_ready_answers_200_ready_true(http_url):
    status, body, _ = curl(http_base(http_url) + "/v2/health/ready")
    assert status == 200
    assert json.loads(body) == {"ready": True}


def test_curl_model_ready_answers_200_with_name_and_ready(http_url):
    status, body, _ = curl(http_base(http_url) + "/v2/models/iris_classifier/ready")
    assert status == 200
    assert json.loads(body) == {"name": "iris_classifier", "ready": True}


def test_curl_unknown_route_answers_404_not_found(http_url):
    status, body, _ = curl(http_base(http_url) + "/v2/no/such/route")
    assert status == 404
    assert json.loads(body) == {"error": "Not Found"}


def test_curl_route_outside_v2_answers_404_not_found(http_url):
    status, body, _ = curl(http_base(http_url) + "/index.html")
    assert status == 404
    assert json.loads(body) == {"error": "Not Found"}


@pytest.mark.parametrize(
    "method,path",
    [
        ("DELETE", "/v2/health/live"),
        ("POST", "/v2/health/ready"),
        ("GET", "/v2/models/iris_classifier/infer"),
        ("PUT", "/v2/models/iris_classifier"),
        ("GET", "/v2/repository/index"),
    ],
)
def test_curl_wrong_method_answers_405(http_url, method, path):
    status, body, _ = curl(http_base(http_url) + path, "-X", method)
    assert status == 405, body


def test_curl_percent_encoded_model_name_is_decoded(http_url):
    status, body, _ = curl(http_base(http_url) + "/v2/models/iris%5Fclassifier")
    assert status == 200, body
    assert json.loads(body)["name"] == "iris_classifier"


def test_curl_percent_encoded_model_name_works_for_versioned_ready(http_url):
    status, body, _ = curl(http_base(http_url) + "/v2/models/%69nt_adder/versions/2/ready")
    assert status == 200, body


def test_curl_non_numeric_version_segment_is_rejected(http_url):
    status, body, _ = curl(http_base(http_url) + "/v2/models/iris_classifier/versions/latest")
    assert 400 <= status < 500, (status, body)
    assert "error" in json.loads(body)


def test_curl_unknown_model_answers_404_with_error_json(http_url):
    status, body, _ = curl(http_base(http_url) + "/v2/models/no_such_model")
    assert status == 404
    assert isinstance(json.loads(body)["error"], str)
