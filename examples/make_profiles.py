#!/usr/bin/env python3
"""Reference profiles for the example models (the drift monitor's references).

    .venv/bin/python examples/make_profiles.py

iris_classifier: the 150 iris rows and the committed model's own answers on them (label,
probabilities), through Python onnxruntime; also written as examples/data/iris_train.csv, the
CSV `sluice profile` reads in the README's tour and in GatewayProfileCommandTest.
category_encoder: a fixed training mix of red/green/blue and the model's ids.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "scripts"))
from sluice_profile import build_profile, write_profile  # noqa: E402

REPO = HERE / "model_repository"
NAMES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]


def session(path: Path) -> ort.InferenceSession:
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    return ort.InferenceSession(str(path), sess_options=so, providers=["CPUExecutionProvider"])


def iris() -> None:
    from sklearn.datasets import load_iris

    x, _ = load_iris(return_X_y=True)
    x = x.astype(np.float32)
    label, proba = session(REPO / "iris_classifier/1/model.onnx").run(["label", "probabilities"], {"float_input": x})
    label = label.reshape(-1)
    data = HERE / "data"
    data.mkdir(exist_ok=True)
    with open(data / "iris_train.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(NAMES + ["label", "p_setosa", "p_versicolor", "p_virginica"])
        for i in range(len(x)):
            w.writerow([repr(float(v)) for v in x[i]] + [int(label[i])] + [repr(float(v)) for v in proba[i]])
    cols = [(NAMES[j], "input", "float_input", j, x[:, j].astype(np.float64)) for j in range(4)]
    cols.append(("label", "output", "label", 0, label.astype(np.float64)))
    for j, n in enumerate(["p_setosa", "p_versicolor", "p_virginica"]):
        cols.append((n, "output", "probabilities", j, proba[:, j].astype(np.float64)))
    write_profile(build_profile(cols, "iris_train.csv", "sklearn-1.0 load_iris"),
                  REPO / "iris_classifier/1/reference_profile.json")


def categories() -> None:
    text = np.array(["red"] * 500 + ["green"] * 300 + ["blue"] * 200, dtype=object)
    (ids,) = session(REPO / "category_encoder/1/model.onnx").run(["category_id"], {"text": text.reshape(-1, 1)})
    cols = [("color", "input", "text", 0, list(text), "categorical"),
            ("category_id", "output", "category_id", 0, ids.reshape(-1).astype(np.float64))]
    write_profile(build_profile(cols, "colors-v1"), REPO / "category_encoder/1/reference_profile.json")


if __name__ == "__main__":
    iris()
    categories()
    print("wrote iris_classifier and category_encoder reference profiles")
