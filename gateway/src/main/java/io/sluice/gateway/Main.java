package io.sluice.gateway;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code sluice} command line (picocli). */
@Command(
    name = "sluice",
    mixinStandardHelpOptions = true,
    version = "sluice " + SluiceServer.VERSION,
    description = "A model-serving gateway speaking the KServe V2 / Triton protocol.",
    subcommands = {Main.Serve.class})
public final class Main implements Runnable {

  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
  }

  /** {@code sluice serve}: load the repository and serve it until stopped. */
  @Command(
      name = "serve",
      mixinStandardHelpOptions = true,
      description = "Serve a Triton-style model repository over HTTP, gRPC and Prometheus.")
  static final class Serve implements Callable<Integer> {
    @Option(names = "--config", description = "YAML file with the same settings as the flags")
    Path configFile;

    @Option(names = "--model-repository", description = "Triton-style model repository folder")
    Path modelRepository;

    @Option(names = "--host", description = "address to bind (default: 0.0.0.0)")
    String host;

    @Option(names = "--http-port", description = "HTTP port, 0 = ephemeral (default: 8000)")
    Integer httpPort;

    @Option(names = "--grpc-port", description = "gRPC port, 0 = ephemeral (default: 8001)")
    Integer grpcPort;

    @Option(names = "--metrics-port", description = "metrics port, 0 = ephemeral (default: 8002)")
    Integer metricsPort;

    @Option(
        names = "--strict-readiness",
        arity = "1",
        description = "ready only when every model is READY (default: true)")
    Boolean strictReadiness;

    @Option(names = "--max-request-bytes", description = "largest HTTP body (default: 64 MiB)")
    Integer maxRequestBytes;

    @Option(
        names = "--max-grpc-message-bytes",
        description = "largest gRPC message (default: 256 MiB)")
    Integer maxGrpcMessageBytes;

    @Option(names = "--event-loop-threads", description = "Netty event loops (default: cores)")
    Integer eventLoopThreads;

    @Option(
        names = "--default-max-batch-size",
        description = "autofill's max_batch_size for models that can batch (default: 4)")
    Integer defaultMaxBatchSize;

    @Option(
        names = "--max-queue-size",
        description = "per-version queue cap where the queue policy says 0 (default: 4096)")
    Integer maxQueueSize;

    @Option(names = "--onnx-intra-op-threads", description = "ORT intra-op threads (default: 1)")
    Integer onnxIntraOpThreads;

    @Option(names = "--onnx-inter-op-threads", description = "ORT inter-op threads (default: 1)")
    Integer onnxInterOpThreads;

    @Option(
        names = "--onnx-spinning",
        arity = "1",
        description = "let idle ORT threads spin (default: false)")
    Boolean onnxSpinning;

    @Option(
        names = "--engine",
        description = "ONNXRUNTIME, or ECHO: zeros of the real output sizes (benchmark ceiling)")
    GatewayConfig.Engine engine;

    @Option(
        names = "--ports-file",
        description = "write the bound ports as JSON here once serving (for scripts and tests)")
    Path portsFile;

    @Override
    public Integer call() throws Exception {
      GatewayConfig config = resolve();
      SluiceServer server = SluiceServer.start(config);
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    server.close();
                    stopped.countDown();
                  },
                  "sluice-shutdown"));
      String ports =
          String.format(
              "{\"http\": %d, \"grpc\": %d, \"metrics\": %d}",
              server.httpPort(), server.grpcPort(), server.metricsPort());
      if (portsFile != null) {
        Path tmp = portsFile.resolveSibling(portsFile.getFileName() + ".tmp");
        Files.writeString(tmp, ports, StandardCharsets.UTF_8);
        Files.move(tmp, portsFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      }
      System.out.println("Sluice " + SluiceServer.VERSION + " serving " + config.modelRepository()
          + " " + ports);
      stopped.await();
      return 0;
    }

    GatewayConfig resolve() throws IOException {
      ConfigFile file = configFile == null ? new ConfigFile() : ConfigFile.read(configFile);
      Path repo =
          first(modelRepository, file.modelRepository == null ? null : Path.of(file.modelRepository));
      if (repo == null) {
        throw new CommandLine.ParameterException(
            new CommandLine(this), "--model-repository (or model-repository in --config) is required");
      }
      GatewayConfig d = GatewayConfig.ofDefaults(repo);
      return new GatewayConfig(
          repo,
          first(host, file.host, d.host()),
          first(httpPort, file.httpPort, d.httpPort()),
          first(grpcPort, file.grpcPort, d.grpcPort()),
          first(metricsPort, file.metricsPort, d.metricsPort()),
          first(strictReadiness, file.strictReadiness, d.strictReadiness()),
          first(maxRequestBytes, file.maxRequestBytes, d.maxRequestBytes()),
          first(maxGrpcMessageBytes, file.maxGrpcMessageBytes, d.maxGrpcMessageBytes()),
          first(eventLoopThreads, file.eventLoopThreads, d.eventLoopThreads()),
          first(defaultMaxBatchSize, file.defaultMaxBatchSize, d.defaultMaxBatchSize()),
          first(maxQueueSize, file.maxQueueSize, d.maxQueueSize()),
          first(onnxIntraOpThreads, file.onnxIntraOpThreads, d.onnxIntraOpThreads()),
          first(onnxInterOpThreads, file.onnxInterOpThreads, d.onnxInterOpThreads()),
          first(onnxSpinning, file.onnxSpinning, d.onnxSpinning()),
          first(engine, file.engine, d.engine()));
    }

    @SafeVarargs
    private static <T> T first(T... values) {
      for (T v : values) {
        if (v != null) {
          return v;
        }
      }
      return null;
    }
  }
}
