#!/usr/bin/env python3
"""Build a Sluice reference profile (reference_profile.json) in Python.

For users who build models in Python; the same rules as `sluice profile` (Java), which a test
checks on one CSV: percentile edges 1..99 and 10..90 by numpy's linear rule, deduplicated,
right-closed bins; population std; every value kept as the sample up to 10,000 rows (a seeded
reservoir beyond); per numeric column with <= 20 distinct values one count per value; per
categorical column the top 50 categories, the rest as `other`, '' as missing.

    from sluice_profile import build_profile
    profile = build_profile(
        columns=[("sepal_length", "input", "float_input", 0, x[:, 0]), ...],
        dataset_name="iris", dataset_version="dvc:3f2a…")
    write_profile(profile, "model_repository/iris/1/reference_profile.json")

Command line: sluice_profile.py --data train.csv --columns spec.json --out reference_profile.json
where spec.json lists [name, role, tensor, index, kind] per CSV column.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
from pathlib import Path

import numpy as np

FORMAT = "sluice.reference_profile/1"
SAMPLE_LIMIT = 10_000
TOP_K = 50
DISCRETE_LIMIT = 20


def _edges(sorted_values: np.ndarray, step: int) -> list[float]:
    out: list[float] = []
    for p in range(step, 100, step):
        e = float(np.quantile(sorted_values, p / 100.0, method="linear"))
        if not out or e != out[-1]:
            out.append(e)
    return out


def _java_double(v: float) -> str:
    """How Java's Double.toString prints the small discrete values profiles hold."""
    return repr(float(v))


def numeric_column(name, role, tensor, index, values, seed=0) -> dict:
    values = np.asarray(values, dtype=np.float64)
    finite = values[np.isfinite(values)]
    missing = int(len(values) - len(finite))
    s = np.sort(finite)
    n = len(s)
    distinct = int(len(np.unique(s)))
    col = {"name": name, "role": role, "tensor": tensor, "index": index, "kind": "numeric",
           "count": n, "missing": missing, "distinct": distinct}
    if n == 0:
        return col
    mean = float(np.sum(finite) / n)
    std = float(math.sqrt(float(np.sum((finite - mean) ** 2)) / n))
    edges = _edges(s, 1)
    idx = np.searchsorted(np.array(edges), s, side="left")
    bin_counts = np.bincount(idx, minlength=len(edges) + 1)
    bin_sums = np.bincount(idx, weights=s, minlength=len(edges) + 1)
    dec = _edges(s, 10)
    dec_counts = np.bincount(np.searchsorted(np.array(dec), s, side="left"), minlength=len(dec) + 1)
    if n <= SAMPLE_LIMIT:
        sample = s
    else:
        rnd = random.Random(seed)
        sample = np.sort(np.array(rnd.sample(list(finite), SAMPLE_LIMIT)))
    col.update({
        "min": float(s[0]), "max": float(s[-1]), "mean": mean, "std": std,
        "edges": edges, "bin_counts": [int(c) for c in bin_counts],
        "bin_sums": [float(x) for x in bin_sums],
        "decile_edges": dec, "decile_counts": [int(c) for c in dec_counts],
        "sample": [float(x) for x in sample],
    })
    if distinct <= DISCRETE_LIMIT:
        vals, counts = np.unique(s, return_counts=True)
        col["categories"] = [{"value": _java_double(v), "count": int(c)} for v, c in zip(vals, counts)]
        col["other"] = 0
    return col


def categorical_column(name, role, tensor, index, values) -> dict:
    counts: dict[str, int] = {}
    missing = 0
    for v in values:
        if v is None or v == "":
            missing += 1
        else:
            counts[v] = counts.get(v, 0) + 1
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    top = ordered[:TOP_K]
    return {"name": name, "role": role, "tensor": tensor, "index": index, "kind": "categorical",
            "count": len(values) - missing, "missing": missing, "distinct": len(ordered),
            "categories": [{"value": k, "count": c} for k, c in top],
            "other": sum(c for _, c in ordered[TOP_K:])}


def build_profile(columns, dataset_name, dataset_version=None, rows=None, seed=0) -> dict:
    """columns: (name, role, tensor, index, values[, "categorical"]) tuples, inputs first."""
    out = []
    for c in columns:
        name, role, tensor, index, values = c[:5]
        kind = c[5] if len(c) > 5 else ("categorical" if np.asarray(values).dtype.kind in "OUS" else "numeric")
        if kind == "categorical":
            out.append(categorical_column(name, role, tensor, index, [str(v) for v in values]))
        else:
            out.append(numeric_column(name, role, tensor, index, values, seed))
    n = rows if rows is not None else (len(columns[0][4]) if columns else 0)
    dataset = {"name": dataset_name, "rows": int(n), "source": "profile"}
    if dataset_version:
        dataset["version"] = dataset_version
    return {"format": FORMAT, "dataset": dataset, "columns": out}


def write_profile(profile: dict, path) -> None:
    Path(path).write_text(json.dumps(profile, indent=2) + "\n")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True)
    ap.add_argument("--columns", required=True, help="JSON: [[name, role, tensor, index, kind], ...] per CSV column")
    ap.add_argument("--out", required=True)
    ap.add_argument("--dataset-name")
    ap.add_argument("--dataset-version")
    args = ap.parse_args()
    spec = json.loads(Path(args.columns).read_text())
    with open(args.data, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], [r for r in rows[1:] if r]
    cols = []
    for i, (name, role, tensor, index, kind) in enumerate(spec):
        cells = [r[i] for r in body]
        values = cells if kind == "categorical" else [float(x) if x.strip() else math.nan for x in cells]
        cols.append((name, role, tensor, index, values, kind))
    write_profile(build_profile(cols, args.dataset_name or Path(args.data).name, args.dataset_version,
                                rows=len(body)), args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
