"""Triton statistics extension (HTTP/gRPC) and the Prometheus metrics endpoint."""

from __future__ import annotations

import numpy as np
import pytest
import requests
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

from helpers import http_base, http_model_stats, metric_present, metric_sum, pretty, scrape, wait_for

STAT_DURATIONS = ["success", "fail", "queue", "compute_input", "compute_infer", "compute_output", "cache_hit", "cache_miss"]
BATCH_DURATIONS = ["compute_input", "compute_infer", "compute_output"]

NV_COUNTERS = [
    "nv_inference_request_success_total",
    "nv_inference_count_total",
    "nv_inference_exec_count_total",
    "nv_inference_request_duration_us_total",
    "nv_inference_queue_duration_us_total",
    "nv_inference_compute_input_duration_us_total",
    "nv_inference_compute_infer_duration_us_total",
    "nv_inference_compute_output_duration_us_total",
]


def _tiny_inputs(mod, rows=1, seed=0):
    x = np.random.default_rng(seed).standard_normal((rows, 32)).astype(np.float32)
    inp = mod.InferInput("input", [rows, 32], "FP32")
    inp.set_data_from_numpy(x)
    return [inp]


def _iris_inputs(mod, rows=1):
    inp = mod.InferInput("float_input", [rows, 4], "FP32")
    inp.set_data_from_numpy(np.tile(np.array([[5.1, 3.5, 1.4, 0.2]], dtype=np.float32), (rows, 1)))
    return [inp]


def _is_int(v) -> bool:
    return type(v) is int


def _grpc_stats(grpc_client, model, version="1"):
    resp = grpc_client.get_inference_statistics(model, version)
    entries = [s for s in resp.model_stats if s.name == model and s.version == version]
    assert len(entries) == 1, resp
    return entries[0]


def _wait_http_success(http_client, model, at_least):
    return wait_for(
        lambda: (s := http_model_stats(http_client, model))["inference_stats"]["success"]["count"] >= at_least and s
    ) or http_model_stats(http_client, model)


# --------------------------------------------------------------------------- HTTP statistics


def test_http_statistics_have_every_field_as_an_integer(http_client):
    http_client.infer("tiny_mlp", _tiny_inputs(httpclient))
    s = http_model_stats(http_client, "tiny_mlp")
    assert isinstance(s["version"], str) and s["version"] == "1"
    for field in ("last_inference", "inference_count", "execution_count"):
        assert _is_int(s.get(field)), f"{field} must be an integer: {pretty(s)}"
    for key in STAT_DURATIONS:
        entry = s["inference_stats"].get(key)
        assert entry is not None, f"inference_stats.{key} missing: {pretty(s)}"
        assert _is_int(entry.get("count")) and _is_int(entry.get("ns")), f"inference_stats.{key}: {entry}"
    assert s["inference_stats"]["cache_hit"]["count"] == 0 and s["inference_stats"]["cache_miss"]["count"] == 0


def test_http_statistics_batch_stats_are_present_and_integral(http_client):
    http_client.infer("tiny_mlp", _tiny_inputs(httpclient, rows=1))
    s = http_model_stats(http_client, "tiny_mlp")
    batch_stats = s.get("batch_stats")
    assert isinstance(batch_stats, list) and batch_stats, f"batch_stats missing/empty: {pretty(s)}"
    for b in batch_stats:
        assert _is_int(b.get("batch_size")) and b["batch_size"] >= 1, b
        for key in BATCH_DURATIONS:
            assert _is_int(b[key]["count"]) and _is_int(b[key]["ns"]), b
    assert any(b["batch_size"] == 1 and b["compute_infer"]["count"] >= 1 for b in batch_stats), pretty(batch_stats)


def test_http_success_and_queue_counts_grow_by_the_number_of_requests(http_client):
    before = http_model_stats(http_client, "iris_classifier")["inference_stats"]
    n = 7
    for _ in range(n):
        http_client.infer("iris_classifier", _iris_inputs(httpclient))
    want = before["success"]["count"] + n
    after = _wait_http_success(http_client, "iris_classifier", want)["inference_stats"]
    assert after["success"]["count"] - before["success"]["count"] == n
    assert after["queue"]["count"] - before["queue"]["count"] == n
    assert after["success"]["ns"] > before["success"]["ns"]


def test_http_inference_count_counts_batch_items_and_execution_count_grows(http_client):
    before = http_model_stats(http_client, "iris_classifier")
    http_client.infer("iris_classifier", _iris_inputs(httpclient, rows=5))
    after = _wait_http_success(
        http_client, "iris_classifier", before["inference_stats"]["success"]["count"] + 1
    )
    assert after["inference_count"] - before["inference_count"] == 5
    assert after["execution_count"] - before["execution_count"] == 1
    assert after["last_inference"] >= before["last_inference"] and after["last_inference"] > 0


def test_http_statistics_for_all_models_list_every_loaded_version(http_client):
    stats = http_client.get_inference_statistics()
    keys = {(s["name"], s["version"]) for s in stats["model_stats"]}
    for want in [("iris_classifier", "1"), ("tiny_mlp", "1"), ("category_encoder", "1"), ("int_adder", "1"), ("int_adder", "2")]:
        assert want in keys, f"{want} missing from {sorted(keys)}"


def test_http_statistics_without_version_cover_the_model(http_client):
    stats = http_client.get_inference_statistics("int_adder")
    versions = sorted(s["version"] for s in stats["model_stats"] if s["name"] == "int_adder")
    assert versions == ["1", "2"], pretty(stats)


def test_http_statistics_of_unknown_model_is_not_found(http_client):
    with pytest.raises(InferenceServerException) as err:
        http_client.get_inference_statistics("no_such_model")
    assert err.value.status() == "404"


# --------------------------------------------------------------------------- gRPC statistics


def test_grpc_statistics_version_is_a_string_and_counts_grow(grpc_client):
    before = _grpc_stats(grpc_client, "tiny_mlp")
    n = 5
    for i in range(n):
        grpc_client.infer("tiny_mlp", _tiny_inputs(grpcclient, seed=i))
    want = before.inference_stats.success.count + n
    after = wait_for(lambda: (s := _grpc_stats(grpc_client, "tiny_mlp")).inference_stats.success.count >= want and s)
    after = after or _grpc_stats(grpc_client, "tiny_mlp")
    assert after.version == "1"
    assert after.inference_stats.success.count - before.inference_stats.success.count == n
    assert after.inference_stats.queue.count - before.inference_stats.queue.count == n
    assert after.inference_count - before.inference_count == n
    assert len(after.batch_stats) >= 1


def test_grpc_statistics_as_json_have_every_duration_field(grpc_client):
    stats = grpc_client.get_inference_statistics("iris_classifier", "1", as_json=True)
    (s,) = stats["model_stats"]
    assert s["version"] == "1"
    # MessageToJson drops zero values, so only check that the populated ones parse as integers.
    for key, entry in s["inference_stats"].items():
        assert key in STAT_DURATIONS, key
        for v in entry.values():
            int(v)


def test_grpc_statistics_of_unknown_model_is_not_found(grpc_client):
    with pytest.raises(InferenceServerException) as err:
        grpc_client.get_inference_statistics("no_such_model")
    assert err.value.status() == "StatusCode.NOT_FOUND"


# --------------------------------------------------------------------------- Prometheus metrics


def test_metrics_endpoint_serves_prometheus_text(metrics_url):
    r = requests.get(http_base(metrics_url) + "/metrics", timeout=30)
    assert r.status_code == 200
    assert r.headers.get("Content-Type", "").startswith("text/plain"), r.headers
    assert "# TYPE" in r.text


@pytest.mark.parametrize("family", NV_COUNTERS + ["nv_inference_pending_request_count"])
def test_metrics_contain_nv_inference_family_with_model_and_version_labels(family, http_client, metrics_url):
    http_client.infer("iris_classifier", _iris_inputs(httpclient))
    samples = scrape(metrics_url)
    assert metric_present(samples, family, model="iris_classifier", version="1"), (
        f"{family}{{model=iris_classifier,version=1}} missing; nv families present: "
        f"{sorted({n for n, _, _ in samples if n.startswith('nv_')})}"
    )


def test_metrics_contain_sluice_batch_size(http_client, metrics_url):
    http_client.infer("tiny_mlp", _tiny_inputs(httpclient))
    samples = scrape(metrics_url)
    assert any(n.startswith("sluice_batch_size") for n, _, _ in samples), sorted({n for n, _, _ in samples})


def test_metrics_counters_increase_after_requests(http_client, metrics_url):
    labels = dict(model="iris_classifier", version="1")
    before = scrape(metrics_url)
    n, rows = 4, 3
    for _ in range(n):
        http_client.infer("iris_classifier", _iris_inputs(httpclient, rows=rows))

    def grown():
        s = scrape(metrics_url)
        return s if metric_sum(s, "nv_inference_request_success_total", **labels) >= metric_sum(
            before, "nv_inference_request_success_total", **labels
        ) + n else None

    after = wait_for(grown) or scrape(metrics_url)

    def delta(name):
        return metric_sum(after, name, **labels) - metric_sum(before, name, **labels)

    assert delta("nv_inference_request_success_total") == n
    assert delta("nv_inference_count_total") == n * rows
    assert 1 <= delta("nv_inference_exec_count_total") <= n
    assert delta("nv_inference_request_duration_us_total") > 0
    assert delta("nv_inference_compute_infer_duration_us_total") > 0


def test_pending_request_gauge_is_a_number_for_every_loaded_version(http_client, metrics_url):
    # Idle server: every nv_inference_pending_request_count sample must read 0 — not NaN, which is
    # what a Micrometer gauge reports once the object it reads has been garbage-collected.
    http_client.infer("iris_classifier", _iris_inputs(httpclient))
    samples = [(lab, v) for n, lab, v in scrape(metrics_url) if n == "nv_inference_pending_request_count"]
    keys = {(lab.get("model"), lab.get("version")) for lab, _ in samples}
    for want in [("iris_classifier", "1"), ("int_adder", "1"), ("int_adder", "2")]:
        assert want in keys, f"pending gauge missing for {want}: {sorted(keys)}"
    bad = [(lab, v) for lab, v in samples if v != 0]
    assert not bad, f"idle pending gauges must read 0: {bad}"


def test_metrics_count_int_adder_versions_separately(http_client, metrics_url):
    before = scrape(metrics_url)
    a = httpclient.InferInput("a", [4], "INT64")
    a.set_data_from_numpy(np.arange(4, dtype=np.int64))
    b = httpclient.InferInput("b", [4], "INT64")
    b.set_data_from_numpy(np.arange(4, dtype=np.int64))
    http_client.infer("int_adder", [a, b], model_version="1")
    after = wait_for(
        lambda: (s := scrape(metrics_url))
        and metric_sum(s, "nv_inference_request_success_total", model="int_adder", version="1")
        > metric_sum(before, "nv_inference_request_success_total", model="int_adder", version="1")
        and s
    ) or scrape(metrics_url)
    d1 = metric_sum(after, "nv_inference_request_success_total", model="int_adder", version="1") - metric_sum(
        before, "nv_inference_request_success_total", model="int_adder", version="1"
    )
    d2 = metric_sum(after, "nv_inference_request_success_total", model="int_adder", version="2") - metric_sum(
        before, "nv_inference_request_success_total", model="int_adder", version="2"
    )
    assert (d1, d2) == (1, 0)


def test_metrics_failure_counter_increases_after_a_bad_request(http_client, metrics_url):
    labels = dict(model="iris_classifier", version="1")
    before = metric_sum(scrape(metrics_url), "nv_inference_request_failure_total", **labels)
    bad = httpclient.InferInput("float_input", [1, 3], "FP32")  # model wants [N,4]
    bad.set_data_from_numpy(np.zeros((1, 3), dtype=np.float32))
    with pytest.raises(InferenceServerException):
        http_client.infer("iris_classifier", [bad])
    samples = wait_for(
        lambda: (s := scrape(metrics_url)) and metric_sum(s, "nv_inference_request_failure_total", **labels) > before and s
    ) or scrape(metrics_url)
    after = metric_sum(samples, "nv_inference_request_failure_total", **labels)
    assert after == before + 1, [
        (n, lab, v) for n, lab, v in samples if n == "nv_inference_request_failure_total"
    ]
    reasons = {lab.get("reason") for n, lab, _ in samples if n == "nv_inference_request_failure_total"}
    assert reasons and reasons <= {"REJECTED", "CANCELED", "BACKEND", "OTHER"}, reasons


def test_metrics_series_survive_a_model_reload(http_client, metrics_url, all_models_loaded):
    # load_model on an already-loaded model reloads it; its series must still be exported after.
    http_client.load_model("category_encoder")
    text = httpclient.InferInput("text", [1, 1], "BYTES")
    text.set_data_from_numpy(np.array([["red"]], dtype=object))
    http_client.infer("category_encoder", [text])
    samples = scrape(metrics_url)
    labels = dict(model="category_encoder", version="1")
    for family in NV_COUNTERS + ["nv_inference_pending_request_count"]:
        assert metric_present(samples, family, **labels), (
            f"{family}{{model=category_encoder,version=1}} missing after reload; series for it: "
            f"{sorted({n for n, lab, _ in samples if lab.get('model') == 'category_encoder'})}"
        )
    assert metric_sum(samples, "nv_inference_request_success_total", **labels) >= 1
