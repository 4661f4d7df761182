"""grpcurl, a gRPC client nobody here wrote, against Sluice through server reflection."""

from __future__ import annotations

import base64
import json
import os
import struct
import subprocess

import pytest


@pytest.fixture(scope="module")
def grpcurl() -> str:
    path = os.environ.get("GRPCURL")
    if not path:
        pytest.fail("GRPCURL is not set: run the suite through `bash interop/run.sh`", pytrace=False)
    return path


def run(grpcurl: str, *args: str, data: dict | None = None) -> subprocess.CompletedProcess:
    cmd = [grpcurl, "-plaintext"]
    if data is not None:
        cmd += ["-d", json.dumps(data)]
    cmd += list(args)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


def test_reflection_lists_the_inference_and_health_services(grpcurl, grpc_url):
    out = run(grpcurl, grpc_url, "list")

    assert out.returncode == 0, out.stderr
    services = out.stdout.split()
    assert "inference.GRPCInferenceService" in services
    assert "grpc.health.v1.Health" in services


def test_server_live_answers_through_reflection(grpcurl, grpc_url):
    out = run(grpcurl, grpc_url, "inference.GRPCInferenceService/ServerLive")

    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {"live": True}


def test_health_check_reports_serving(grpcurl, grpc_url):
    out = run(grpcurl, grpc_url, "grpc.health.v1.Health/Check")

    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["status"] == "SERVING"


def test_model_infer_with_typed_contents_returns_raw_outputs(grpcurl, grpc_url):
    request = {
        "model_name": "int_adder",
        "model_version": "1",
        "inputs": [
            {"name": "a", "datatype": "INT64", "shape": [4], "contents": {"int64_contents": [1, 2, 3, 4]}},
            {"name": "b", "datatype": "INT64", "shape": [4], "contents": {"int64_contents": [10, 20, 30, 40]}},
        ],
        "outputs": [{"name": "sum"}],
    }

    out = run(grpcurl, grpc_url, "inference.GRPCInferenceService/ModelInfer", data=request)

    assert out.returncode == 0, out.stderr
    response = json.loads(out.stdout)
    assert response["outputs"][0]["name"] == "sum"
    # grpcurl prints proto field names.
    raw = base64.b64decode(response["raw_output_contents"][0])
    assert list(struct.unpack("<4q", raw)) == [11, 22, 33, 44]


def test_unknown_model_is_not_found(grpcurl, grpc_url):
    out = run(grpcurl, grpc_url, "inference.GRPCInferenceService/ModelMetadata", data={"name": "nope"})

    assert out.returncode != 0
    assert "NotFound" in out.stderr
