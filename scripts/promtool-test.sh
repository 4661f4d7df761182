#!/usr/bin/env bash
# Tests monitoring/drift-rules.yml and monitoring/sluice-rules.yml with `promtool test rules`. Installs Debian's `prometheus`
# package (which ships promtool) when promtool is missing; idempotent.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if ! command -v promtool >/dev/null 2>&1; then
  echo "[promtool] installing Debian's prometheus package for promtool"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus >/dev/null \
    || { $SUDO apt-get update >/dev/null && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus >/dev/null; }
  # the package starts a server as a service where systemd runs; only promtool is wanted
fi
cd "$ROOT/monitoring"
promtool check rules drift-rules.yml sluice-rules.yml
promtool test rules drift-rules-test.yml sluice-rules-test.yml
