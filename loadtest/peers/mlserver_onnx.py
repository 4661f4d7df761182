"""MLServer runtime that runs an ONNX model with onnxruntime (the MLServer adapter of peers.sh).

Adapts: MLServer 1.7 has runtimes for sklearn, xgboost, lightgbm, mlflow, huggingface and
others, but none for ONNX, so a user serving an .onnx file writes a custom runtime like this
one: an `MLModel` whose `load` opens the model file named by `parameters.uri` in its
model-settings.json and whose `predict` decodes the first input with `NumpyCodec`, runs the
session and encodes the first output. Batching is MLServer's own adaptive batching
(`max_batch_size` / `max_batch_time` in model-settings.json), which concatenates requests
along the first dimension before `predict` and splits the result after it.

Missing compared with Sluice (what a client may notice): no Triton model-configuration
endpoint (`/v2/models/<m>/config`, gRPC ModelConfig) and no statistics extension, which
perf_analyzer reads; see reports/peers.md for what the clients met on the wire.
"""

from __future__ import annotations

from mlserver import MLModel
from mlserver.codecs import NumpyCodec
from mlserver.types import InferenceRequest, InferenceResponse
from mlserver.utils import get_model_uri

from ort_session import open_session


class OnnxRuntimeModel(MLModel):
    async def load(self) -> bool:
        self._session = open_session(await get_model_uri(self._settings))
        self._input = self._session.get_inputs()[0].name
        self._output = self._session.get_outputs()[0].name
        return True

    async def predict(self, payload: InferenceRequest) -> InferenceResponse:
        x = NumpyCodec.decode_input(payload.inputs[0])
        (y,) = self._session.run([self._output], {self._input: x})
        return InferenceResponse(
            model_name=self.name, id=payload.id, outputs=[NumpyCodec.encode_output(self._output, y)]
        )
