"""Server CPU by thread group, from /proc/<pid>/task/*/schedstat (time on a CPU, in ns; utime +
stime from .../stat where schedstat is missing), for the load scripts.

CPU time, unlike wall time, does not depend on what else runs on the machine, so these numbers can
be taken on a shared box. Threads are grouped by their kernel name (at most 15 characters, which
is why an instance thread shows as "sluice-heavy_ml"):

  python3 loadtest/thread_groups.py snapshot PID OUT.json
  python3 loadtest/thread_groups.py delta BEFORE.json AFTER.json INSTANCE_PREFIX   (JSON: group -> s)
"""
import json
import os
import sys

TICK = os.sysconf("SC_CLK_TCK")
# Sluice's own thread names, longest first; anything else named sluice-<model>... is an instance.
KNOWN = {
    "sluice-io": "event loops (sluice-io)",
    "sluice-accept": "accept (sluice-accept)",
    "sluice-metrics": "metrics server",
}


def stat_fields(stat_text):
    """(comm, utime + stime in clock ticks) from a /proc .../stat line; comm may hold spaces or
    parentheses, so the fields start after the last ')'."""
    name = stat_text[stat_text.index("(") + 1:stat_text.rindex(")")]
    fields = stat_text[stat_text.rindex(")") + 2:].split()
    # fields[0] is field 3 (state): utime is field 14, stime field 15
    return name, int(fields[11]) + int(fields[12])


def threads(pid):
    """tid -> {"name", "ticks" (utime + stime), "cpu_s" (schedstat's time on a CPU, else ticks)}."""
    out = {}
    base = f"/proc/{pid}/task"
    for tid in os.listdir(base):
        try:
            with open(f"{base}/{tid}/stat") as f:
                name, ticks = stat_fields(f.read())
        except OSError:
            continue  # the thread ended between the listing and the read
        seconds = ticks / TICK
        try:
            with open(f"{base}/{tid}/schedstat") as f:
                seconds = int(f.read().split()[0]) / 1e9
        except (OSError, ValueError, IndexError):
            pass
        out[tid] = {"name": name, "ticks": ticks, "cpu_s": seconds}
    return out


def process_ticks(pid):
    """The whole process's utime + stime in clock ticks, threads that ended included."""
    with open(f"/proc/{pid}/stat") as f:
        return stat_fields(f.read())[1]


def snapshot(pid):
    return {tid: {"name": t["name"], "cpu_s": t["cpu_s"]} for tid, t in threads(pid).items()}


def group(name, instance_prefix):
    for prefix, label in KNOWN.items():
        if name.startswith(prefix):
            return label
    if instance_prefix and name.startswith(instance_prefix[:15]):
        return "model instance"
    if name.startswith(("GC Thread", "G1 ")):
        return "GC"
    if "CompilerThre" in name:
        return "JIT compiler"
    if name.startswith("sluice-"):
        return name
    return "other JVM"


def delta(before, after, instance_prefix):
    groups = {}
    for tid, a in after.items():
        b = before.get(tid)
        used = a["cpu_s"] - (b["cpu_s"] if b and b["name"] == a["name"] else 0.0)
        g = group(a["name"], instance_prefix)
        groups[g] = groups.get(g, 0.0) + used
    return groups


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "snapshot":
        with open(sys.argv[3], "w") as f:
            json.dump(snapshot(sys.argv[2]), f)
    elif cmd == "delta":
        with open(sys.argv[2]) as f:
            before = json.load(f)
        with open(sys.argv[3]) as f:
            after = json.load(f)
        print(json.dumps(delta(before, after, sys.argv[4])))
    else:
        sys.exit(f"unknown command {cmd} (expected: snapshot or delta)")
