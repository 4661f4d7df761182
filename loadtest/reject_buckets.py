"""sluice_admission_reject_seconds from a Prometheus text page, for overload.sh and
overload-paired.sh (imported from their inline Python, run from the repository root):

  buckets(text) -> {protocol: {le: cumulative count}}
  p99(protocol_buckets) -> "<= X.XXX" ms (the smallest bucket holding 99%), "> 1000" or "n/a"
"""


def buckets(text):
    out = {}
    for line in text.splitlines():
        if line.startswith("sluice_admission_reject_seconds_bucket"):
            labels = line[line.index("{") + 1:line.index("}")]
            protocol = labels.split('protocol="')[1].split('"')[0]
            le = labels.split('le="')[1].split('"')[0]
            out.setdefault(protocol, {})[le] = float(line.rsplit(" ", 1)[1])
    return out


def p99(protocol_buckets):
    edges = sorted((float("inf") if le == "+Inf" else float(le), c)
                   for le, c in protocol_buckets.items())
    if not edges or edges[-1][1] <= 0:
        return "n/a"
    le = next(le for le, c in edges if c >= 0.99 * edges[-1][1])
    return "> 1000" if le == float("inf") else f"<= {1000 * le:.3f}"
