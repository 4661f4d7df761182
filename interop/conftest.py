"""Fixtures for the Triton-client interop suite.

The servers are started by interop/run.sh, which exports their addresses:
SLUICE_HTTP_URL, SLUICE_GRPC_URL, SLUICE_METRICS_URL (server A, examples/model_repository,
strict readiness) and SLUICE_BROKEN_HTTP_URL, SLUICE_BROKEN_GRPC_URL (server B,
examples/broken_repository, --strict-readiness false, --max-request-bytes 1048576, 2 s header
and body timeouts; its metrics at SLUICE_BROKEN_METRICS_URL).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import helpers  # noqa: E402


def _env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run the suite through `bash interop/run.sh`", pytrace=False)
    return value


# --------------------------------------------------------------------------- addresses


@pytest.fixture(scope="session")
def http_url() -> str:
    return _env("SLUICE_HTTP_URL")


@pytest.fixture(scope="session")
def grpc_url() -> str:
    return _env("SLUICE_GRPC_URL")


@pytest.fixture(scope="session")
def metrics_url() -> str:
    return _env("SLUICE_METRICS_URL")


@pytest.fixture(scope="session")
def tf_http_url() -> str:
    """Server D: tiny_mlp (ONNX Runtime) beside the TensorFlow SavedModels, one process."""
    return _env("SLUICE_TF_HTTP_URL")


@pytest.fixture(scope="session")
def tf_grpc_url() -> str:
    return _env("SLUICE_TF_GRPC_URL")


@pytest.fixture(scope="session")
def broken_http_url() -> str:
    return _env("SLUICE_BROKEN_HTTP_URL")


@pytest.fixture(scope="session")
def broken_grpc_url() -> str:
    return _env("SLUICE_BROKEN_GRPC_URL")


@pytest.fixture(scope="session")
def broken_metrics_url() -> str:
    return _env("SLUICE_BROKEN_METRICS_URL")


@pytest.fixture(scope="session")
def perf_analyzer() -> str:
    path = _env("PERF_ANALYZER")
    p = Path(path)
    if not p.is_absolute():
        p = helpers.ROOT / p
    assert p.exists(), f"PERF_ANALYZER={path} does not exist"
    return str(p)


# --------------------------------------------------------------------------- clients


@pytest.fixture(scope="session")
def http_client(http_url):
    import tritonclient.http as httpclient

    client = httpclient.InferenceServerClient(http_url, concurrency=8, network_timeout=60.0)
    yield client
    client.close()


@pytest.fixture(scope="session")
def grpc_client(grpc_url):
    import tritonclient.grpc as grpcclient

    client = grpcclient.InferenceServerClient(grpc_url)
    yield client
    client.close()


@pytest.fixture(scope="session")
def broken_http_client(broken_http_url):
    import tritonclient.http as httpclient

    client = httpclient.InferenceServerClient(broken_http_url, network_timeout=60.0)
    yield client
    client.close()


@pytest.fixture(scope="session")
def broken_grpc_client(broken_grpc_url):
    import tritonclient.grpc as grpcclient

    client = grpcclient.InferenceServerClient(broken_grpc_url)
    yield client
    client.close()


@pytest.fixture(params=["http", "grpc"])
def protocol(request) -> str:
    return request.param


@pytest.fixture
def client(protocol, http_client, grpc_client):
    """The tritonclient for the parametrized protocol."""
    return http_client if protocol == "http" else grpc_client


@pytest.fixture
def triton(protocol):
    """The tritonclient module (tritonclient.http / tritonclient.grpc) for the protocol."""
    if protocol == "http":
        import tritonclient.http as mod
    else:
        import tritonclient.grpc as mod
    return mod


# --------------------------------------------------------------------------- reference models


@pytest.fixture(scope="session")
def iris():
    """(sklearn classifier, X float32 [150,4], y) reproduced from examples/make_models.py."""
    return helpers.train_iris_classifier()


@pytest.fixture(scope="session")
def ort_sessions():
    """Python onnxruntime sessions on the committed .onnx files, by model name."""
    return {
        "iris_classifier": helpers.ort_session(helpers.MODEL_REPO / "iris_classifier" / "1" / "model.onnx"),
        "tiny_mlp": helpers.ort_session(helpers.MODEL_REPO / "tiny_mlp" / "1" / "model.onnx"),
        "category_encoder": helpers.ort_session(helpers.MODEL_REPO / "category_encoder" / "1" / "model.onnx"),
    }


# --------------------------------------------------------------------------- state guard


@pytest.fixture
def all_models_loaded(http_client):
    """Makes sure every model of server A is loaded (as from its repository) after the test."""
    yield
    for model in helpers.MODELS:
        if not http_client.is_model_ready(model):
            http_client.load_model(model)
    assert http_client.is_server_ready(), "server A did not return to ready after the test"
