"""KServe model server (Python `kserve` 0.21) serving ONNX models with onnxruntime.

Adapts: KServe's Python model server has no ONNX predictor of its own (in a cluster an ONNX
model goes to a Triton or ONNX Runtime container), so a user of the `kserve` package writes a
`kserve.Model` subclass: `load` opens the session, `predict` takes the V2 `InferRequest`
(JSON, the binary tensor extension or gRPC raw contents), runs it and answers an
`InferResponse`, binary where the request asked for binary outputs.

Missing compared with Sluice: no batcher in the model server (KServe batches in its
Kubernetes agent sidecar, which is not part of this package), no Triton
model-configuration or statistics endpoints (perf_analyzer needs the former).

usage: python kserve_onnx.py --model_dir DIR --http_port P --grpc_port Q
       (DIR holds NAME/1/model.onnx per model; every other flag is kserve's own)
"""

from __future__ import annotations

import argparse
import os

import kserve
from kserve import InferOutput, InferRequest, InferResponse, Model, ModelServer
from kserve.model_server import parser as kserve_parser

from ort_session import open_session


class OnnxModel(Model):
    def __init__(self, name: str, path: str):
        super().__init__(name)
        self._path = path

    def load(self) -> bool:
        self._session = open_session(self._path)
        self._input = self._session.get_inputs()[0].name
        self._output = self._session.get_outputs()[0].name
        self.ready = True
        return self.ready

    def predict(self, payload: InferRequest, headers=None, response_headers=None) -> InferResponse:
        x = payload.inputs[0].as_numpy()
        (y,) = self._session.run([self._output], {self._input: x})
        binary = payload.use_binary_outputs
        out = InferOutput(name=self._output, shape=list(y.shape), datatype="FP32")
        out.set_data_from_numpy(y, binary_data=binary)
        return InferResponse(
            response_id=payload.id or "", model_name=self.name, infer_outputs=[out], use_binary_outputs=binary
        )


def main() -> None:
    p = argparse.ArgumentParser(parents=[kserve_parser])
    p.add_argument("--model_dir", required=True)
    args, _ = p.parse_known_args()
    models = []
    for name in sorted(os.listdir(args.model_dir)):
        m = OnnxModel(name, os.path.join(args.model_dir, name, "1", "model.onnx"))
        m.load()
        models.append(m)
    # Per-request latency logging is on by default; Sluice logs nothing per request, so off.
    ModelServer(http_port=args.http_port, grpc_port=args.grpc_port, enable_latency_logging=False).start(models)


if __name__ == "__main__":
    kserve.logging.configure_logging()  # the same logging the kserve entry point sets up
    main()
