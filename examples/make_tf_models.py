#!/usr/bin/env python3
"""Generate Sluice's example TensorFlow SavedModels (a Triton-style model repository).

Python TensorFlow lives in its own venv, used by this script only (the gateway serves
the models through TensorFlow Java; nothing else in the repo needs Python TF):

    python3 -m venv .venv-tf && .venv-tf/bin/pip install tensorflow-cpu==2.21.0 onnx==1.19.1
    .venv-tf/bin/python examples/make_tf_models.py          # examples/tf_model_repository

Everything is deterministic (fixed seeds). Each model is reloaded from disk with
tf.saved_model.load and run through its serving signature; the inputs and outputs of
that run are written to <model>/expected_outputs.json, which the Java tests compare
against TensorFlow Java's answers (1e-5 for floats, exact otherwise).

  tf_dense_classifier  FP32 features [-1, 4] -> softmax probabilities [-1, 3] and
                       logits [-1, 3]; a dense 4-16-3 network; no config.pbtxt, so the
                       gateway autofills it (dynamic batch from the signature)
  dense_classifier_onnx  the ONNX twin of tf_dense_classifier: the same weights as
                       Gemm/Relu/Gemm/Softmax (IR 9, opset 17), so the two engines can be
                       compared on one model (tests and the engine baselines)
  tf_identity_types    one input per TensorFlow Java dtype besides FP32/INT64/BYTES (FP64,
                       FP16, BF16, INT32, UINT8, UINT16, BOOL), each [-1, 3], answered
                       unchanged as <name>_out: the backend's copies for every width
  tf_text_features     BYTES text [-1] and INT64 count [-1] -> INT64 bucket [-1]
                       (fingerprint hash of text into 1000 buckets) and BYTES tagged [-1]
                       ("<text>#<count>"); with a config.pbtxt naming the platform
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import tensorflow as tf  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

HERE = Path(__file__).resolve().parent
REPO = HERE / "tf_model_repository"


class DenseClassifier(tf.Module):
    def __init__(self, seed: int):
        super().__init__()
        rng = np.random.default_rng(seed)
        self.w1 = tf.Variable(rng.normal(0, 0.5, (4, 16)).astype(np.float32), name="w1")
        self.b1 = tf.Variable(rng.normal(0, 0.1, (16,)).astype(np.float32), name="b1")
        self.w2 = tf.Variable(rng.normal(0, 0.5, (16, 3)).astype(np.float32), name="w2")
        self.b2 = tf.Variable(rng.normal(0, 0.1, (3,)).astype(np.float32), name="b2")

    @tf.function(input_signature=[tf.TensorSpec([None, 4], tf.float32, name="features")])
    def serve(self, features):
        hidden = tf.nn.relu(tf.matmul(features, self.w1) + self.b1)
        logits = tf.matmul(hidden, self.w2) + self.b2
        return {"probabilities": tf.nn.softmax(logits), "logits": logits}


class TextFeatures(tf.Module):
    @tf.function(
        input_signature=[
            tf.TensorSpec([None], tf.string, name="text"),
            tf.TensorSpec([None], tf.int64, name="count"),
        ]
    )
    def serve(self, text, count):
        bucket = tf.strings.to_hash_bucket_fast(text, 1000)
        tagged = tf.strings.join([text, tf.strings.as_string(count)], separator="#")
        return {"bucket": bucket, "tagged": tagged}


def fresh(path: Path) -> Path:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def encode(value: np.ndarray):
    """JSON for a numpy array: numbers as lists, strings as base64 (they may be binary)."""
    if value.dtype == object or value.dtype.kind in ("S", "O"):
        return {"b64": [base64.b64encode(v).decode("ascii") for v in value.reshape(-1)],
                "shape": list(value.shape)}
    return {"data": value.reshape(-1).tolist(), "shape": list(value.shape), "dtype": str(value.dtype)}


def save_and_check(module: tf.Module, model_dir: Path, inputs: dict) -> None:
    export = model_dir / "1" / "model.savedmodel"
    tf.saved_model.save(module, str(export), signatures={"serving_default": module.serve})
    loaded = tf.saved_model.load(str(export))
    fn = loaded.signatures["serving_default"]
    outputs = {k: v.numpy() for k, v in fn(**{k: tf.constant(v) for k, v in inputs.items()}).items()}
    doc = {
        "signature": "serving_default",
        "inputs": {k: encode(np.asarray(v)) for k, v in inputs.items()},
        "outputs": {k: encode(v) for k, v in outputs.items()},
    }
    (model_dir / "expected_outputs.json").write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n")
    print(f"{model_dir.name}: {sorted(inputs)} -> {sorted(outputs)}")


def make_dense(repo: Path) -> None:
    model_dir = fresh(repo / "tf_dense_classifier")
    module = DenseClassifier(seed=11)
    x = np.random.default_rng(12).normal(0, 1, (5, 4)).astype(np.float32)
    save_and_check(module, model_dir, {"features": x})
    # The same math in numpy: the SavedModel computes what the weights say.
    w1, b1, w2, b2 = (v.numpy() for v in (module.w1, module.b1, module.w2, module.b2))
    logits = np.maximum(x @ w1 + b1, 0) @ w2 + b2
    got = json.loads((model_dir / "expected_outputs.json").read_text())["outputs"]["logits"]["data"]
    assert np.allclose(np.array(got, dtype=np.float32).reshape(5, 3), logits, atol=1e-5)
    make_dense_onnx(repo, w1, b1, w2, b2)


def make_dense_onnx(repo: Path, w1, b1, w2, b2) -> None:
    """The same network as an ONNX graph (the twin the engine comparison needs)."""
    model_dir = fresh(repo / "dense_classifier_onnx")
    graph = helper.make_graph(
        [
            helper.make_node("Gemm", ["features", "w1", "b1"], ["h"]),
            helper.make_node("Relu", ["h"], ["hr"]),
            helper.make_node("Gemm", ["hr", "w2", "b2"], ["logits"]),
            helper.make_node("Softmax", ["logits"], ["probabilities"], axis=-1),
        ],
        "dense_classifier",
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", 4])],
        [
            helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 3]),
            helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", 3]),
        ],
        [numpy_helper.from_array(a, n) for a, n in ((w1, "w1"), (b1, "b1"), (w2, "w2"), (b2, "b2"))],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 9
    model.producer_name = "sluice-make-tf-models"
    onnx.checker.check_model(model, full_check=True)
    path = model_dir / "1" / "model.onnx"
    path.parent.mkdir(parents=True)
    onnx.save_model(model, str(path))
    print(f"{model_dir.name}: the ONNX twin of tf_dense_classifier")


IDENTITY_TYPES = {
    "fp64": tf.float64, "fp16": tf.float16, "bf16": tf.bfloat16, "int32": tf.int32,
    "uint8": tf.uint8, "uint16": tf.uint16, "bool": tf.bool,
}


class IdentityTypes(tf.Module):
    @tf.function(input_signature=[tf.TensorSpec([None, 3], t, name=n) for n, t in IDENTITY_TYPES.items()])
    def serve(self, *tensors):
        return {f"{n}_out": tf.identity(t) for n, t in zip(IDENTITY_TYPES, tensors)}


def make_identity(repo: Path) -> None:
    model_dir = fresh(repo / "tf_identity_types")
    export = model_dir / "1" / "model.savedmodel"
    module = IdentityTypes()
    tf.saved_model.save(module, str(export), signatures={"serving_default": module.serve})
    fn = tf.saved_model.load(str(export)).signatures["serving_default"]
    feeds = {n: tf.cast(tf.constant([[1, 0, 3], [4, 5, 0]]), t) for n, t in IDENTITY_TYPES.items()}
    out = fn(**feeds)
    for n in IDENTITY_TYPES:
        assert np.array_equal(out[f"{n}_out"].numpy(), feeds[n].numpy()), n
    print(f"{model_dir.name}: {sorted(IDENTITY_TYPES)} -> unchanged")


def make_text(repo: Path) -> None:
    model_dir = fresh(repo / "tf_text_features")
    text = np.array([b"alpha", b"", "caf\u00e9".encode("utf-8"), b"\x00\xffbin"], dtype=object)
    count = np.array([1, -2, 30, 4], dtype=np.int64)
    save_and_check(TextFeatures(), model_dir, {"text": text, "count": count})
    (model_dir / "config.pbtxt").write_text(
        'platform: "tensorflow_savedmodel"\n'
        "max_batch_size: 8\n"
        "dynamic_batching { }\n"
        'parameters { key: "TF_SIGNATURE_DEF" value { string_value: "serving_default" } }\n'
    )


def main() -> int:
    tf.random.set_seed(0)
    REPO.mkdir(exist_ok=True)
    make_dense(REPO)
    make_text(REPO)
    make_identity(REPO)
    return 0


if __name__ == "__main__":
    sys.exit(main())
