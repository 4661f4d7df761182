#!/usr/bin/env python3
"""Reference numbers for the drift monitor's Java statistics, computed by scipy.

    .venv/bin/python scripts/drift_fixtures.py   # rewrites gateway/src/test/resources/drift/scipy_fixtures.json

The samples are not stored: both sides regenerate them from a 64-bit LCG whose doubles are
exact in Python and Java (integer state, one multiply by 2^-53, sums in a fixed order), so the
JSON holds only generator parameters and what scipy printed. The Java tests
(DriftStatisticsTest, SketchedKsTest) regenerate the data with the same generator and compare.
PSI is computed by hand (scipy has none): shares floored at 1e-4, sum of (c - r) ln(c / r).
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np
import scipy
from scipy import stats
from scipy.spatial import distance

OUT = Path(__file__).resolve().parent.parent / "gateway/src/test/resources/drift/scipy_fixtures.json"
MASK = (1 << 64) - 1


class Lcg:
    """Knuth's MMIX LCG; next_double() = top 53 bits * 2^-53 (same as the Java test helper)."""

    def __init__(self, seed: int):
        self.state = seed & MASK

    def next_double(self) -> float:
        self.state = (self.state * 6364136223846793005 + 1442695040888963407) & MASK
        return (self.state >> 11) * (1.0 / (1 << 53))

    def normal(self) -> float:
        # Irwin-Hall: twelve uniforms minus six, summed left to right.
        s = 0.0
        for _ in range(12):
            s += self.next_double()
        return s - 6.0


def sample(spec: dict) -> np.ndarray:
    g = Lcg(spec["seed"])
    out = []
    for _ in range(spec["n"]):
        x = spec["mu"] + spec["sigma"] * g.normal()
        if spec.get("floor_tenths"):
            x = math.floor(x * 10.0) / 10.0
        out.append(x)
    return np.array(out, dtype=np.float64)


def deciles(ref: np.ndarray) -> np.ndarray:
    edges = np.percentile(ref, np.arange(10, 100, 10))  # linear interpolation (numpy default)
    return np.unique(edges)


def bin_counts(edges: np.ndarray, x: np.ndarray) -> np.ndarray:
    # right-closed bins: the number of edges strictly below x
    idx = np.searchsorted(edges, x, side="left")
    return np.bincount(idx, minlength=len(edges) + 1)


def psi(ref_counts, cur_counts) -> float:
    r = np.maximum(np.asarray(ref_counts, float) / np.sum(ref_counts), 1e-4)
    c = np.maximum(np.asarray(cur_counts, float) / np.sum(cur_counts), 1e-4)
    return float(np.sum((c - r) * np.log(c / r)))


def chisquare(ref_counts, cur_counts):
    ref = np.asarray(ref_counts, float)
    cur = np.asarray(cur_counts, float)
    keep = ref > 0
    if np.any((ref == 0) & (cur > 0)):
        return math.inf, 0.0
    exp = ref[keep] * cur.sum() / ref.sum()
    r = stats.chisquare(cur[keep], exp)
    return float(r.statistic), float(r.pvalue)


NUMERIC = [
    ("small_ref_shifted", dict(n=150, seed=1, mu=0.0, sigma=1.0), dict(n=1000, seed=2, mu=0.5, sigma=1.0)),
    ("exact_1000_800", dict(n=1000, seed=3, mu=0.0, sigma=1.0), dict(n=800, seed=4, mu=0.1, sigma=1.2)),
    ("ties", dict(n=300, seed=5, mu=0.0, sigma=1.0, floor_tenths=True),
     dict(n=200, seed=6, mu=0.05, sigma=1.0, floor_tenths=True)),
    ("undrifted_2000_3000", dict(n=2000, seed=7, mu=3.0, sigma=2.0), dict(n=3000, seed=8, mu=3.0, sigma=2.0)),
    ("asymptotic_12000_11000", dict(n=12000, seed=9, mu=0.0, sigma=1.0), dict(n=11000, seed=10, mu=0.03, sigma=1.0)),
]

CATEGORICAL = [
    ("three_moved", [50, 50, 50], [300, 500, 200]),
    ("balanced", [400, 350, 250], [390, 360, 250]),
    ("unseen_in_reference", [100, 100, 0], [90, 100, 10]),
    ("empty_current_bin", [120, 30, 50, 300], [200, 0, 100, 700]),
    ("binary", [700, 300], [640, 360]),
]

LAMBDAS = [0.2, 0.5, 0.8, 1.0, 1.17, 1.19, 1.3581, 2.0, 3.0]

SKETCHED = [
    ("sketched_100k_vs_5000", dict(n=5000, seed=11, mu=0.0, sigma=1.0), dict(n=100000, seed=12, mu=0.05, sigma=1.0)),
    ("sketched_undrifted_50k", dict(n=8000, seed=13, mu=10.0, sigma=3.0), dict(n=50000, seed=14, mu=10.0, sigma=3.0)),
]


def main() -> int:
    out = {
        "generated_by": "scripts/drift_fixtures.py",
        "scipy": scipy.__version__,
        "numpy": np.__version__,
        "numeric": [],
        "categorical": [],
        "kolmogorov_q": [],
        "sketched": [],
    }
    for name, rspec, cspec in NUMERIC:
        ref, cur = sample(rspec), sample(cspec)
        ks = stats.ks_2samp(ref, cur, method="auto")
        edges = deciles(ref)
        rc, cc = bin_counts(edges, ref), bin_counts(edges, cur)
        w1 = stats.wasserstein_distance(ref, cur)
        chi = chisquare(rc, cc)
        out["numeric"].append({
            "name": name,
            "reference": rspec,
            "current": cspec,
            "ks_method": "exact" if max(len(ref), len(cur)) <= 10000 else "asymp",
            "ks_statistic": float(ks.statistic),
            "ks_pvalue": float(ks.pvalue),
            "wasserstein": float(w1),
            "reference_std": float(np.std(ref)),
            "wasserstein_normalised": float(w1 / max(np.std(ref), 0.001)),
            "percentile_edges": [float(e) for e in np.unique(np.percentile(ref, np.arange(1, 100)))],
            "decile_edges": [float(e) for e in edges],
            "decile_reference_counts": [int(c) for c in rc],
            "decile_current_counts": [int(c) for c in cc],
            "psi": psi(rc, cc),
            "jensenshannon": float(distance.jensenshannon(rc, cc)),
            "chisquare_statistic": chi[0],
            "chisquare_pvalue": chi[1],
        })
    for name, rc, cc in CATEGORICAL:
        chi = chisquare(rc, cc)
        case = {
            "name": name,
            "reference_counts": rc,
            "current_counts": cc,
            "chisquare_statistic": chi[0] if math.isfinite(chi[0]) else "inf",
            "chisquare_pvalue": chi[1],
            "jensenshannon": float(distance.jensenshannon(rc, cc)),
            "psi": psi(rc, cc),
        }
        both = [(a, b) for a, b in zip(rc, cc) if a + b > 0]
        h = stats.chi2_contingency(np.array(both).T, correction=False)
        case["homogeneity_statistic"] = float(h.statistic)
        case["homogeneity_pvalue"] = float(h.pvalue)
        if len(rc) == 2:
            table = np.array([rc, cc])
            c2 = stats.chi2_contingency(table, correction=False)
            case["z_abs"] = math.sqrt(float(c2.statistic))
            case["z_pvalue"] = float(c2.pvalue)
        out["categorical"].append(case)
    for lam in LAMBDAS:
        out["kolmogorov_q"].append({"lambda": lam, "sf": float(stats.kstwobign.sf(lam))})
    for name, rspec, cspec in SKETCHED:
        ref, cur = sample(rspec), sample(cspec)
        ks = stats.ks_2samp(ref, cur, method="asymp")
        w1 = stats.wasserstein_distance(ref, cur)
        out["sketched"].append({
            "name": name,
            "reference": rspec,
            "current": cspec,
            "ks_statistic": float(ks.statistic),
            "ks_pvalue": float(ks.pvalue),
            "wasserstein_normalised": float(w1 / np.std(ref)),
        })
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
