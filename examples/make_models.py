#!/usr/bin/env python3
"""Generate Sluice's example ONNX models (Triton-style model repositories).

Run with the project venv (see scripts/python-env.sh):

    .venv/bin/python examples/make_models.py                 # examples/model_repository + examples/broken_repository
    .venv/bin/python examples/make_models.py --large OUTDIR  # big benchmark models into OUTDIR only

Everything is deterministic (fixed seeds). Every ONNX model is saved with
IR version 9, default-domain opset 17 and (where used) ai.onnx.ml opset 3, so
that ONNX Runtime Java 1.29.0 loads it. Each model is checked with
onnx.checker and executed with Python onnxruntime before the script exits.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

IR_VERSION = 9
OPSET = 17
ML_OPSET = 3

HERE = Path(__file__).resolve().parent
MODEL_REPO = HERE / "model_repository"
BROKEN_REPO = HERE / "broken_repository"

IRIS_LABELS = ["setosa", "versicolor", "virginica"]


# --------------------------------------------------------------------------- helpers


def finalize(model: onnx.ModelProto, uses_ml: bool = False) -> onnx.ModelProto:
    """Pin IR version / opsets, then run the full checker (with shape inference)."""
    del model.opset_import[:]
    model.opset_import.append(helper.make_opsetid("", OPSET))
    if uses_ml:
        model.opset_import.append(helper.make_opsetid("ai.onnx.ml", ML_OPSET))
    model.ir_version = IR_VERSION
    model.producer_name = "sluice-make-models"
    model.producer_version = "1"
    onnx.checker.check_model(model, full_check=True)
    return model


def save_model(model: onnx.ModelProto, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save_model(model, str(path))
    # Re-load from disk and check again: that is what the server will see.
    onnx.checker.check_model(str(path), full_check=True)


def session(path: Path) -> ort.InferenceSession:
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), sess_options=so, providers=["CPUExecutionProvider"])


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def tensor(name: str, elem: int, shape) -> onnx.ValueInfoProto:
    return helper.make_tensor_value_info(name, elem, shape)


def init(name: str, arr: np.ndarray) -> onnx.TensorProto:
    return numpy_helper.from_array(arr, name)


def summary(name: str, path: Path, detail: str) -> None:
    size = path.stat().st_size
    print(f"[make_models] {name:<18} {size:>10,d} B  {path}  {detail}")


ONNX_TO_TRITON = {
    TensorProto.FLOAT: "TYPE_FP32",
    TensorProto.INT64: "TYPE_INT64",
    TensorProto.STRING: "TYPE_STRING",
}


def parse_config(path: Path):
    """Parse config.pbtxt with Triton's own ModelConfig proto (shipped in tritonclient)."""
    from google.protobuf import text_format
    from tritonclient.grpc import model_config_pb2

    return text_format.Parse(path.read_text(), model_config_pb2.ModelConfig())


def check_config(model_dir: Path, version: str = "1") -> None:
    """config.pbtxt must parse and agree with the ONNX model's inputs/outputs."""
    from tritonclient.grpc import model_config_pb2

    cfg = parse_config(model_dir / "config.pbtxt")
    assert cfg.name == model_dir.name, (cfg.name, model_dir.name)
    model = onnx.load(str(model_dir / version / "model.onnx"))
    onnx_io = {}
    for vi in list(model.graph.input) + list(model.graph.output):
        t = vi.type.tensor_type
        dims = [d.dim_value if d.HasField("dim_value") else -1 for d in t.shape.dim]
        onnx_io[vi.name] = (ONNX_TO_TRITON[t.elem_type], dims)
    for io in list(cfg.input) + list(cfg.output):
        dtype = model_config_pb2.DataType.Name(io.data_type)
        dims = list(io.dims)
        if cfg.max_batch_size > 0:
            dims = [-1] + dims
        assert io.name in onnx_io, f"{model_dir.name}: {io.name} not in model"
        assert onnx_io[io.name] == (dtype, dims), f"{model_dir.name}: {io.name} config {(dtype, dims)} != model {onnx_io[io.name]}"
    assert len(cfg.input) + len(cfg.output) == len(onnx_io), f"{model_dir.name}: config/model io count differ"


def fresh_dir(path: Path) -> Path:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def io_block(kind: str, entries) -> str:
    """Render a Triton `input [...]` / `output [...]` block in protobuf text format."""
    parts = []
    for e in entries:
        lines = [
            "  {",
            f'    name: "{e["name"]}"',
            f"    data_type: {e['data_type']}",
            f"    dims: [ {', '.join(str(d) for d in e['dims'])} ]",
        ]
        if "label_filename" in e:
            lines.append(f'    label_filename: "{e["label_filename"]}"')
        lines.append("  }")
        parts.append("\n".join(lines))
    return f"{kind} [\n" + ",\n".join(parts) + "\n]\n"


def config_pbtxt(name, max_batch_size, inputs, outputs, extra="") -> str:
    text = f'name: "{name}"\nplatform: "onnxruntime_onnx"\nmax_batch_size: {max_batch_size}\n'
    text += extra
    text += io_block("input", inputs)
    text += io_block("output", outputs)
    return text


CPU_BATCHING = (
    "dynamic_batching { }\n"
    "instance_group [\n"
    "  {\n"
    "    count: 1\n"
    "    kind: KIND_CPU\n"
    "  }\n"
    "]\n"
)


# --------------------------------------------------------------------------- iris_classifier


def make_iris(repo: Path) -> None:
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import FloatTensorType
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    x, y = load_iris(return_X_y=True)
    x32 = x.astype(np.float32)
    clf = LogisticRegression(max_iter=10000, random_state=0)
    clf.fit(x32, y)

    model = convert_sklearn(
        clf,
        name="iris_classifier",
        initial_types=[("float_input", FloatTensorType([None, 4]))],
        options={"zipmap": False},
        target_opset={"": OPSET, "ai.onnx.ml": ML_OPSET},
    )
    g = model.graph

    # skl2onnx emits `label` as INT64 [N]. With max_batch_size > 0 Triton needs at
    # least one non-batch dim, so reshape it to [N, 1] (config dims: [ 1 ]).
    for node in g.node:
        for i, out in enumerate(node.output):
            if out == "label":
                node.output[i] = "label_flat"
    g.initializer.append(init("label_shape", np.array([-1, 1], dtype=np.int64)))
    g.node.append(helper.make_node("Reshape", ["label_flat", "label_shape"], ["label"], name="label_reshape"))
    del g.output[:]
    g.output.extend(
        [
            tensor("label", TensorProto.INT64, ["N", 1]),
            tensor("probabilities", TensorProto.FLOAT, ["N", 3]),
        ]
    )
    # Name the batch dim of the input symbolically, like the other models.
    g.input[0].type.tensor_type.shape.dim[0].dim_param = "N"

    model = finalize(model, uses_ml=True)
    d = fresh_dir(repo / "iris_classifier")
    path = d / "1" / "model.onnx"
    save_model(model, path)
    write_text(d / "labels.txt", "\n".join(IRIS_LABELS) + "\n")
    write_text(
        d / "config.pbtxt",
        config_pbtxt(
            "iris_classifier",
            32,
            [{"name": "float_input", "data_type": "TYPE_FP32", "dims": [4]}],
            [
                {"name": "label", "data_type": "TYPE_INT64", "dims": [1]},
                {
                    "name": "probabilities",
                    "data_type": "TYPE_FP32",
                    "dims": [3],
                    "label_filename": "labels.txt",
                },
            ],
        )
        + CPU_BATCHING,
    )

    check_config(d)

    # Verify against scikit-learn.
    label, proba = session(path).run(["label", "probabilities"], {"float_input": x32})
    assert label.shape == (150, 1) and label.dtype == np.int64, (label.shape, label.dtype)
    assert proba.shape == (150, 3) and proba.dtype == np.float32, (proba.shape, proba.dtype)
    np.testing.assert_array_equal(label[:, 0], clf.predict(x32))
    np.testing.assert_allclose(proba, clf.predict_proba(x32), rtol=1e-5, atol=1e-6)
    acc = float((label[:, 0] == y).mean())
    summary("iris_classifier", path, f"matches sklearn predict/predict_proba on 150 rows, accuracy {acc:.3f}")


# --------------------------------------------------------------------------- MLPs


def build_mlp(name: str, sizes, seed: int, in_name="input", out_name="output") -> tuple[onnx.ModelProto, list]:
    """Gemm(+Relu) stack; weights stored [out, in] with transB=1. Returns model and numpy params."""
    rng = np.random.default_rng(seed)
    nodes, inits, params = [], [], []
    cur = in_name
    n_layers = len(sizes) - 1
    for i in range(n_layers):
        fan_in, fan_out = sizes[i], sizes[i + 1]
        w = (rng.standard_normal((fan_out, fan_in)) * np.sqrt(2.0 / fan_in)).astype(np.float32)
        b = (rng.standard_normal(fan_out) * 0.01).astype(np.float32)
        params.append((w, b))
        inits += [init(f"fc{i + 1}.weight", w), init(f"fc{i + 1}.bias", b)]
        last = i == n_layers - 1
        gemm_out = out_name if last else f"fc{i + 1}_out"
        nodes.append(
            helper.make_node("Gemm", [cur, f"fc{i + 1}.weight", f"fc{i + 1}.bias"], [gemm_out], name=f"fc{i + 1}", transB=1)
        )
        cur = gemm_out
        if not last:
            nodes.append(helper.make_node("Relu", [cur], [f"relu{i + 1}"], name=f"relu{i + 1}"))
            cur = f"relu{i + 1}"
    graph = helper.make_graph(
        nodes,
        name,
        [tensor(in_name, TensorProto.FLOAT, ["N", sizes[0]])],
        [tensor(out_name, TensorProto.FLOAT, ["N", sizes[-1]])],
        initializer=inits,
    )
    return finalize(helper.make_model(graph)), params


def mlp_reference(x: np.ndarray, params) -> np.ndarray:
    h = x.astype(np.float64)
    for i, (w, b) in enumerate(params):
        h = h @ w.astype(np.float64).T + b
        if i < len(params) - 1:
            h = np.maximum(h, 0)
    return h


def check_mlp(name: str, path: Path, params, in_dim: int, batch: int, seed: int) -> None:
    x = np.random.default_rng(seed).standard_normal((batch, in_dim)).astype(np.float32)
    (out,) = session(path).run(["output"], {"input": x})
    ref = mlp_reference(x, params)
    assert out.shape == ref.shape and out.dtype == np.float32, (out.shape, out.dtype)
    np.testing.assert_allclose(out, ref, rtol=1e-3, atol=1e-3)
    n_params = sum(w.size + b.size for w, b in params)
    summary(name, path, f"{n_params:,d} params, output {list(out.shape)} matches numpy")


def make_tiny_mlp(repo: Path) -> Path:
    model, params = build_mlp("tiny_mlp", [32, 64, 1], seed=0)
    d = fresh_dir(repo / "tiny_mlp")  # deliberately no config.pbtxt: exercises autofill
    path = d / "1" / "model.onnx"
    save_model(model, path)
    check_mlp("tiny_mlp", path, params, 32, batch=5, seed=100)
    return path


# --------------------------------------------------------------------------- category_encoder


def make_category_encoder(repo: Path) -> None:
    keys = ["red", "green", "blue"]
    node = helper.make_node(
        "LabelEncoder",
        ["text"],
        ["category_id"],
        name="label_encoder",
        domain="ai.onnx.ml",
        keys_strings=keys,
        values_int64s=[0, 1, 2],
        default_int64=-1,
    )
    graph = helper.make_graph(
        [node],
        "category_encoder",
        [tensor("text", TensorProto.STRING, ["N", 1])],
        [tensor("category_id", TensorProto.INT64, ["N", 1])],
    )
    model = finalize(helper.make_model(graph), uses_ml=True)
    d = fresh_dir(repo / "category_encoder")
    path = d / "1" / "model.onnx"
    save_model(model, path)
    write_text(
        d / "config.pbtxt",
        config_pbtxt(
            "category_encoder",
            8,
            [{"name": "text", "data_type": "TYPE_STRING", "dims": [1]}],
            [{"name": "category_id", "data_type": "TYPE_INT64", "dims": [1]}],
        )
        + CPU_BATCHING,
    )
    check_config(d)
    x = np.array([["red"], ["green"], ["blue"], ["purple"], [""]], dtype=object)
    (out,) = session(path).run(["category_id"], {"text": x})
    np.testing.assert_array_equal(out, np.array([[0], [1], [2], [-1], [-1]], dtype=np.int64))
    assert out.dtype == np.int64
    summary("category_encoder", path, "red/green/blue/purple/'' -> 0/1/2/-1/-1")


# --------------------------------------------------------------------------- int_adder


def build_int_adder(version: int) -> onnx.ModelProto:
    nodes, inits = [], []
    if version == 1:
        nodes.append(helper.make_node("Add", ["a", "b"], ["sum"], name="add"))
    else:
        inits.append(init("one", np.array(1, dtype=np.int64)))
        nodes.append(helper.make_node("Add", ["a", "b"], ["a_plus_b"], name="add"))
        nodes.append(helper.make_node("Add", ["a_plus_b", "one"], ["sum"], name="add_one"))
    nodes.append(helper.make_node("Sub", ["a", "b"], ["diff"], name="sub"))
    graph = helper.make_graph(
        nodes,
        f"int_adder_v{version}",
        [tensor("a", TensorProto.INT64, [4]), tensor("b", TensorProto.INT64, [4])],
        [tensor("sum", TensorProto.INT64, [4]), tensor("diff", TensorProto.INT64, [4])],
        initializer=inits,
    )
    return finalize(helper.make_model(graph))


def make_int_adder(repo: Path) -> None:
    d = fresh_dir(repo / "int_adder")
    write_text(
        d / "config.pbtxt",
        config_pbtxt(
            "int_adder",
            0,
            [
                {"name": "a", "data_type": "TYPE_INT64", "dims": [4]},
                {"name": "b", "data_type": "TYPE_INT64", "dims": [4]},
            ],
            [
                {"name": "sum", "data_type": "TYPE_INT64", "dims": [4]},
                {"name": "diff", "data_type": "TYPE_INT64", "dims": [4]},
            ],
            extra="version_policy: { all { } }\n",
        )
        + "instance_group [\n  {\n    count: 1\n    kind: KIND_CPU\n  }\n]\n",
    )
    a = np.array([1, 2, 3, 4], dtype=np.int64)
    b = np.array([10, 20, 30, 40], dtype=np.int64)
    for version in (1, 2):
        path = d / str(version) / "model.onnx"
        save_model(build_int_adder(version), path)
        s, df = session(path).run(["sum", "diff"], {"a": a, "b": b})
        np.testing.assert_array_equal(s, a + b + (version - 1))
        np.testing.assert_array_equal(df, a - b)
        check_config(d, str(version))
        summary(f"int_adder v{version}", path, f"sum={s.tolist()} diff={df.tolist()}")


# --------------------------------------------------------------------------- broken_repository


def make_broken(broken: Path, tiny_mlp_path: Path) -> None:
    for sub in ("corrupt_model", "bad_config", "tiny_mlp"):
        if (broken / sub).exists():
            shutil.rmtree(broken / sub)
    broken.mkdir(parents=True, exist_ok=True)
    write_text(
        broken / "README.md",
        "Deliberately broken models for negative tests (corrupt ONNX file, unparsable config.pbtxt) "
        "next to one good model; generated by `examples/make_models.py`.\n",
    )

    # corrupt_model: valid config, model.onnx is deterministic garbage -> load must fail.
    garbage = np.random.default_rng(1234).integers(0, 256, size=512, dtype=np.uint8).tobytes()
    garbage = b"this is not an onnx model\n" + garbage
    p = broken / "corrupt_model" / "1" / "model.onnx"
    p.parent.mkdir(parents=True)
    p.write_bytes(garbage)
    try:
        session(p)
    except Exception:  # noqa: BLE001 - any load failure is what we want
        pass
    else:
        raise AssertionError("corrupt_model unexpectedly loaded in onnxruntime")
    write_text(
        broken / "corrupt_model" / "config.pbtxt",
        config_pbtxt(
            "corrupt_model",
            8,
            [{"name": "input", "data_type": "TYPE_FP32", "dims": [32]}],
            [{"name": "output", "data_type": "TYPE_FP32", "dims": [1]}],
        ),
    )
    summary("corrupt_model", p, "garbage bytes; onnxruntime refuses it (expected)")

    # bad_config: valid model, config.pbtxt is not valid protobuf text format.
    shutil.copyfile(tiny_mlp_path, _mk(broken / "bad_config" / "1" / "model.onnx"))
    write_text(
        broken / "bad_config" / "config.pbtxt",
        'name: "bad_config"\n'
        'platform: "onnxruntime_onnx"\n'
        "max_batch_size: eight\n"
        "input [\n"
        "  {\n"
        '    name: "input"\n'
        "    data_type: TYPE_FP32\n"
        "    dims: [ 32 \n"
        "  }\n"
        "this is {{ not protobuf text format\n",
    )
    try:
        parse_config(broken / "bad_config" / "config.pbtxt")
    except Exception:  # noqa: BLE001 - text_format.ParseError expected
        pass
    else:
        raise AssertionError("bad_config/config.pbtxt unexpectedly parsed")
    summary("bad_config", broken / "bad_config" / "config.pbtxt", "unparsable config.pbtxt, valid tiny_mlp model")

    # tiny_mlp: a good model, so a repository scan finds at least one loadable model.
    good = _mk(broken / "tiny_mlp" / "1" / "model.onnx")
    shutil.copyfile(tiny_mlp_path, good)
    session(good)
    summary("tiny_mlp (good)", good, "copy of model_repository/tiny_mlp")


def _mk(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


# --------------------------------------------------------------------------- large models


def make_heavy_mlp(outdir: Path) -> None:
    model, params = build_mlp("heavy_mlp", [256, 2048, 2048, 16], seed=1)
    d = fresh_dir(outdir / "heavy_mlp")
    path = d / "1" / "model.onnx"
    save_model(model, path)
    write_text(
        d / "config.pbtxt",
        config_pbtxt(
            "heavy_mlp",
            64,
            [{"name": "input", "data_type": "TYPE_FP32", "dims": [256]}],
            [{"name": "output", "data_type": "TYPE_FP32", "dims": [16]}],
        )
        + CPU_BATCHING,
    )
    check_config(d)
    check_mlp("heavy_mlp", path, params, 256, batch=8, seed=101)


class ResNetBuilder:
    """ResNet-18 (basic blocks [2, 2, 2, 2]) with explicit BatchNormalization nodes."""

    def __init__(self, seed: int):
        self.rng = np.random.default_rng(seed)
        self.nodes: list = []
        self.inits: list = []
        self.n_params = 0

    def _param(self, name: str, arr: np.ndarray) -> str:
        self.inits.append(init(name, arr.astype(np.float32)))
        self.n_params += arr.size
        return name

    def conv_bn(self, x: str, name: str, cin: int, cout: int, k: int, stride: int, relu: bool) -> str:
        fan_in = cin * k * k
        w = self.rng.standard_normal((cout, cin, k, k)) * np.sqrt(2.0 / fan_in)
        self.nodes.append(
            helper.make_node(
                "Conv",
                [x, self._param(f"{name}.weight", w)],
                [f"{name}.conv_out"],
                name=f"{name}.conv",
                kernel_shape=[k, k],
                strides=[stride, stride],
                pads=[k // 2] * 4,
            )
        )
        gamma = 1.0 + 0.1 * self.rng.standard_normal(cout)
        beta = 0.1 * self.rng.standard_normal(cout)
        mean = 0.1 * self.rng.standard_normal(cout)
        var = 1.0 + 0.1 * np.abs(self.rng.standard_normal(cout))
        bn_in = [f"{name}.conv_out"] + [
            self._param(f"{name}.bn.{n}", a) for n, a in (("scale", gamma), ("bias", beta), ("mean", mean), ("var", var))
        ]
        out = f"{name}.bn_out"
        self.nodes.append(helper.make_node("BatchNormalization", bn_in, [out], name=f"{name}.bn", epsilon=1e-5))
        if relu:
            self.nodes.append(helper.make_node("Relu", [out], [f"{name}.relu_out"], name=f"{name}.relu"))
            out = f"{name}.relu_out"
        return out

    def basic_block(self, x: str, name: str, cin: int, cout: int, stride: int) -> str:
        h = self.conv_bn(x, f"{name}.conv1", cin, cout, 3, stride, relu=True)
        h = self.conv_bn(h, f"{name}.conv2", cout, cout, 3, 1, relu=False)
        shortcut = x
        if stride != 1 or cin != cout:
            shortcut = self.conv_bn(x, f"{name}.downsample", cin, cout, 1, stride, relu=False)
        self.nodes.append(helper.make_node("Add", [h, shortcut], [f"{name}.add_out"], name=f"{name}.add"))
        self.nodes.append(helper.make_node("Relu", [f"{name}.add_out"], [f"{name}.out"], name=f"{name}.relu"))
        return f"{name}.out"

    def build(self, hw: int = 112, num_classes: int = 1000) -> onnx.ModelProto:
        x = self.conv_bn("input", "stem", 3, 64, 7, 2, relu=True)
        self.nodes.append(
            helper.make_node("MaxPool", [x], ["stem.pool_out"], name="stem.pool", kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
        )
        x, cin = "stem.pool_out", 64
        for stage, cout in enumerate([64, 128, 256, 512], start=1):
            for blk in range(2):
                stride = 2 if (stage > 1 and blk == 0) else 1
                x = self.basic_block(x, f"layer{stage}.{blk}", cin, cout, stride)
                cin = cout
        self.nodes.append(helper.make_node("GlobalAveragePool", [x], ["gap_out"], name="gap"))
        self.nodes.append(helper.make_node("Flatten", ["gap_out"], ["flat"], name="flatten", axis=1))
        w = self.rng.standard_normal((num_classes, 512)) * np.sqrt(1.0 / 512)
        b = 0.01 * self.rng.standard_normal(num_classes)
        self.nodes.append(
            helper.make_node("Gemm", ["flat", self._param("fc.weight", w), self._param("fc.bias", b)], ["output"], name="fc", transB=1)
        )
        graph = helper.make_graph(
            self.nodes,
            "resnet18",
            [tensor("input", TensorProto.FLOAT, ["N", 3, hw, hw])],
            [tensor("output", TensorProto.FLOAT, ["N", num_classes])],
            initializer=self.inits,
        )
        return finalize(helper.make_model(graph))


def make_resnet18(outdir: Path) -> None:
    builder = ResNetBuilder(seed=2)
    model = builder.build()
    d = fresh_dir(outdir / "resnet18")
    path = d / "1" / "model.onnx"
    save_model(model, path)
    write_text(
        d / "config.pbtxt",
        config_pbtxt(
            "resnet18",
            64,
            [{"name": "input", "data_type": "TYPE_FP32", "dims": [3, 112, 112]}],
            [{"name": "output", "data_type": "TYPE_FP32", "dims": [1000]}],
        )
        + CPU_BATCHING,
    )
    check_config(d)
    x = np.random.default_rng(102).standard_normal((2, 3, 112, 112)).astype(np.float32)
    (out,) = session(path).run(["output"], {"input": x})
    assert out.shape == (2, 1000) and out.dtype == np.float32, (out.shape, out.dtype)
    assert np.all(np.isfinite(out)), "non-finite resnet18 output"
    summary("resnet18", path, f"{builder.n_params:,d} params, {len(model.graph.node)} nodes, output {list(out.shape)}")


# --------------------------------------------------------------------------- main


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--large",
        metavar="OUTDIR",
        help="write only the large benchmark models (heavy_mlp, resnet18) into OUTDIR; nothing in examples/ is touched",
    )
    args = ap.parse_args(argv)

    print(f"[make_models] onnx {onnx.__version__}, onnxruntime {ort.__version__}, numpy {np.__version__}")
    if ort.__version__ != "1.29.0":
        print(f"[make_models] WARNING: onnxruntime {ort.__version__} != 1.29.0 (the Java runtime version)", file=sys.stderr)

    if args.large:
        outdir = Path(args.large).resolve()
        if outdir == HERE or HERE in outdir.parents:
            ap.error("--large OUTDIR must be outside examples/ (large models are not committed)")
        outdir.mkdir(parents=True, exist_ok=True)
        make_heavy_mlp(outdir)
        make_resnet18(outdir)
        print(f"[make_models] large models written to {outdir}")
        return 0

    MODEL_REPO.mkdir(parents=True, exist_ok=True)
    make_iris(MODEL_REPO)
    tiny = make_tiny_mlp(MODEL_REPO)
    make_category_encoder(MODEL_REPO)
    make_int_adder(MODEL_REPO)
    make_broken(BROKEN_REPO, tiny)
    print(f"[make_models] example repositories written to {MODEL_REPO} and {BROKEN_REPO}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
