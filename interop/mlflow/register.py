#!/usr/bin/env python3
"""Logs ONNX models to a real MLflow server with mlflow.onnx and registers them as versions.

Run with the MLflow venv (scripts/mlflow-env.sh):

    .venv-mlflow/bin/python interop/mlflow/register.py --uri URI --name fraud --seed 1 --alias champion
    .venv-mlflow/bin/python interop/mlflow/register.py --uri URI --name fraud --seed 2 --bad signature
    .venv-mlflow/bin/python interop/mlflow/register.py --uri URI --name fraud --batch 1,2,3:signature

--batch SPECS registers several versions in one process (mlflow takes seconds to import): a
comma-separated list of SEED[:signature|corrupt|config], printing one version number per line.

The graph is the tiny MLP of examples/make_models.py (32 -> 64 -> 1, float32, a variable batch
dimension); the seed changes its weights, so each version answers differently and a test can
tell which one answered. Its initializers are over 1 KiB, so mlflow.onnx stores them as external
data (a <uuid>.data file beside model.onnx), which the gateway must fetch with it.

--bad signature  logs a signature whose input is int64 (the graph takes float32)
--bad corrupt    logs the model, then overwrites model.onnx in the artifact store with garbage
                 of the same size (needs --artifacts-dir: the server's --artifacts-destination)
--config-pbtxt   also stores a config.pbtxt beside MLmodel (max_batch_size 8; needs --artifacts-dir)
Prints the new version number on stdout.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "examples"))

import numpy as np  # noqa: E402
import mlflow  # noqa: E402
from mlflow import MlflowClient  # noqa: E402
from mlflow.models import ModelSignature  # noqa: E402
from mlflow.types import Schema, TensorSpec  # noqa: E402

from make_models import build_mlp  # noqa: E402

CONFIG = """max_batch_size: 8
input [ { name: "input" data_type: TYPE_FP32 dims: [ 32 ] } ]
output [ { name: "output" data_type: TYPE_FP32 dims: [ 1 ] } ]
dynamic_batching { }
"""


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--uri", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--seed", type=int)
    p.add_argument("--batch")
    p.add_argument("--alias", action="append", default=[])
    p.add_argument("--bad", choices=["signature", "corrupt"])
    p.add_argument("--artifacts-dir")
    p.add_argument("--config-pbtxt", action="store_true")
    a = p.parse_args()

    mlflow.set_tracking_uri(a.uri)
    mlflow.set_experiment("sluice-interop")
    if a.batch:
        for spec in a.batch.split(","):
            seed, _, bad = spec.partition(":")
            print(register(a, int(seed), bad or None, []), flush=True)
        return 0
    print(register(a, a.seed, a.bad, a.alias))
    return 0


def register(a, seed: int, bad: str | None, aliases: list[str]) -> str:
    model, _ = build_mlp(a.name, [32, 64, 1], seed=seed)
    in_dtype = np.dtype(np.int64) if bad == "signature" else np.dtype(np.float32)
    sig = ModelSignature(Schema([TensorSpec(in_dtype, (-1, 32), "input")]),
                         Schema([TensorSpec(np.dtype(np.float32), (-1, 1), "output")]))
    with mlflow.start_run():
        info = mlflow.onnx.log_model(model, name="model", signature=sig,
                                     registered_model_name=a.name)
    version = str(info.registered_model_version)
    client = MlflowClient()
    stored = None
    with_config = a.config_pbtxt or bad == "config"
    if bad == "corrupt" or with_config:
        # The server's own artifact store: the files MLflow will serve for this version.
        uri = client.get_model_version_download_uri(a.name, version)
        stored = Path(a.artifacts_dir) / uri.split("mlflow-artifacts:/", 1)[1]
    if with_config:
        (stored / "config.pbtxt").write_text(CONFIG)
    if bad == "corrupt":
        target = stored / "model.onnx"
        size = target.stat().st_size
        target.write_bytes(b"\x00not an onnx graph\x00" * (size // 19) + b"\x00" * (size % 19))
    for alias in aliases:
        client.set_registered_model_alias(a.name, alias, version)
    return version


if __name__ == "__main__":
    sys.exit(main())
