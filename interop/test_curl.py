"""HTTP transport details through curl: JSON infer, compressed bodies, Expect: 100-continue, keep-alive."""

from __future__ import annotations

import gzip
import json
import zlib

import numpy as np

from helpers import curl, http_base, iris_json_request

SK_RTOL, SK_ATOL = 1e-5, 1e-6


def _check_iris_response(body: bytes, clf, rows):
    resp = json.loads(body)
    outs = {o["name"]: o for o in resp["outputs"]}
    assert outs["label"]["datatype"] == "INT64" and outs["label"]["shape"] == [len(rows), 1]
    assert outs["probabilities"]["datatype"] == "FP32" and outs["probabilities"]["shape"] == [len(rows), 3]
    np.testing.assert_array_equal(np.array(outs["label"]["data"]).reshape(-1), clf.predict(rows))
    np.testing.assert_allclose(
        np.array(outs["probabilities"]["data"]).reshape(-1, 3), clf.predict_proba(rows), rtol=SK_RTOL, atol=SK_ATOL
    )


def _post_args(*extra):
    return ["-X", "POST", "-H", "Content-Type: application/json", "--data-binary", "@-", *extra]


def test_curl_json_infer_on_iris_matches_sklearn(http_url, iris):
    clf, x, _ = iris
    rows = x[[0, 75, 149]]
    status, body, _ = curl(
        http_base(http_url) + "/v2/models/iris_classifier/infer",
        *_post_args(),
        data=json.dumps(iris_json_request(rows)).encode(),
    )
    assert status == 200, body
    _check_iris_response(body, clf, rows)


def test_curl_request_without_an_id_gets_one_and_an_empty_id_counts_as_none(http_url, iris):
    _, x, _ = iris
    request = iris_json_request(x[[0]])
    request.pop("id", None)
    ids = []
    for body in (request, {**request, "id": ""}):
        status, out, _ = curl(http_base(http_url) + "/v2/models/iris_classifier/infer",
                              *_post_args(), data=json.dumps(body).encode())
        assert status == 200, out
        ids.append(json.loads(out)["id"])
    assert all(i and i.count("-") == 1 for i in ids) and ids[0] != ids[1], ids


def test_curl_json_infer_with_explicit_version_matches_sklearn(http_url, iris):
    clf, x, _ = iris
    rows = x[[10, 60]]
    status, body, _ = curl(
        http_base(http_url) + "/v2/models/iris_classifier/versions/1/infer",
        *_post_args(),
        data=json.dumps(iris_json_request(rows)).encode(),
    )
    assert status == 200, body
    _check_iris_response(body, clf, rows)
    assert json.loads(body)["model_version"] == "1"


def test_curl_gzip_compressed_request_body_is_decoded(http_url, iris):
    clf, x, _ = iris
    rows = x[:20]
    status, body, _ = curl(
        http_base(http_url) + "/v2/models/iris_classifier/infer",
        *_post_args("-H", "Content-Encoding: gzip"),
        data=gzip.compress(json.dumps(iris_json_request(rows)).encode()),
    )
    assert status == 200, body
    _check_iris_response(body, clf, rows)


def test_curl_deflate_compressed_request_body_is_decoded(http_url, iris):
    clf, x, _ = iris
    rows = x[20:40]
    status, body, _ = curl(
        http_base(http_url) + "/v2/models/iris_classifier/infer",
        *_post_args("-H", "Content-Encoding: deflate"),
        data=zlib.compress(json.dumps(iris_json_request(rows)).encode()),
    )
    assert status == 200, body
    _check_iris_response(body, clf, rows)


def test_curl_expect_100_continue_with_body_over_1_kib_gets_100_then_200(http_url, iris):
    clf, x, _ = iris
    rows = x[100:132]
    payload = json.dumps(iris_json_request(rows)).encode()
    assert len(payload) > 1024
    status, body, err = curl(
        http_base(http_url) + "/v2/models/iris_classifier/infer",
        *_post_args("-v", "-H", "Expect: 100-continue", "--expect100-timeout", "10"),
        data=payload,
    )
    assert "> Expect: 100-continue" in err, err
    assert "HTTP/1.1 100 Continue" in err, f"server did not answer 100 Continue:\n{err}"
    assert status == 200, body
    _check_iris_response(body, clf, rows)


def test_curl_reuses_the_connection_for_two_requests(http_url):
    base = http_base(http_url)
    status, body, err = curl(base + "/v2/health/live", "-v", base + "/v2/health/ready")
    # two bodies and one final status: {"live":true}{"ready":true}200 (curl writes -w after the last)
    assert status == 200
    assert "Re-using existing connection" in err or "Reusing existing" in err, err
    assert err.count("Connected to") == 1, err
