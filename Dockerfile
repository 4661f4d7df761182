# Sluice CPU image. Multi-stage: build with Maven on JDK 17, run on a current LTS JRE
# as a non-root user. Serves /models (mount your Triton-style repository there); the
# example repository is baked in so `docker run -p 8000-8002:8000-8002 sluice` works.
#
#   docker build -t sluice .
#   docker run --rm -p 8000:8000 -p 8001:8001 -p 8002:8002 sluice
#   docker run --rm -v $PWD/my_repo:/models:ro -p 8000-8002:8000-8002 sluice

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
COPY proto proto
COPY runtime runtime
COPY runtime-onnx runtime-onnx
COPY runtime-tensorflow runtime-tensorflow
COPY registry-client registry-client
COPY gateway gateway
COPY bench bench
COPY loadtest loadtest
RUN mvn -B -ntp -DskipTests -pl gateway -am package

FROM eclipse-temurin:21-jre
RUN groupadd --system sluice && useradd --system --gid sluice --home /opt/sluice sluice \
  && mkdir -p /var/cache/sluice/javacpp && chown sluice:sluice /var/cache/sluice/javacpp
WORKDIR /opt/sluice
COPY --from=build /src/gateway/target/sluice-gateway-*-all.jar /opt/sluice/sluice.jar
COPY examples/model_repository /models
USER sluice
EXPOSE 8000 8001 8002
HEALTHCHECK --interval=10s --timeout=2s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8000 && printf 'GET /v2/health/ready HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n' >&3 && grep -q ' 200 ' <&3"]
# TensorFlow Java unpacks its native library (652 MB) here when the first SavedModel loads;
# mount a volume on it to keep that across restarts.
VOLUME /var/cache/sluice/javacpp
ENTRYPOINT ["java", "-XX:+UseZGC", "-Dorg.bytedeco.javacpp.cachedir=/var/cache/sluice/javacpp", "-jar", "/opt/sluice/sluice.jar", "serve"]
CMD ["--model-repository", "/models"]
