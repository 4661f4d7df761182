package io.sluice.loadtest;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code b0q}: B0q, the honest limit with queueing. The same seeded Poisson arrivals, the same
 * windows and the same SLO search as {@code profile}, fed in process into the runtime's scheduler
 * and ONNX Runtime backend, with latency from the intended arrival time; so what separates a
 * server's X_slo from this one's is the network, the codecs and the front end, not queueing.
 *
 * <p>Needs {@code sluice-runtime} and {@code sluice-runtime-onnx} on the classpath (the gateway's
 * jar has them): {@code java -cp sluice-loadtest-all.jar:sluice-gateway-all.jar
 * io.sluice.loadtest.Main b0q ...}.
 */
@Command(
    name = "b0q",
    mixinStandardHelpOptions = true,
    description = "B0q: profile's SLO search with the requests fed in process into the runtime's"
        + " batcher and ONNX Runtime (no network). Needs the gateway jar on the classpath.")
final class QueueingBaselineCommand implements Callable<Integer> {

  @Option(names = "--model-file", required = true, description = "the model.onnx to serve")
  Path modelFile;

  @Option(names = "--model", required = true, description = "model name, for the report")
  String model;

  @Option(names = "--input-name", defaultValue = "input", description = "default: input")
  String inputName;

  @Option(names = "--input-shape", required = true, description = "e.g. 1,256")
  String inputShape;

  @Option(names = "--datatype", defaultValue = "FP32", description = "default: FP32")
  String datatype;

  @Option(
      names = "--batching",
      defaultValue = "true",
      arity = "1",
      description = "dynamic_batching { } (true, default) or none (false)")
  boolean batching;

  @Option(names = "--max-batch-size", defaultValue = "64", description = "default: 64")
  int maxBatchSize;

  @Option(
      names = "--max-queue-size",
      defaultValue = "4096",
      description = "the server's --max-queue-size (default: 4096, the server's default)")
  int maxQueueSize;

  @Option(
      names = "--max-queue-time-ms",
      defaultValue = "1000",
      description = "the server's --max-queue-time-ms (default: 1000, the server's default)")
  long maxQueueTimeMs;

  @Option(names = "--seed", defaultValue = "42", description = "seed of payload and arrivals")
  long seed;

  @Option(names = "--drain", defaultValue = "10", description = "seconds to wait for stragglers")
  double drainSeconds;

  @Mixin Main.ProfileOptions profile;

  @Override
  public Integer call() throws Exception {
    InferPayload payload =
        InferPayload.of(model, inputName, datatype, InferPayload.parseShape(inputShape), seed);
    InProcessTarget.Batching b =
        new InProcessTarget.Batching(batching, maxBatchSize, maxQueueSize, maxQueueTimeMs * 1000);
    try (Session session =
        InProcessTarget.onnx(modelFile, b, payload, Math.round(drainSeconds * 1e9))) {
      profile.measure(session, "in-process", model, seed);
    }
    return 0;
  }
}
