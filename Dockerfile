# Sluice images. Targets:
#   cpu (the default)  Maven builds the fat jar, a JRE runs it
#   prebuilt           the same runtime around gateway/target/sluice-gateway-*-all.jar built
#                      beforehand (no Maven in the image build: CI, offline builders)
#   cuda               ONNX Runtime's CUDA build (onnxruntime_gpu) on NVIDIA's CUDA runtime
# Non-root (uid 10001), example repository baked in at /models, JVM flags sized for a
# container (README "Deployment" has the measurements behind them).
#
#   docker build -t sluice .
#   docker run --rm -p 8000-8002:8000-8002 sluice
#   docker run --rm -v $PWD/my_repo:/models:ro -p 8000-8002:8000-8002 sluice
#   docker build --target cuda -t sluice:cuda .      # then: docker run --gpus all ...
#   mvn -B -ntp -q -DskipTests -pl gateway -am package && docker build --target prebuilt -t sluice .
#
# Base images are arguments, so a registry mirror or a locally made base can stand in
# (scripts/image-check.sh builds on a debootstrapped Debian with its JRE 17).
ARG BASE_IMAGE=eclipse-temurin:21-jre
ARG BUILD_IMAGE=maven:3.9-eclipse-temurin-17
ARG CUDA_BASE_IMAGE=nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04
ARG JRE_IMAGE=eclipse-temurin:21-jre

# ---- the runtime every CPU target shares: user, layout, flags, health check
FROM ${BASE_IMAGE} AS runtime
# a fixed uid/gid, so Kubernetes' runAsUser and volume ownership (fsGroup) match the image
RUN groupadd --system --gid 10001 sluice \
 && useradd --system --uid 10001 --gid sluice --home-dir /opt/sluice --no-create-home sluice \
 && mkdir -p /opt/sluice /var/cache/sluice /var/cache/javacpp \
 && chown sluice:sluice /var/cache/sluice /var/cache/javacpp
WORKDIR /opt/sluice
COPY --chown=root:root examples/model_repository /models
# Read by the java launcher, so `docker run -e JDK_JAVA_OPTIONS=...` replaces them: heap half
# the cgroup memory limit, G1 (measured at a 512 MiB limit: ready in 1.2-1.3 s, idle RSS
# 185-191 MiB, within the sidecar targets of 3 s and 256 MiB; ZGC's RSS is 318-371 MiB; G1's
# longest pause at 4k req/s 29 ms with the client p99 at 8-10 ms, as with ZGC), fail fast on
# OOM. Pick ZGC when GC pauses show in a p99 objective of a few ms and memory is not tight
# (README, "Footprint and JVM flags"): -XX:+UseZGC -XX:+ZGenerational on this JDK 21,
# -XX:+UseZGC alone on 25, with a fixed heap and a limit sized from its RSS.
ENV JDK_JAVA_OPTIONS="-XX:MaxRAMPercentage=50 -XX:InitialRAMPercentage=25 -XX:+UseG1GC -Xss512k -XX:+ExitOnOutOfMemoryError"
# /models: mount a real repository over the example; /var/cache/sluice: --model-cache for MLflow;
# /var/cache/javacpp: TensorFlow Java unpacks its native library (652 MB) there when the first
# SavedModel loads (the user has no writable home); a volume keeps it across restarts.
VOLUME ["/models", "/var/cache/sluice", "/var/cache/javacpp"]
EXPOSE 8000 8001 8002
# Plain HTTP on :8000 (bash's /dev/tcp, no curl in the JRE images; set SLUICE_HEALTH_PORT
# with --http-port); with TLS on, use the orchestrator's probes (deploy/kubernetes) or
# override with --health-cmd.
ENV SLUICE_HEALTH_PORT=8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${SLUICE_HEALTH_PORT} && printf 'GET /v2/health/ready HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
USER 10001:10001
ENTRYPOINT ["java", "-Dorg.bytedeco.javacpp.cachedir=/var/cache/javacpp", "-jar", "/opt/sluice/sluice.jar", "serve"]
CMD ["--model-repository", "/models", "--model-cache", "/var/cache/sluice"]

# ---- prebuilt: the jar from the build context
FROM runtime AS prebuilt
COPY gateway/target/sluice-gateway-*-all.jar /opt/sluice/sluice.jar

# ---- build: the fat jar from source (only the stages a target needs are built)
FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY . .
RUN mvn -B -ntp -q -DskipTests -pl gateway -am package \
 && cp gateway/target/sluice-gateway-*-all.jar /sluice.jar

# ---- ONNX Runtime's CUDA build, same version as the CPU one the gateway is built with
FROM ${BUILD_IMAGE} AS onnxruntime-gpu
WORKDIR /src
COPY pom.xml .
RUN version=$(mvn -B -ntp -q -N help:evaluate -Dexpression=onnxruntime.version -DforceStdout) \
 && mvn -B -ntp -q dependency:copy -Dartifact=com.microsoft.onnxruntime:onnxruntime_gpu:${version} \
      -DoutputDirectory=/ort \
 && mv /ort/onnxruntime_gpu-*.jar /ort/onnxruntime_gpu.jar

FROM ${JRE_IMAGE} AS jre

# ---- cuda: NVIDIA's CUDA + cuDNN runtime, the JRE copied in, onnxruntime_gpu ahead of the
# fat jar on the class path (same classes, CUDA-enabled native library): the same ORT a
# `mvn -Pcuda` build packages. onnxruntime_gpu 1.29 needs CUDA 12.x and cuDNN 9.x (ORT's CUDA
# requirements page), hence the 12.x *-cudnn-runtime tag. KIND_GPU models run on the GPU,
# KIND_AUTO and group-less ones where the GPU is usable (README, "ONNX Runtime on CUDA").
# Not built by CI (no GPU, no registry here).
FROM ${CUDA_BASE_IMAGE} AS cuda
ENV JAVA_HOME=/opt/java/openjdk
ENV PATH=/opt/java/openjdk/bin:${PATH}
COPY --from=jre /opt/java/openjdk /opt/java/openjdk
RUN groupadd --system --gid 10001 sluice \
 && useradd --system --uid 10001 --gid sluice --home-dir /opt/sluice --no-create-home sluice \
 && mkdir -p /opt/sluice /var/cache/sluice /var/cache/javacpp \
 && chown sluice:sluice /var/cache/sluice /var/cache/javacpp
WORKDIR /opt/sluice
COPY examples/model_repository /models
COPY --from=onnxruntime-gpu /ort/onnxruntime_gpu.jar /opt/sluice/onnxruntime_gpu.jar
COPY --from=build /sluice.jar /opt/sluice/sluice.jar
ENV JDK_JAVA_OPTIONS="-XX:MaxRAMPercentage=50 -XX:InitialRAMPercentage=25 -XX:+UseG1GC -Xss512k -XX:+ExitOnOutOfMemoryError"
VOLUME ["/models", "/var/cache/sluice", "/var/cache/javacpp"]
EXPOSE 8000 8001 8002
ENV SLUICE_HEALTH_PORT=8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${SLUICE_HEALTH_PORT} && printf 'GET /v2/health/ready HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
USER 10001:10001
ENTRYPOINT ["java", "-Dorg.bytedeco.javacpp.cachedir=/var/cache/javacpp", "-cp", "/opt/sluice/onnxruntime_gpu.jar:/opt/sluice/sluice.jar", "io.sluice.gateway.Main", "serve"]
CMD ["--model-repository", "/models", "--model-cache", "/var/cache/sluice"]

# ---- cpu (default, last): the runtime around the jar built from source
FROM runtime AS cpu
COPY --from=build /sluice.jar /opt/sluice/sluice.jar
