"""Security: server C (mutual TLS + admin token, interop/make-certs.sh) with curl and tritonclient,
certificate reload without a restart, and config-override limits on server A (loopback, no token).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import ssl
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

from helpers import curl, http_base

SERVER_SERIAL = 0x1001
RELOADED_SERIAL = 0x1002


# --------------------------------------------------------------------------- server C fixtures


@pytest.fixture(scope="session")
def tls_dir() -> Path:
    value = os.environ.get("SLUICE_TLS_DIR")
    if not value:
        pytest.fail("SLUICE_TLS_DIR is not set: run the suite through `bash interop/run.sh`", pytrace=False)
    return Path(value)


@pytest.fixture(scope="session")
def tls_http_url() -> str:
    return os.environ["SLUICE_TLS_HTTP_URL"]


@pytest.fixture(scope="session")
def tls_grpc_url() -> str:
    return os.environ["SLUICE_TLS_GRPC_URL"]


@pytest.fixture(scope="session")
def token(tls_dir) -> str:
    return (tls_dir / "token").read_text().strip()


@pytest.fixture(scope="session")
def mtls_args(tls_dir) -> list[str]:
    """curl's options for server C: our CA, and the client certificate mutual TLS asks for."""
    return ["--cacert", str(tls_dir / "ca.crt"), "--cert", str(tls_dir / "client.crt"), "--key", str(tls_dir / "client.key")]


@pytest.fixture(scope="session")
def tls_http_client(tls_http_url, tls_dir):
    client = httpclient.InferenceServerClient(
        tls_http_url,
        ssl=True,
        ssl_options={
            "ca_certs": str(tls_dir / "ca.crt"),
            "certfile": str(tls_dir / "client.crt"),
            "keyfile": str(tls_dir / "client.key"),
        },
        network_timeout=60.0,
    )
    yield client
    client.close()


@pytest.fixture(scope="session")
def tls_grpc_client(tls_grpc_url, tls_dir):
    client = grpcclient.InferenceServerClient(
        tls_grpc_url,
        ssl=True,
        root_certificates=str(tls_dir / "ca.crt"),
        private_key=str(tls_dir / "client.key"),
        certificate_chain=str(tls_dir / "client.crt"),
    )
    yield client
    client.close()


def _https(url: str) -> str:
    return "https://" + url


def _iris_rows():
    return np.array([[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]], dtype=np.float32)


def _run_curl(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["curl", "-s", "--max-time", "20", *args], capture_output=True, timeout=40)


def _served_serial(tls_http_url: str, tls_dir: Path) -> int:
    """The serial of the certificate a new TLS connection to server C is shown."""
    host, port = tls_http_url.rsplit(":", 1)
    context = ssl.create_default_context(cafile=str(tls_dir / "ca.crt"))
    context.load_cert_chain(str(tls_dir / "client.crt"), str(tls_dir / "client.key"))
    with socket.create_connection((host, int(port)), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname=host) as s:
            der = s.getpeercert(binary_form=True)
    out = subprocess.run(["openssl", "x509", "-inform", "DER", "-noout", "-serial"], input=der,
                         capture_output=True, check=True)
    return int(out.stdout.decode().strip().split("=", 1)[1], 16)


# --------------------------------------------------------------------------- curl


def test_curl_over_mutual_tls_is_served(tls_http_url, mtls_args):
    status, body, _ = curl(_https(tls_http_url) + "/v2/health/ready", *mtls_args)
    assert status == 200 and json.loads(body) == {"ready": True}, body


def test_curl_without_a_client_certificate_is_refused(tls_http_url, tls_dir):
    proc = _run_curl("--cacert", str(tls_dir / "ca.crt"), _https(tls_http_url) + "/v2/health/ready")
    assert proc.returncode != 0, proc.stdout
    assert b"ready" not in proc.stdout


def test_curl_speaking_plain_http_to_the_tls_port_gets_no_answer(tls_http_url):
    proc = _run_curl("-o", "-", "-w", "%{http_code}", "http://" + tls_http_url + "/v2/health/ready")
    assert not proc.stdout.endswith(b"200"), proc.stdout


def test_curl_repository_index_needs_the_token(tls_http_url, mtls_args, token):
    url = _https(tls_http_url) + "/v2/repository/index"
    status, body, _ = curl(url, "-X", "POST", "-D", "/dev/stderr", *mtls_args)
    assert status == 401, body
    assert "Authorization: Bearer" in json.loads(body)["error"]

    proc = subprocess.run(["curl", "-s", "-o", "/dev/null", "-D", "-", "-X", "POST", *mtls_args, url],
                          capture_output=True, timeout=40)
    assert b'www-authenticate: bearer realm="sluice"' in proc.stdout.lower(), proc.stdout

    status, body, _ = curl(url, "-X", "POST", "-H", "Authorization: Bearer wrong", *mtls_args)
    assert status == 401, body

    status, body, _ = curl(url, "-X", "POST", "-H", f"Authorization: Bearer {token}", *mtls_args)
    assert status == 200, body
    assert {e["name"] for e in json.loads(body)} >= {"iris_classifier", "tiny_mlp"}


def test_curl_infer_over_mutual_tls_needs_no_token(tls_http_url, mtls_args, iris):
    clf, x, _ = iris
    rows = x[[0, 75, 149]]
    req = {"inputs": [{"name": "float_input", "shape": list(rows.shape), "datatype": "FP32",
                       "data": rows.reshape(-1).tolist()}]}
    status, body, _ = curl(_https(tls_http_url) + "/v2/models/iris_classifier/infer", "-X", "POST",
                           "--data-binary", "@-", *mtls_args, data=json.dumps(req).encode())
    assert status == 200, body
    labels = {o["name"]: o for o in json.loads(body)["outputs"]}["label"]["data"]
    np.testing.assert_array_equal(labels, clf.predict(rows))


# --------------------------------------------------------------------------- tritonclient


def test_tritonclient_http_infers_over_mutual_tls(tls_http_client, iris):
    clf, _, _ = iris
    rows = _iris_rows()
    inp = httpclient.InferInput("float_input", list(rows.shape), "FP32")
    inp.set_data_from_numpy(rows)
    result = tls_http_client.infer("iris_classifier", [inp])
    np.testing.assert_array_equal(result.as_numpy("label").reshape(-1), clf.predict(rows))


def test_tritonclient_grpc_infers_over_mutual_tls(tls_grpc_client, iris):
    clf, _, _ = iris
    rows = _iris_rows()
    inp = grpcclient.InferInput("float_input", list(rows.shape), "FP32")
    inp.set_data_from_numpy(rows)
    result = tls_grpc_client.infer("iris_classifier", [inp])
    np.testing.assert_array_equal(result.as_numpy("label").reshape(-1), clf.predict(rows))


def test_tritonclient_http_load_needs_the_token(tls_http_client, token):
    with pytest.raises(InferenceServerException) as e:
        tls_http_client.load_model("tiny_mlp")
    assert "admin token" in str(e.value)

    tls_http_client.load_model("tiny_mlp", headers={"Authorization": f"Bearer {token}"})
    assert tls_http_client.is_model_ready("tiny_mlp")


def test_tritonclient_grpc_load_needs_the_token(tls_grpc_client, token):
    with pytest.raises(InferenceServerException) as e:
        tls_grpc_client.load_model("tiny_mlp")
    assert "UNAUTHENTICATED" in str(e.value.status())

    with pytest.raises(InferenceServerException) as e:
        tls_grpc_client.get_model_repository_index(headers={"authorization": "Bearer wrong"})
    assert "UNAUTHENTICATED" in str(e.value.status())

    tls_grpc_client.load_model("tiny_mlp", headers={"authorization": f"Bearer {token}"})
    assert tls_grpc_client.is_model_ready("tiny_mlp")
    index = tls_grpc_client.get_model_repository_index(headers={"authorization": f"Bearer {token}"})
    assert "tiny_mlp" in {m.name for m in index.models}


def test_denials_are_counted_in_the_metrics(tls_http_client):
    with pytest.raises(InferenceServerException):
        tls_http_client.unload_model("tiny_mlp")
    metrics = os.environ["SLUICE_TLS_METRICS_URL"]
    status, body, _ = curl(http_base(metrics) + "/metrics")
    assert status == 200
    lines = [l for l in body.decode().splitlines() if l.startswith("sluice_admin_denied_total")]
    assert any('protocol="http"' in l and 'reason="missing_token"' in l for l in lines), lines
    assert any('protocol="grpc"' in l for l in lines), lines


# --------------------------------------------------------------------------- reload


def test_a_replaced_certificate_is_served_to_new_connections_without_a_restart(
        tls_http_url, tls_dir, tls_grpc_client, mtls_args):
    """Server C keeps the second certificate afterwards; the same CA signed it, so later tests pass."""
    assert _served_serial(tls_http_url, tls_dir) == SERVER_SERIAL
    host, port = tls_http_url.rsplit(":", 1)
    context = ssl.create_default_context(cafile=str(tls_dir / "ca.crt"))
    context.load_cert_chain(str(tls_dir / "client.crt"), str(tls_dir / "client.key"))
    old = context.wrap_socket(socket.create_connection((host, int(port)), timeout=10), server_hostname=host)
    try:
        # Write beside, then rename over: what cert-manager and `mv` do.
        for src, dst in (("server2.key", "live.key"), ("server2.crt", "live.crt")):
            shutil.copy(tls_dir / src, tls_dir / (dst + ".tmp"))
            os.replace(tls_dir / (dst + ".tmp"), tls_dir / dst)
        deadline = time.monotonic() + 20
        while _served_serial(tls_http_url, tls_dir) != RELOADED_SERIAL:
            assert time.monotonic() < deadline, "server C still serves the old certificate after 20 s"
            time.sleep(0.2)

        # The connection made before the swap still serves, on its first session.
        old.sendall(b"GET /v2/health/live HTTP/1.1\r\nHost: localhost\r\n\r\n")
        assert old.recv(4096).startswith(b"HTTP/1.1 200")
    finally:
        old.close()
    # New clients of both protocols still work (the same CA signed the new certificate).
    status, _, _ = curl(_https(tls_http_url) + "/v2/health/ready", *mtls_args)
    assert status == 200
    assert tls_grpc_client.is_server_ready()


# --------------------------------------------------------------------------- override limits (server A)


TINY = {
    "name": "tiny_mlp",
    "platform": "onnxruntime_onnx",
    "max_batch_size": 4,
    "input": [{"name": "input", "data_type": "TYPE_FP32", "dims": [32]}],
    "output": [{"name": "output", "data_type": "TYPE_FP32", "dims": [1]}],
}


def _tiny_ready_and_serving(client, mod):
    assert client.is_model_ready("tiny_mlp")
    inp = mod.InferInput("input", [1, 32], "FP32")
    inp.set_data_from_numpy(np.ones((1, 32), dtype=np.float32))
    assert client.infer("tiny_mlp", [inp]).as_numpy("output").shape == (1, 1)


@pytest.mark.parametrize(
    "override, expected",
    [
        ({"instance_group": [{"count": 200}]}, "--max-override-instances"),
        ({"dynamic_batching": {"max_queue_delay_microseconds": 3600000000}}, "--max-override-queue-delay-us"),
        ({"parameters": {"intra_op_thread_count": {"string_value": "256"}}}, "--max-override-threads"),
        ({"max_batch_size": 100000}, "--max-override-batch-size"),
        ({"dynamic_batching": {"default_queue_policy": {"max_queue_size": 1000000}}}, "--max-override-queue-size"),
        ({"name": "iris_classifier"}, "expected: 'tiny_mlp'"),
    ],
)
def test_an_override_over_a_limit_is_refused_and_the_model_keeps_serving(
        http_url, http_client, grpc_client, all_models_loaded, override, expected):
    config = json.dumps(dict(TINY, **override))
    status, body, _ = curl(http_base(http_url) + "/v2/repository/models/tiny_mlp/load", "-X", "POST",
                           "--data-binary", "@-", data=json.dumps({"parameters": {"config": config}}).encode())
    assert status == 400, body
    assert expected in json.loads(body)["error"]

    with pytest.raises(InferenceServerException) as e:
        grpc_client.load_model("tiny_mlp", config=config)
    assert "INVALID_ARGUMENT" in str(e.value.status()) and expected in e.value.message()

    _tiny_ready_and_serving(http_client, httpclient)
    assert http_client.get_model_config("tiny_mlp")["max_batch_size"] == 4
