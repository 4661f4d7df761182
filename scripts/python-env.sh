#!/usr/bin/env bash
# Sets up the project's Python tooling. Idempotent; fast when already done.
#
#   .venv/                       virtualenv from scripts/requirements.txt (all pins ==)
#   .tools/perf_analyzer/        Triton perf_analyzer 2.47.0 + wrapper script
#
# Why perf_analyzer 2.47.0: the PyPI `perf-analyzer` wheels need glibc >= 2.38
# and do not start on Debian 12 (glibc 2.36). The C++ binary bundled in the
# tritonclient==2.47.0 manylinux1 wheel runs here; it needs libb64.so.0d
# (Debian package libb64-0d) and libcudart.so.12 (PyPI nvidia-cuda-runtime-cu12).
#
# Environment overrides: PYTHON (interpreter used to create the venv, default python3).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REQ="$ROOT/scripts/requirements.txt"
VENV="$ROOT/.venv"
PA_DIR="$ROOT/.tools/perf_analyzer"
PYTHON="${PYTHON:-python3}"

PA_TRITONCLIENT_VERSION="2.47.0"
PA_CUDART_VERSION="12.4.127"

log() { echo "[python-env] $*"; }
die() { echo "[python-env] ERROR: $*" >&2; exit 1; }

sha256() { sha256sum "$1" | cut -d' ' -f1; }

# ---------------------------------------------------------------- venv
[ -f "$REQ" ] || die "missing $REQ"
PY_VER="$("$PYTHON" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')" \
  || die "cannot run $PYTHON"
VENV_STAMP_WANT="req-sha256=$(sha256 "$REQ") python=$PY_VER"
VENV_STAMP="$VENV/.sluice-stamp"

if [ -x "$VENV/bin/python" ] && [ -f "$VENV_STAMP" ] \
   && [ "$(cat "$VENV_STAMP")" = "$VENV_STAMP_WANT" ] \
   && "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
  log "venv: up to date ($VENV, python $PY_VER)"
else
  if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1 \
     || [ "$("$VENV/bin/python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')" != "$PY_VER" ]; then
    log "venv: creating $VENV with $PYTHON ($PY_VER)"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV" || die "python venv module unavailable (Debian: apt-get install python3-venv)"
  else
    log "venv: requirements changed, updating $VENV"
  fi
  rm -f "$VENV_STAMP"
  log "pip: installing pinned requirements from scripts/requirements.txt"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQ"
  log "pip: checking installed versions against the pins"
  "$VENV/bin/python" - "$REQ" <<'PYEOF'
import re, sys
from importlib.metadata import version, PackageNotFoundError
bad = []
for line in open(sys.argv[1]):
    line = line.split("#", 1)[0].strip()
    if not line:
        continue
    m = re.fullmatch(r"([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==(\S+)", line)
    if not m:
        bad.append(f"not pinned with ==: {line}")
        continue
    name, want = m.groups()
    try:
        got = version(name)
    except PackageNotFoundError:
        got = None
    if got != want:
        bad.append(f"{name}: want {want}, got {got}")
if bad:
    sys.exit("pin check failed:\n  " + "\n  ".join(bad))
PYEOF
  echo "$VENV_STAMP_WANT" > "$VENV_STAMP"
  log "venv: ready"
fi

# ---------------------------------------------------------------- libb64 (system)
have_libb64() { ldconfig -p 2>/dev/null | grep -q 'libb64\.so\.0d'; }
if have_libb64; then
  log "libb64: libb64.so.0d present"
else
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 && SUDO="sudo" || die "libb64.so.0d missing; install Debian package libb64-0d as root"
  fi
  apt_quiet() {  # run apt-get quietly; show its output only if it fails
    local out
    if ! out="$($SUDO env DEBIAN_FRONTEND=noninteractive apt-get -qq "$@" 2>&1)"; then
      echo "$out" >&2
      return 1
    fi
  }
  # apt-get update only when the package is not known to apt yet.
  if ! apt-cache show libb64-0d >/dev/null 2>&1; then
    log "libb64: apt-get update (package list lacks libb64-0d)"
    apt_quiet update
  fi
  log "libb64: apt-get install libb64-0d"
  if ! apt_quiet install -y libb64-0d; then
    log "libb64: install failed, retrying after apt-get update"
    apt_quiet update
    apt_quiet install -y libb64-0d || die "apt-get install libb64-0d failed"
  fi
  have_libb64 || die "libb64.so.0d still missing after installing libb64-0d"
fi

# ---------------------------------------------------------------- perf_analyzer
PA_STAMP_WANT="tritonclient=$PA_TRITONCLIENT_VERSION cudart=$PA_CUDART_VERSION"
PA_STAMP="$PA_DIR/.sluice-stamp"
PA_BIN="$PA_DIR/bin/perf_analyzer"
PA_WRAPPER="$PA_DIR/perf_analyzer"

if [ -f "$PA_STAMP" ] && [ "$(cat "$PA_STAMP")" = "$PA_STAMP_WANT" ] \
   && [ -x "$PA_BIN" ] && [ -x "$PA_WRAPPER" ] && [ -f "$PA_DIR/lib/libcudart.so.12" ]; then
  log "perf_analyzer: already installed ($PA_STAMP_WANT)"
else
  rm -rf "$PA_DIR"
  mkdir -p "$PA_DIR/bin" "$PA_DIR/lib"
  TMP="$(mktemp -d)"
  trap 'rm -rf "$TMP"' EXIT

  log "perf_analyzer: downloading tritonclient==$PA_TRITONCLIENT_VERSION manylinux1_x86_64 wheel"
  "$VENV/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps \
    --platform manylinux1_x86_64 --only-binary=:all: \
    -d "$TMP/tc" "tritonclient==$PA_TRITONCLIENT_VERSION"

  log "perf_analyzer: downloading nvidia-cuda-runtime-cu12==$PA_CUDART_VERSION wheel (libcudart.so.12)"
  "$VENV/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps \
    --platform manylinux2014_x86_64 --only-binary=:all: \
    -d "$TMP/cudart" "nvidia-cuda-runtime-cu12==$PA_CUDART_VERSION"

  log "perf_analyzer: extracting binary and libcudart.so.12 into .tools/perf_analyzer"
  "$VENV/bin/python" - "$TMP" "$PA_DIR" "$PA_TRITONCLIENT_VERSION" <<'PYEOF'
import glob, os, shutil, sys, zipfile
tmp, dest, tcv = sys.argv[1:4]
def extract(pattern, member, out):
    wheels = glob.glob(os.path.join(tmp, pattern))
    if len(wheels) != 1:
        sys.exit(f"expected one wheel matching {pattern}, found {wheels}")
    with zipfile.ZipFile(wheels[0]) as z, z.open(member) as src, open(out, "wb") as dst:
        shutil.copyfileobj(src, dst)
    os.chmod(out, 0o755)
extract("tc/tritonclient-*.whl", f"tritonclient-{tcv}.data/data/bin/perf_analyzer",
        os.path.join(dest, "bin", "perf_analyzer"))
extract("cudart/nvidia_cuda_runtime_cu12-*.whl", "nvidia/cuda_runtime/lib/libcudart.so.12",
        os.path.join(dest, "lib", "libcudart.so.12"))
PYEOF

  log "perf_analyzer: writing wrapper $PA_WRAPPER"
  cat > "$PA_WRAPPER" <<'EOF'
#!/usr/bin/env bash
# Wrapper for Triton perf_analyzer (from tritonclient 2.47.0); installed by scripts/python-env.sh.
HERE="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
export LD_LIBRARY_PATH="$HERE/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
exec "$HERE/bin/perf_analyzer" "$@"
EOF
  chmod 755 "$PA_WRAPPER"

  MISSING="$(LD_LIBRARY_PATH="$PA_DIR/lib" ldd "$PA_BIN" | grep 'not found' || true)"
  [ -z "$MISSING" ] || die "perf_analyzer has unresolved libraries:
$MISSING"
  echo "$PA_STAMP_WANT" > "$PA_STAMP"
fi

# ---------------------------------------------------------------- final check
PA_OUT="$("$PA_WRAPPER" --version 2>&1)" || die "perf_analyzer --version failed: $PA_OUT"
echo "$PA_OUT" | grep -q "Perf Analyzer Version" || die "unexpected perf_analyzer --version output: $PA_OUT"
log "perf_analyzer: OK ($(echo "$PA_OUT" | grep -o 'Perf Analyzer Version [0-9.]*'))  ->  .tools/perf_analyzer/perf_analyzer"
log "done: python $("$VENV/bin/python" -c 'import sys; print(sys.version.split()[0])'), onnxruntime $("$VENV/bin/python" -c 'import onnxruntime; print(onnxruntime.__version__)')"

# ---------------------------------------------------------------- grpcurl
# A real gRPC client that nobody here wrote, driving the server through reflection.
# Built from source through the Go module proxy (about 2 minutes once, then stamped).
GRPCURL_VERSION="v1.9.3"
GRPCURL_DIR="$ROOT/.tools/grpcurl"
GRPCURL_STAMP="$GRPCURL_DIR/.sluice-stamp"
if [ -x "$GRPCURL_DIR/grpcurl" ] && [ "$(cat "$GRPCURL_STAMP" 2>/dev/null)" = "$GRPCURL_VERSION" ]; then
  log "grpcurl: already installed ($GRPCURL_VERSION)"
else
  command -v go >/dev/null || die "grpcurl needs the Go toolchain (go) to build"
  log "grpcurl: building $GRPCURL_VERSION with go install"
  mkdir -p "$GRPCURL_DIR"
  GOBIN="$GRPCURL_DIR" GOFLAGS=-mod=mod go install "github.com/fullstorydev/grpcurl/cmd/grpcurl@$GRPCURL_VERSION"
  echo "$GRPCURL_VERSION" > "$GRPCURL_STAMP"
fi
log "grpcurl: OK ($("$GRPCURL_DIR/grpcurl" -version 2>&1 | head -1))  ->  .tools/grpcurl/grpcurl"
