#!/usr/bin/env bash
# Serves ResNet-18 on an NVIDIA GPU through ONNX Runtime's CUDA execution provider, checks its
# outputs against the CPU run, and benchmarks it against in-process ORT CUDA.
#
#   bash scripts/gpu-check.sh [OUTDIR]        (default OUTDIR: build/gpu-check)
#
# Needs: an NVIDIA GPU with its driver (nvidia-smi), CUDA 12.x and cuDNN 9.x libraries on the
# loader path (what onnxruntime_gpu 1.29 is built against; NVIDIA's *-cudnn-runtime images have
# both), a JDK 17+ and Maven, and .venv from scripts/python-env.sh (numpy, onnx, tritonclient).
#
# What it does:
#   1. checks for nvidia-smi and stops with a clear message where there is none;
#   2. builds the gateway, the load generator and the benchmarks with -Pcuda (onnxruntime_gpu);
#   3. builds ResNet-18 with examples/make_models.py --large, and two repositories of it: one
#      with instance_group { kind: KIND_GPU gpus: [0] }, one with KIND_CPU (models in
#      build/models, repositories in OUTDIR);
#   4. serves each in turn, sends the same seeded batch through tritonclient, and checks the
#      GPU outputs against the CPU ones to 1e-3 (absolute, and relative to the output's scale);
#   5. runs the load generator against the GPU server at batch 1, 8 and 32 (closed loop) and
#      prints throughput and p50/p99;
#   6. runs EngineBaselineBenchmark for resnet18 with -p device=cuda,cpu at batch 1, 8 and 32
#      (JMH, sample mode for percentiles): the in-process ORT numbers to compare with step 5.
# Results land in OUTDIR (server logs, loadtest JSON, JMH JSON).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT="${1:-build/gpu-check}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
# shellcheck source=../loadtest/lib.sh
source loadtest/lib.sh
trap stop_server EXIT

fail() { log "gpu-check: $*"; exit 1; }

# ---- 1. a GPU, and the tools
if ! command -v nvidia-smi >/dev/null 2>&1; then
  fail "no NVIDIA GPU here: nvidia-smi is not on PATH (install the NVIDIA driver, or run this on a GPU machine)"
fi
if ! nvidia-smi -L >"$OUT/gpus.txt" 2>&1 || ! grep -q '^GPU ' "$OUT/gpus.txt"; then
  fail "nvidia-smi lists no GPU: $(head -3 "$OUT/gpus.txt")"
fi
log "GPUs: $(tr '\n' ';' <"$OUT/gpus.txt")"
command -v java >/dev/null 2>&1 || fail "no java on PATH (a JDK 17+ is needed)"
command -v mvn >/dev/null 2>&1 || fail "no mvn on PATH (Maven builds the -Pcuda jars)"
PY=.venv/bin/python
[[ -x $PY ]] || fail "no .venv: run bash scripts/python-env.sh first"
"$PY" -c 'import numpy, onnx, tritonclient.http' 2>/dev/null \
  || fail ".venv lacks numpy, onnx or tritonclient[http]: rerun bash scripts/python-env.sh"

# ---- 2. the CUDA build
log "building gateway, loadtest and bench with -Pcuda (onnxruntime_gpu)"
mvn -B -ntp -q -Pcuda -DskipTests -pl gateway,loadtest,bench -am package

# ---- 3. ResNet-18, on the GPU and on the CPU
# build/models is where bench/run.sh (step 6) looks for the large models.
"$PY" examples/make_models.py --large build/models >/dev/null
for kind in gpu cpu; do
  rm -rf "$OUT/repo-$kind" && mkdir -p "$OUT/repo-$kind"
  cp -r build/models/resnet18 "$OUT/repo-$kind/"
done
sed -i 's/kind: KIND_CPU/kind: KIND_GPU\n    gpus: [ 0 ]/' "$OUT/repo-gpu/resnet18/config.pbtxt"
grep -q KIND_GPU "$OUT/repo-gpu/resnet18/config.pbtxt" || fail "could not write the KIND_GPU config"

# ---- 4. GPU outputs against CPU outputs
infer() { # infer KIND: serves repo-KIND, writes OUT/out-KIND.npy; leaves the server running
  start_server "$OUT/ports-$1.json" "$OUT/server-$1.log" "" --model-repository "$OUT/repo-$1"
  local http
  http=$(json_get "$OUT/ports-$1.json" http)
  "$PY" - "$http" "$OUT/out-$1.npy" <<'PY'
import sys, time
import numpy as np
import tritonclient.http as httpclient
port, out = sys.argv[1], sys.argv[2]
c = httpclient.InferenceServerClient(f"127.0.0.1:{port}")
for _ in range(240):
    if c.is_model_ready("resnet18"):
        break
    time.sleep(0.5)
else:
    sys.exit("resnet18 did not become ready")
x = np.random.default_rng(7).standard_normal((8, 3, 112, 112)).astype(np.float32)
i = httpclient.InferInput("input", list(x.shape), "FP32")
i.set_data_from_numpy(x)
np.save(out, c.infer("resnet18", [i]).as_numpy("output"))
groups = c.get_model_config("resnet18").get("instance_group", [])
print("instance_group as served:", groups)
PY
}
infer gpu
grep -q "on the CUDA execution provider" "$OUT/server-gpu.log" \
  || fail "the KIND_GPU model did not report the CUDA execution provider; see $OUT/server-gpu.log"
stop_server
infer cpu
stop_server
"$PY" - "$OUT/out-gpu.npy" "$OUT/out-cpu.npy" <<'PY'
import sys
import numpy as np
gpu, cpu = np.load(sys.argv[1]), np.load(sys.argv[2])
diff = float(np.max(np.abs(gpu - cpu)))
scale = float(np.max(np.abs(cpu)))
print(f"max |gpu - cpu| = {diff:.3g} (output scale {scale:.3g})")
if not np.allclose(gpu, cpu, atol=1e-3, rtol=1e-3):
    sys.exit("GPU outputs differ from the CPU run by more than 1e-3")
PY
log "GPU outputs match the CPU run to 1e-3"

# ---- 5. served on the GPU: throughput and p50/p99 at batch 1, 8, 32
start_server "$OUT/ports-gpu.json" "$OUT/server-gpu-load.log" "" --model-repository "$OUT/repo-gpu"
grpc=$(json_get "$OUT/ports-gpu.json" grpc)
for b in 1 8 32; do
  java -jar "$LOADTEST_JAR" run --protocol grpc --target "127.0.0.1:$grpc" \
      --model resnet18 --input-shape "$b,3,112,112" --datatype FP32 --mode closed \
      --concurrency 4 --warmup 5 --duration 20 --drain 30 --require-success \
      --json-out "$OUT/served-gpu-b$b.json"
done
stop_server

# ---- 6. in-process ORT on CUDA (and the CPU, for scale)
# never: run.sh would rebuild the jar without -Pcuda.
SLUICE_BENCH_BUILD=never bash bench/run.sh full \
  'EngineBaselineBenchmark' -p model=resnet18 -p batch=1,8,32 -p device=cuda,cpu \
  -bm sample -tu ms -rf json -rff "$OUT/jmh-engine.json" | tee "$OUT/jmh-engine.txt"
log "done: served numbers in $OUT/served-gpu-b*.json, in-process ones in $OUT/jmh-engine.json"
