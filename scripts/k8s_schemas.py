#!/usr/bin/env python3
"""Makes standalone Kubernetes JSON schemas for kubeconform from PyPI's kubernetes-validate.

kubernetes-validate ships one file per kind (``deployment-apps-v1.json``) whose ``$ref``s point
into a shared ``_definitions.json`` (``/api/_definitions.json#/$defs/...``). kubeconform
resolves a schema on its own and reports "could not find schema" for those references, so
each kind is written out again with the definitions it reaches copied in under ``$defs`` and
its references made local.

    k8s_schemas.py WHEEL KUBE_VERSION OUT_DIR   # e.g. ... 1.33.0 .tools/k8s-schemas/1.33.0

Uses the ``-local-strict`` flavour (unknown fields are errors), so a misspelt key fails.
"""
import json
import os
import sys
import zipfile

SHARED = "_definitions.json#/$defs/"
LOCAL = "#/$defs/"


def local_refs(node, found):
    """Rewrites references into _definitions.json as local ones, collecting the names."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and SHARED in ref:
            name = ref.split(SHARED, 1)[1]
            found.add(name)
            node["$ref"] = LOCAL + name
        elif isinstance(ref, str) and ref.startswith(LOCAL):
            found.add(ref[len(LOCAL):])
        for value in node.values():
            local_refs(value, found)
    elif isinstance(node, list):
        for value in node:
            local_refs(value, found)


def standalone(schema, definitions):
    """The schema with the closure of its referenced definitions inlined."""
    pending = set()
    local_refs(schema, pending)
    copied = {}
    while pending:
        name = pending.pop()
        if name in copied:
            continue
        body = json.loads(json.dumps(definitions[name]))
        copied[name] = body
        more = set()
        local_refs(body, more)
        pending |= more - copied.keys()
    schema["$defs"] = copied
    return schema


def main(wheel, version, out_dir):
    prefix = f"kubernetes_validate/kubernetes-json-schema/v{version}-local-strict/"
    with zipfile.ZipFile(wheel) as zf:
        names = [n for n in zf.namelist() if n.startswith(prefix) and n.endswith(".json")]
        if not names:
            sys.exit(f"no schemas for Kubernetes {version} in {wheel} (expected: {prefix}*)")
        definitions = json.loads(zf.read(prefix + "_definitions.json"))["$defs"]
        os.makedirs(out_dir, exist_ok=True)
        count = 0
        for name in names:
            base = name[len(prefix):]
            if base.startswith("_") or "/" in base:
                continue
            schema = json.loads(zf.read(name))
            with open(os.path.join(out_dir, base), "w") as f:
                json.dump(standalone(schema, definitions), f)
            count += 1
    print(f"[k8s-schemas] {count} standalone schemas for Kubernetes {version} in {out_dir}")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
