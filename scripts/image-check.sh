#!/usr/bin/env bash
# Builds the CPU image and sends it a request, with no container registry: Debian's docker.io
# (installed when missing), a daemon started without a bridge or iptables when none runs, a
# base image made here (debootstrap --variant=minbase bookworm with Debian's JRE 17, then
# `docker import`), the Dockerfile's `prebuilt` target built on it (BASE_IMAGE) with the fat
# jar from gateway/target, run with host networking, and curl against /v2/health/ready and an
# inference. Needs root and the gateway jar (mvn -B -ntp -q -DskipTests -pl gateway -am package).
#
#   scripts/image-check.sh             # the base is made once and kept (docker image sluice-base)
#   REBUILD_BASE=1 scripts/image-check.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
log() { echo "[image-check] $*"; }
BASE=sluice-base:bookworm-jre17
IMAGE=sluice:check
[ "$(id -u)" -eq 0 ] || { log "needs root (dockerd, debootstrap)"; exit 1; }
JAR="$(ls gateway/target/sluice-gateway-*-all.jar 2>/dev/null | head -1 || true)"
[ -n "$JAR" ] || { log "build the gateway jar first"; exit 1; }

apt_install() {
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >/dev/null \
    || { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >/dev/null; }
}
command -v dockerd >/dev/null 2>&1 || { log "installing Debian's docker.io"; apt_install docker.io; }
command -v debootstrap >/dev/null 2>&1 || { log "installing debootstrap"; apt_install debootstrap; }
# Debian's client speaks the daemon's API version; another docker on PATH may be newer
DOCKER=/usr/bin/docker
[ -x "$DOCKER" ] || DOCKER=docker

DOCKERD_PID=
if ! "$DOCKER" info >/dev/null 2>&1; then
  log "starting dockerd (no bridge, no iptables: containers use the host's network)"
  dockerd --bridge=none --iptables=false >/tmp/sluice-image-check-dockerd.log 2>&1 &
  DOCKERD_PID=$!
  for _ in $(seq 1 60); do "$DOCKER" info >/dev/null 2>&1 && break; sleep 0.5; done
  "$DOCKER" info >/dev/null 2>&1 || { tail -20 /tmp/sluice-image-check-dockerd.log; log "dockerd did not start"; exit 1; }
fi
CONTAINER=
WORK="$(mktemp -d)"
cleanup() {
  if [ -n "$CONTAINER" ]; then "$DOCKER" rm -f "$CONTAINER" >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
  if [ -n "$DOCKERD_PID" ]; then kill "$DOCKERD_PID" 2>/dev/null || true; wait "$DOCKERD_PID" 2>/dev/null || true; fi
}
trap cleanup EXIT

if [ -n "${REBUILD_BASE:-}" ] || ! "$DOCKER" image inspect "$BASE" >/dev/null 2>&1; then
  log "making $BASE: debootstrap --variant=minbase bookworm + openjdk-17-jre-headless"
  start=$(date +%s)
  debootstrap --variant=minbase --include=openjdk-17-jre-headless bookworm "$WORK/rootfs" \
    http://deb.debian.org/debian >"$WORK/debootstrap.log" 2>&1 \
    || { tail -20 "$WORK/debootstrap.log"; log "debootstrap failed"; exit 1; }
  # what an image needs no more of: package lists, caches, docs
  rm -rf "$WORK/rootfs/var/lib/apt/lists"/* "$WORK/rootfs/var/cache/apt"/*.bin \
         "$WORK/rootfs/usr/share/doc" "$WORK/rootfs/usr/share/man"
  tar -C "$WORK/rootfs" -c . | "$DOCKER" import - "$BASE" >/dev/null
  rm -rf "$WORK/rootfs"
  log "base made in $(($(date +%s) - start)) s"
fi

start=$(date +%s)
"$DOCKER" build --network host --target prebuilt --build-arg BASE_IMAGE="$BASE" -t "$IMAGE" . >"$WORK/build.log" 2>&1 \
  || { tail -30 "$WORK/build.log"; log "docker build failed"; exit 1; }
log "built $IMAGE on $BASE in $(($(date +%s) - start)) s ($("$DOCKER" image inspect -f '{{.Size}}' "$IMAGE" | awk '{printf "%d MiB", $1 / 1048576}'))"
user=$("$DOCKER" image inspect -f '{{.Config.User}}' "$IMAGE")
[ "$user" = "10001:10001" ] || { log "the image runs as '$user' (expected: 10001:10001)"; exit 1; }

# host networking: ephemeral ports, read back from the ports file in a tmpfs
CONTAINER=$("$DOCKER" run -d --network host --memory 512m --tmpfs /run/sluice:uid=10001 "$IMAGE" \
  --model-repository /models --host 127.0.0.1 --http-port 0 --grpc-port 0 --metrics-port 0 \
  --ports-file /run/sluice/ports.json)
ports=
for _ in $(seq 1 240); do
  ports=$("$DOCKER" exec "$CONTAINER" cat /run/sluice/ports.json 2>/dev/null || true)
  [ -n "$ports" ] && break
  [ "$("$DOCKER" inspect -f '{{.State.Running}}' "$CONTAINER")" = true ] || break
  sleep 0.25
done
[ -n "$ports" ] || { "$DOCKER" logs "$CONTAINER" 2>&1 | tail -30; log "the container did not start serving"; exit 1; }
http=$(grep -o '"http": [0-9]*' <<<"$ports" | grep -o '[0-9]*$')
for _ in $(seq 1 120); do curl -fs -o /dev/null "http://127.0.0.1:$http/v2/health/ready" && break; sleep 0.25; done
curl -fsS "http://127.0.0.1:$http/v2/health/ready" >/dev/null
answer=$(curl -fsS -X POST "http://127.0.0.1:$http/v2/models/iris_classifier/infer" \
  -d '{"inputs": [{"name": "float_input", "shape": [1, 4], "datatype": "FP32", "data": [5.1, 3.5, 1.4, 0.2]}]}')
grep -q '"name":"label"' <<<"$answer" && grep -q '"data":\[0\]' <<<"$answer" \
  || { echo "$answer"; log "unexpected answer (expected: label 0, setosa)"; exit 1; }
log "the container answered: $answer"
# the JVM in the container sized its heap from the 512 MiB limit (MaxRAMPercentage=50)
heap=$("$DOCKER" exec "$CONTAINER" java -XX:MaxRAMPercentage=50 -XX:+PrintFlagsFinal -version 2>/dev/null \
  | awk '$2 == "MaxHeapSize" {printf "%d", $4 / 1048576}')
log "max heap in the container: ${heap} MiB of the 512 MiB limit"
# Docker's own health check, on a free port named to it by SLUICE_HEALTH_PORT
"$DOCKER" rm -f "$CONTAINER" >/dev/null
free=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
CONTAINER=$("$DOCKER" run -d --network host --health-interval 1s --health-start-period 30s \
  -e SLUICE_HEALTH_PORT="$free" "$IMAGE" --model-repository /models --host 127.0.0.1 \
  --http-port "$free" --grpc-port 0 --metrics-port 0)
for _ in $(seq 1 120); do
  health=$("$DOCKER" inspect -f '{{.State.Health.Status}}' "$CONTAINER")
  [ "$health" = healthy ] && break
  sleep 0.5
done
[ "$health" = healthy ] || { "$DOCKER" logs "$CONTAINER" 2>&1 | tail -20; log "HEALTHCHECK says '$health'"; exit 1; }
log "HEALTHCHECK: healthy; ok"
