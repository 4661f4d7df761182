"""Model repository extension: index, load/unload, config override, a repository with broken models,
and strict vs. non-strict readiness."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

from helpers import MODELS, pretty

TINY_OVERRIDE = {
    "name": "tiny_mlp",
    "platform": "onnxruntime_onnx",
    "max_batch_size": 2,
    "input": [{"name": "input", "data_type": "TYPE_FP32", "dims": [32]}],
    "output": [{"name": "output", "data_type": "TYPE_FP32", "dims": [1]}],
}


# config whose input name does not exist in the ONNX model: the load must fail
TINY_MISMATCHED = dict(TINY_OVERRIDE, max_batch_size=4, input=[{"name": "no_such_input", "data_type": "TYPE_FP32", "dims": [32]}])


def _tiny(mod, rows):
    inp = mod.InferInput("input", [rows, 32], "FP32")
    inp.set_data_from_numpy(np.ones((rows, 32), dtype=np.float32))
    return [inp]


def _http_index(client):
    return {(e["name"], e.get("version", "")): e for e in client.get_model_repository_index()}


def _by_name(index, name):
    return [e for (n, _), e in index.items() if n == name]


# --------------------------------------------------------------------------- index


def test_http_index_lists_every_model_as_ready(http_client):
    index = http_client.get_model_repository_index()
    for model in MODELS:
        entries = [e for e in index if e["name"] == model]
        assert entries, f"{model} missing from index: {pretty(index)}"
        assert all(e["state"] == "READY" for e in entries), pretty(entries)


def test_http_index_lists_both_int_adder_versions(http_client):
    index = http_client.get_model_repository_index()
    versions = sorted(e.get("version", "") for e in index if e["name"] == "int_adder")
    assert versions == ["1", "2"], pretty(index)


def test_grpc_index_lists_every_model_as_ready(grpc_client):
    index = grpc_client.get_model_repository_index()
    states = {}
    for m in index.models:
        states.setdefault(m.name, set()).add(m.state)
    for model in MODELS:
        assert states.get(model) == {"READY"}, f"{model}: {states.get(model)}"


# --------------------------------------------------------------------------- load / unload


def test_http_unload_makes_the_model_unready_and_load_restores_it(http_client, all_models_loaded):
    http_client.unload_model("tiny_mlp")
    assert http_client.is_model_ready("tiny_mlp") is False
    assert http_client.is_server_live() is True
    entries = _by_name(_http_index(http_client), "tiny_mlp")
    assert entries and all(e["state"] != "READY" for e in entries), pretty(entries)
    # the other models keep serving
    assert http_client.is_model_ready("iris_classifier") is True
    http_client.load_model("tiny_mlp")
    assert http_client.is_model_ready("tiny_mlp") is True
    assert http_client.is_server_ready() is True
    out = http_client.infer("tiny_mlp", _tiny(httpclient, 1)).as_numpy("output")
    assert out.shape == (1, 1)


def test_explicit_unload_keeps_the_strict_server_ready(http_client, all_models_loaded):
    # Triton's strict readiness skips models that are not ready *because they were unloaded*
    # (server.cc: "Okay if model is not ready due to unload"); PROTOCOL.md: ready when every
    # model that should be loaded is READY. An unloaded model is not one that should be loaded.
    http_client.unload_model("tiny_mlp")
    assert http_client.is_model_ready("tiny_mlp") is False
    assert http_client.is_server_ready() is True


def test_grpc_unload_then_load_round_trips(grpc_client, all_models_loaded):
    grpc_client.unload_model("category_encoder")
    assert grpc_client.is_model_ready("category_encoder") is False
    assert grpc_client.is_server_ready() is True
    grpc_client.load_model("category_encoder")
    assert grpc_client.is_model_ready("category_encoder") is True
    assert grpc_client.is_server_ready() is True


def test_infer_on_an_unloaded_model_fails(http_client, all_models_loaded):
    http_client.unload_model("tiny_mlp")
    with pytest.raises(InferenceServerException) as err:
        http_client.infer("tiny_mlp", _tiny(httpclient, 1))
    assert err.value.status() in ("400", "404", "503"), (err.value.status(), err.value.message())


def test_unloaded_model_shows_unavailable_with_reason_in_index(http_client, all_models_loaded):
    http_client.unload_model("tiny_mlp")
    entries = _by_name(_http_index(http_client), "tiny_mlp")
    assert entries, "an unloaded model stays in the repository index"
    assert all(e["state"] == "UNAVAILABLE" for e in entries), pretty(entries)


def test_load_of_unknown_model_fails_over_http(http_client):
    with pytest.raises(InferenceServerException) as err:
        http_client.load_model("no_such_model")
    assert err.value.status().startswith("4"), err.value.status()
    assert http_client.is_server_ready() is True, "a failed load of an unknown model must not affect readiness"


def test_load_of_unknown_model_fails_over_grpc(grpc_client):
    with pytest.raises(InferenceServerException) as err:
        grpc_client.load_model("no_such_model")
    assert err.value.status() in ("StatusCode.NOT_FOUND", "StatusCode.INVALID_ARGUMENT"), err.value.status()


def test_unload_of_unknown_model_fails_or_is_a_no_op(http_client):
    try:
        http_client.unload_model("no_such_model")
    except InferenceServerException as err:
        assert err.status().startswith("4"), err.status()
    assert http_client.is_server_ready() is True


def test_load_with_config_override_applies_it_and_plain_reload_restores(http_client, all_models_loaded):
    try:
        http_client.load_model("tiny_mlp", config=json.dumps(TINY_OVERRIDE))
        assert http_client.is_model_ready("tiny_mlp")
        cfg = http_client.get_model_config("tiny_mlp")
        assert cfg["max_batch_size"] == 2, pretty(cfg)
        assert http_client.infer("tiny_mlp", _tiny(httpclient, 2)).as_numpy("output").shape == (2, 1)
        with pytest.raises(InferenceServerException):
            http_client.infer("tiny_mlp", _tiny(httpclient, 3))  # over the overridden max_batch_size
    finally:
        http_client.load_model("tiny_mlp")
    cfg = http_client.get_model_config("tiny_mlp")
    assert cfg["max_batch_size"] == 4, f"reload without override must restore autofill: {pretty(cfg)}"
    assert http_client.infer("tiny_mlp", _tiny(httpclient, 4)).as_numpy("output").shape == (4, 1)


def test_grpc_load_with_config_override_is_applied(grpc_client, http_client, all_models_loaded):
    try:
        grpc_client.load_model("tiny_mlp", config=json.dumps(TINY_OVERRIDE))
        assert grpc_client.get_model_config("tiny_mlp").config.max_batch_size == 2
    finally:
        grpc_client.load_model("tiny_mlp")
    assert grpc_client.get_model_config("tiny_mlp").config.max_batch_size == 4


def test_load_with_invalid_config_override_fails(http_client, all_models_loaded):
    with pytest.raises(InferenceServerException) as err:
        http_client.load_model("tiny_mlp", config="{not json")
    assert err.value.status().startswith("4"), err.value.status()


# --------------------------------------------------------------------------- broken repository (server B)


def test_broken_index_shows_broken_models_unavailable_with_reason(broken_http_client):
    index = broken_http_client.get_model_repository_index()
    by_name = {}
    for e in index:
        by_name.setdefault(e["name"], []).append(e)
    for name in ("corrupt_model", "bad_config"):
        assert name in by_name, f"{name} missing from index: {pretty(index)}"
        for e in by_name[name]:
            assert e["state"] == "UNAVAILABLE", pretty(e)
            assert isinstance(e.get("reason"), str) and e["reason"].strip(), f"empty reason: {pretty(e)}"


def test_broken_index_reasons_name_no_server_path_class_or_url(broken_http_client):
    for e in broken_http_client.get_model_repository_index():
        reason = e.get("reason", "")
        assert not re.search(r"(^|[\s'\"(:])/(?!v2/)[A-Za-z]", reason), f"absolute path: {pretty(e)}"
        assert not re.search(r"\b(java|javax|com|io|org|ai)\.[a-z]+\.", reason), f"class: {pretty(e)}"
        assert "://" not in reason, f"URL: {pretty(e)}"
    reasons = {e["name"]: e.get("reason", "") for e in broken_http_client.get_model_repository_index()}
    assert reasons["bad_config"].startswith("bad_config/config.pbtxt:"), pretty(reasons)
    assert "corrupt_model/1/model.onnx" in reasons["corrupt_model"], pretty(reasons)


def test_broken_index_shows_good_tiny_mlp_ready(broken_http_client):
    index = broken_http_client.get_model_repository_index()
    entries = [e for e in index if e["name"] == "tiny_mlp"]
    assert entries and all(e["state"] == "READY" for e in entries), pretty(index)


def test_broken_index_over_grpc_shows_reasons(broken_grpc_client):
    index = broken_grpc_client.get_model_repository_index()
    got = {m.name: m for m in index.models}
    assert got["corrupt_model"].state == "UNAVAILABLE" and got["corrupt_model"].reason
    assert got["bad_config"].state == "UNAVAILABLE" and got["bad_config"].reason
    assert got["tiny_mlp"].state == "READY"


def test_broken_server_serves_the_good_model(broken_http_client, broken_grpc_client):
    assert broken_http_client.is_model_ready("tiny_mlp")
    assert broken_http_client.infer("tiny_mlp", _tiny(httpclient, 2)).as_numpy("output").shape == (2, 1)
    assert broken_grpc_client.infer("tiny_mlp", _tiny(grpcclient, 3)).as_numpy("output").shape == (3, 1)


def test_broken_models_are_not_ready(broken_http_client):
    assert broken_http_client.is_model_ready("corrupt_model") is False
    assert broken_http_client.is_model_ready("bad_config") is False


def test_infer_on_a_model_that_failed_to_load_fails(broken_http_client):
    with pytest.raises(InferenceServerException) as err:
        broken_http_client.infer("corrupt_model", _tiny(httpclient, 1))
    assert err.value.status() in ("400", "404", "503"), (err.value.status(), err.value.message())
    assert broken_http_client.infer("tiny_mlp", _tiny(httpclient, 1)).as_numpy("output").shape == (1, 1)


def test_broken_server_is_live_and_ready_without_strict_readiness(broken_http_client, broken_grpc_client):
    assert broken_http_client.is_server_live() is True
    assert broken_http_client.is_server_ready() is True
    assert broken_grpc_client.is_server_ready() is True


def test_reloading_a_broken_model_fails_again_and_the_server_keeps_serving(broken_http_client):
    with pytest.raises(InferenceServerException) as err:
        broken_http_client.load_model("corrupt_model")
    assert err.value.status().startswith("4") or err.value.status().startswith("5"), err.value.status()
    assert broken_http_client.is_server_ready() is True
    assert broken_http_client.infer("tiny_mlp", _tiny(httpclient, 1)).as_numpy("output").shape == (1, 1)


def test_strict_server_a_is_unready_while_a_wanted_model_failed_to_load(
    http_client, broken_http_client, all_models_loaded
):
    assert http_client.is_server_ready() is True
    http_client.unload_model("tiny_mlp")
    try:
        with pytest.raises(InferenceServerException) as err:
            http_client.load_model("tiny_mlp", config=json.dumps(TINY_MISMATCHED))
        assert err.value.status() == "400", (err.value.status(), err.value.message())
        entries = _by_name(_http_index(http_client), "tiny_mlp")
        assert entries and all(e["state"] == "UNAVAILABLE" and e.get("reason") for e in entries), pretty(entries)
        assert http_client.is_server_ready() is False, "strict readiness: a wanted model failed to load"
        assert http_client.is_server_live() is True
        assert broken_http_client.is_server_ready() is True, "server B (non-strict) is ready with failed models"
        # the other models keep serving
        assert http_client.is_model_ready("iris_classifier") is True
    finally:
        http_client.load_model("tiny_mlp")
    assert http_client.is_server_ready() is True


def test_reload_with_a_failing_config_override_reports_the_failure(http_client, all_models_loaded):
    # Triton answers a failed (re)load with an error and keeps the loaded version serving.
    assert http_client.is_model_ready("tiny_mlp")
    try:
        with pytest.raises(InferenceServerException) as err:
            http_client.load_model("tiny_mlp", config=json.dumps(TINY_MISMATCHED))
        assert err.value.status() == "400", (err.value.status(), err.value.message())
    finally:
        assert http_client.is_model_ready("tiny_mlp"), "the previously loaded version must keep serving"
        assert http_client.get_model_config("tiny_mlp")["input"][0]["name"] == "input"
        assert http_client.infer("tiny_mlp", _tiny(httpclient, 1)).as_numpy("output").shape == (1, 1)
