package io.sluice.loadtest;

import io.netty.channel.EventLoopGroup;
import java.net.URI;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Where to send, what to send, and what to watch on the server: shared by every command. */
final class TargetOptions {
  @Mixin ProtocolOption protocol;

  @Option(names = "--target", required = true, description = "host:port of the server")
  String target;

  @Option(names = "--model", required = true, description = "model name")
  String model;

  @Option(names = "--input-name", defaultValue = "input", description = "input tensor name")
  String inputName;

  @Option(
      names = "--input-shape",
      defaultValue = "1,32",
      description = "input shape with the batch dimension, e.g. 1,32 (default: 1,32)")
  String inputShape;

  @Option(names = "--datatype", defaultValue = "FP32", description = "V2 datatype (default: FP32)")
  String datatype;

  @Option(
      names = "--connections",
      description = "gRPC channels (default: 1) or most HTTP keep-alive connections (default: 64)")
  Integer connections;

  @Option(
      names = "--io-threads",
      defaultValue = "1",
      description = "client event loops (default: 1)")
  int ioThreads;

  @Option(names = "--seed", defaultValue = "42", description = "seed of payload and arrivals")
  long seed;

  @Option(
      names = "--server-pid",
      description = "server process id: report its CPU-µs per request from /proc/<pid>/stat")
  Long serverPid;

  @Option(
      names = "--stats-url",
      description = "the model's statistics URL, e.g. http://127.0.0.1:8000/v2/models/m/stats:"
          + " report the batch sizes formed")
  URI statsUrl;

  @Option(names = "--drain", defaultValue = "10", description = "seconds to wait for stragglers")
  double drainSeconds;

  InferPayload payload(String modelName) {
    return InferPayload.of(
        modelName, inputName, datatype, InferPayload.parseShape(inputShape), seed);
  }

  Transport transport(EventLoopGroup group, String modelName) {
    int colon = target.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("--target: " + target + " (expected: host:port)");
    }
    String host = target.substring(0, colon);
    int port = Integer.parseInt(target.substring(colon + 1));
    if (protocol.isGrpc()) {
      return new GrpcTransport(
          host, port, payload(modelName), connections == null ? 1 : connections, group);
    }
    return new HttpTransport(
        host, port, payload(modelName), connections == null ? 64 : connections, group.next());
  }

  Session session(EventLoopGroup group) {
    return session(group, model);
  }

  /** A session sending to {@code modelName} instead of {@code --model}, all else the same. */
  Session session(EventLoopGroup group, String modelName) {
    return new Session(
        transport(group, modelName),
        Ticker.system(),
        CpuTime.self(),
        serverPid == null ? null : CpuTime.ofPid(serverPid),
        statsUrl == null ? null : new ServerStats(statsUrl),
        Math.round(drainSeconds * 1e9));
  }
}
