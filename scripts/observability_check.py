#!/usr/bin/env python3
"""Checks for scripts/observability-test.sh (standard library only).

    observability_check.py names EXPOSITION...      every metric the rules and the dashboard
                                                    name is exported (or recorded by a rule)
    observability_check.py fleet PROM_URL A B A0 B0  the fleet-wide recording rules, read from
                                                    Prometheus, equal what the replicas' own
                                                    counters say (A, B: their /metrics after
                                                    the traffic; A0, B0: at the drift baseline)
"""
import json
import math
import re
import sys
import time
import urllib.parse
import urllib.request

RULE_FILES = ["monitoring/sluice-rules.yml", "monitoring/drift-rules.yml"]
DASHBOARDS = ["deploy/grafana/sluice-dashboard.json"]

# Metrics that appear only once something happened (a rollback, a shadow comparison), which the
# test's traffic does not make, so no live server here shows them. Keep this list short.
FUTURE = {
    "sluice_rollbacks_total",  # {model,version,reason}
    "sluice_shadow_comparisons_total",  # {outcome=agree|disagree|error}
}

NAME = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")
QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')
MATCHERS = re.compile(r"\{[^{}]*\}")
GROUPING = re.compile(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)")
RANGE = re.compile(r"\[[^\]]*\]")


def metric_names(expr):
    """Metric and recorded-rule names in one PromQL expression: strings, label matchers,
    grouping label lists and ranges removed first; Sluice's names start with sluice_ or nv_,
    recorded ones hold a colon; function names are followed by '('."""
    e = QUOTED.sub("", expr)
    e = MATCHERS.sub("", e)
    e = GROUPING.sub("", e)
    e = RANGE.sub("", e)
    names = set()
    for m in NAME.finditer(e):
        word = m.group(0)
        rest = e[m.end():].lstrip()
        if rest.startswith("("):
            continue
        if word.startswith(("sluice_", "nv_")) or ":" in word:
            names.add(word)
    return names


def rule_exprs():
    """(file, record-or-alert name, expr) of every rule; a small reader for the rule files'
    own layout (`- record:`/`- alert:` then `expr:` inline or as a `|` block)."""
    out = []
    for path in RULE_FILES:
        lines = open(path).read().splitlines()
        i = 0
        current = None
        while i < len(lines):
            line = lines[i]
            m = re.match(r"\s*- (record|alert): (\S+)", line)
            if m:
                current = m.group(2)
            m = re.match(r"(\s*)expr: ?(.*)$", line)
            if m:
                indent, first = len(m.group(1)), m.group(2)
                if first.strip() in ("|", ">"):
                    body = []
                    i += 1
                    while i < len(lines) and (not lines[i].strip() or
                                              len(lines[i]) - len(lines[i].lstrip()) > indent):
                        body.append(lines[i])
                        i += 1
                    out.append((path, current, "\n".join(body)))
                    continue
                out.append((path, current, first))
            i += 1
    return out


def recorded_names():
    names = set()
    for path in RULE_FILES:
        names |= set(re.findall(r"^\s*- record: (\S+)", open(path).read(), re.M))
    return names


def dashboard_exprs():
    out = []
    for path in DASHBOARDS:
        dash = json.load(open(path))
        for p in dash["panels"]:
            for t in p.get("targets", []):
                out.append((path, p["title"], t["expr"]))
        for v in dash["templating"]["list"]:
            q = v.get("query")
            if isinstance(q, dict):
                inner = re.match(r"label_values\((.*),\s*\w+\)$", q["query"])
                out.append((path, "variable " + v["name"], inner.group(1) if inner else q["query"]))
    return out


def exported(paths):
    names = set()
    for path in paths:
        for line in open(path):
            if line.startswith("#") or not line.strip():
                continue
            names.add(re.match(r"[A-Za-z_:][A-Za-z0-9_:]*", line).group(0))
    return names


def check_names(paths):
    live = exported(paths)
    recorded = recorded_names()
    used_future = set()
    failures = []
    exprs = rule_exprs() + dashboard_exprs()
    for path, where, expr in exprs:
        for name in metric_names(expr):
            if ":" in name:
                if name not in recorded:
                    failures.append(f"{path} ({where}): {name} is recorded by no rule")
            elif name in FUTURE:
                used_future.add(name)
            elif name not in live:
                failures.append(f"{path} ({where}): {name} is not exported by the server")
    if not exprs or not live:
        failures.append(f"nothing checked: {len(exprs)} expressions, {len(live)} exported names")
    for f in failures:
        print("[observability] " + f, file=sys.stderr)
    if failures:
        sys.exit(1)
    unused = FUTURE - used_future
    if unused:
        sys.exit(f"[observability] allow-listed names no expression uses: {sorted(unused)}")
    print(f"[observability] {len(exprs)} expressions in {len(RULE_FILES)} rule files and "
          f"{len(DASHBOARDS)} dashboard name only exported or recorded metrics "
          f"({len(live)} exported; allow-listed for routing: {sorted(used_future)})")


def samples(path):
    """{(name, frozenset(labels)): value} of one exposition."""
    out = {}
    line_re = re.compile(r'([A-Za-z_:][A-Za-z0-9_:]*)(\{([^}]*)\})?\s+(\S+)')
    for line in open(path):
        if line.startswith("#") or not line.strip():
            continue
        m = line_re.match(line)
        labels = frozenset(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(3) or ""))
        out[(m.group(1), labels)] = float(m.group(4))
    return out


def total(expositions, name, **want):
    s = 0.0
    for exp in expositions:
        for (n, labels), v in exp.items():
            if n == name and all((k, val) in labels for k, val in want.items()):
                s += v
    return s


def query(prom, expr):
    url = prom + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    with urllib.request.urlopen(url, timeout=10) as r:
        body = json.load(r)
    if body["status"] != "success":
        raise RuntimeError(f"{expr}: {body}")
    return body["data"]["result"]


# Prometheus extrapolates each target's rate to the end of the range from its own last scrape,
# so two replicas scraped half a second apart weigh in with factors that differ by up to
# (half a second / the sampled interval): a fleet ratio lands within ~1% of the exact one.
# The aggregations this catches are far off: an average of the replicas' own means is 14% off
# for the batch size and the error ratio.
RATE_TOLERANCE = 0.02


def await_value(prom, expr, expected, what, rel_tol=RATE_TOLERANCE, timeout=60):
    """Polls until the rule's value is the expectation (rules evaluate every half second)."""
    deadline = time.monotonic() + timeout
    got = None
    while time.monotonic() < deadline:
        result = query(prom, expr)
        if len(result) == 1:
            got = float(result[0]["value"][1])
            if math.isclose(got, expected, rel_tol=rel_tol, abs_tol=1e-12):
                print(f"[observability] {what}: {got:.6g} (expected {expected:.6g})")
                return
        time.sleep(0.5)
    sys.exit(f"[observability] {what}: {expr} = {got} (expected {expected})")


def check_fleet(prom, path_a, path_b, path_a0, path_b0):
    a, b = samples(path_a), samples(path_b)
    both = [a, b]
    # Drift series appear with a version's first monitored request, so Prometheus' first
    # sample of them is that request's count and increase() starts from there: the script
    # sends one request per replica, waits for the scrape, and saves the baseline.
    base = [samples(path_a0), samples(path_b0)]
    sel = dict(model="iris_classifier", version="1")
    success = total(both, "nv_inference_request_success_total", **sel)
    failure = total(both, "nv_inference_request_failure_total", **sel)
    items = total(both, "nv_inference_count_total", **sel)
    execs = total(both, "nv_inference_exec_count_total", **sel)
    micros = total(both, "nv_inference_request_duration_us_total", **sel)
    # the traffic the script sent, so the replicas' own counters are checked too
    want = dict(success=26, failure=4, items=74, execs=26)
    have = dict(success=success, failure=failure, items=items, execs=execs)
    if have != want:
        sys.exit(f"[observability] the replicas counted {have} (expected {want})")
    # the latency histogram holds every answered request, successes and failures
    timed = total(both, "sluice_request_duration_seconds_count", **sel)
    if timed != success + failure:
        sys.exit(f"[observability] the latency histogram counted {timed} requests"
                 f" (expected {success + failure})")
    m = '{model="iris_classifier",version="1"}'
    await_value(prom, f"sluice:request_error_ratio:rate5m{m}", failure / (success + failure),
                "fleet error ratio (4 of 30)")
    await_value(prom, f"sluice:batch_size_mean:rate5m{m}", items / execs,
                "fleet mean batch size (74 items / 26 runs; the replicas' own means are 1.9 and 4.6)")
    await_value(prom, f"sluice:request_latency_mean_seconds:rate5m{m}", micros / 1e6 / success,
                "fleet mean request time (both replicas' µs over both's successes)")
    await_value(prom, 'sluice:version_replicas:count{model="iris_classifier",version="1",state="ready"}',
                2, "replicas with iris_classifier v1 ready", rel_tol=0)
    # a bin's fleet share is the sum of both replicas' counts over the sum of both's totals;
    # the feature whose values spread over the most bins, and its busiest bin
    def bin_counts(feature):
        bins = {dict(l)["bin"] for (n, l) in a
                if n == "sluice_drift_feature_bin_total" and dict(l).get("feature") == feature
                and dict(l).get("model") == "iris_classifier"}
        return {x: total(both, "sluice_drift_feature_bin_total", feature=feature, bin=x, **sel)
                - total(base, "sluice_drift_feature_bin_total", feature=feature, bin=x, **sel)
                for x in bins}
    features = {dict(l)["feature"] for (n, l) in a
                if n == "sluice_drift_feature_bin_total" and dict(l).get("model") == "iris_classifier"}
    feature = max(sorted(features), key=lambda f: sum(1 for c in bin_counts(f).values() if c > 0))
    counts = bin_counts(feature)
    busiest = max(sorted(counts), key=counts.get)
    if counts[busiest] == sum(counts.values()):
        sys.exit(f"[observability] every value of {feature} fell in one bin: {counts}")
    await_value(prom, f'drift:feature_bin_ratio:1h{{model="iris_classifier",version="1",feature="{feature}",bin="{busiest}"}}',
                counts[busiest] / sum(counts.values()),
                f"fleet share of {feature}'s bin {busiest} ({counts[busiest]:.0f} of {sum(counts.values()):.0f})")
    dropped = query(prom, 'sum(sluice:requests_dropped:rate5m{model="tiny_mlp"})')
    if not dropped or float(dropped[0]["value"][1]) <= 0:
        sys.exit(f"[observability] no drops recorded for the burst at tiny_mlp: {dropped}")
    print("[observability] tiny_mlp's refused burst shows in sluice:requests_dropped:rate5m")
    with urllib.request.urlopen(prom + "/api/v1/rules", timeout=10) as r:
        groups = json.load(r)["data"]["groups"]
    bad = [(rule["name"], rule.get("lastError")) for g in groups for rule in g["rules"]
           if rule.get("health") != "ok"]
    count = sum(len(g["rules"]) for g in groups)
    if bad or count == 0:
        sys.exit(f"[observability] rules not healthy in Prometheus: {bad} ({count} rules)")
    print(f"[observability] all {count} rules evaluate without error in Prometheus")


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "names":
        check_names(sys.argv[2:])
    elif len(sys.argv) == 7 and sys.argv[1] == "fleet":
        check_fleet(*sys.argv[2:])
    else:
        sys.exit(__doc__)
