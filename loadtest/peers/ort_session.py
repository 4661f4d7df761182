"""One onnxruntime session configured as Sluice's report runs its engine.

Shared by the three peer adapters in this folder so that every server runs the model with the
same engine settings as `loadtest/report.sh` gives Sluice (`--onnx-intra-op-threads 1
--onnx-inter-op-threads 1 --onnx-spinning false`): one intra-op thread, one inter-op thread,
sequential execution, no spinning. The peers' own Python threads and processes are not
limited here; peers.sh pins each whole server (children included) to SERVER_CPUS.
"""

from __future__ import annotations

import onnxruntime as ort


def open_session(path: str) -> ort.InferenceSession:
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    opts.add_session_config_entry("session.inter_op.allow_spinning", "0")
    return ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])
