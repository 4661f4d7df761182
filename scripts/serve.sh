#!/usr/bin/env bash
# Builds Sluice and serves the example model repository on Triton's ports
# (HTTP 8000, gRPC 8001, metrics 8002). Extra arguments go to `sluice serve`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
mvn -q -B -DskipTests install
exec java -jar gateway/target/sluice-gateway-0.1.0-SNAPSHOT-all.jar serve \
  --model-repository examples/model_repository "$@"
