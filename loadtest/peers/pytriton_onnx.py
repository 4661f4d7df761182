"""PyTriton 0.7 (Triton Inference Server core driving a Python function) serving ONNX models.

Adapts: PyTriton binds a Python callable to a model of a real tritonserver process (its
Python backend: requests cross from tritonserver to a stub process over shared memory). The
callable here runs an onnxruntime session; with `batching` on, Triton's dynamic batcher
(`max_queue_delay_microseconds: 0`, as Sluice's `dynamic_batching { }`) forms the batches and
`@batch` stacks them into one array; without it (tiny_mlp) each request runs alone, as in
Sluice's tiny_mlp config (max_batch_size 64, no dynamic_batching). The protocol side (HTTP with the binary extension, gRPC,
model configuration, statistics) is Triton's own, so every client works unchanged.

usage: python pytriton_onnx.py --model_dir DIR --http_port P --grpc_port Q --metrics_port R
       --batching NAME[,NAME]   (models that get the dynamic batcher, max_batch_size 64)
"""

from __future__ import annotations

import argparse
import os

import numpy as np
from pytriton.decorators import batch
from pytriton.model_config import DynamicBatcher, ModelConfig, Tensor
from pytriton.triton import Triton, TritonConfig, TritonSecurityConfig

from ort_session import open_session


def bind(triton: Triton, name: str, path: str, batching: bool) -> None:
    session = open_session(path)
    inp, out = session.get_inputs()[0], session.get_outputs()[0]

    @batch
    def infer(**inputs):
        (y,) = session.run([out.name], {inp.name: inputs[inp.name]})
        return {out.name: y}

    # Without batching: max_batch_size 64 but no dynamic_batching, as Sluice's tiny_mlp config.
    batcher = DynamicBatcher(max_queue_delay_microseconds=0) if batching else None
    config = ModelConfig(max_batch_size=64, batcher=batcher)
    triton.bind(
        model_name=name,
        infer_func=infer,
        inputs=[Tensor(name=inp.name, dtype=np.float32, shape=tuple(inp.shape[1:]))],
        outputs=[Tensor(name=out.name, dtype=np.float32, shape=tuple(out.shape[1:]))],
        config=config,
        strict=False,
    )


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--model_dir", required=True)
    p.add_argument("--http_port", type=int, required=True)
    p.add_argument("--grpc_port", type=int, required=True)
    p.add_argument("--metrics_port", type=int, required=True)
    p.add_argument("--batching", default="")
    args = p.parse_args()
    batched = set(filter(None, args.batching.split(",")))
    config = TritonConfig(
        http_address="127.0.0.1", http_port=args.http_port,
        grpc_address="127.0.0.1", grpc_port=args.grpc_port,
        metrics_port=args.metrics_port, log_verbose=0,
    )  # fmt: skip
    # PyTriton restricts statistics, model-repository and others to holders of a token (its
    # default: a random one); PYTRITON_ACCESS_TOKEN lets perf_analyzer, which reads the
    # statistics, send it.
    security = TritonSecurityConfig(access_token=os.environ.get("PYTRITON_ACCESS_TOKEN") or None)
    with Triton(config=config, security_config=security) as triton:
        for name in sorted(os.listdir(args.model_dir)):
            bind(triton, name, os.path.join(args.model_dir, name, "1", "model.onnx"), name in batched)
        triton.serve()


if __name__ == "__main__":
    main()
