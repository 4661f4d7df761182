package io.sluice.loadtest;

import io.netty.channel.EventLoopGroup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code floor-server}: B2, a bare server answering a canned V2 response, until killed. */
@Command(
    name = "floor-server",
    mixinStandardHelpOptions = true,
    description = "B2, the transport floor: a bare Netty HTTP/1.1 or grpc-java server answering"
        + " every V2 infer request with one pre-encoded response; runs until killed.")
final class FloorCommand implements Callable<Integer> {

  @Mixin ProtocolOption protocol;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "default: 127.0.0.1")
  String host;

  @Option(names = "--port", defaultValue = "0", description = "0 picks a free port (default)")
  int port;

  @Option(
      names = "--ports-file",
      description = "write {\"<protocol>\": port} here once listening (as `sluice serve` does)")
  Path portsFile;

  @Option(names = "--model", defaultValue = "tiny_mlp", description = "default: tiny_mlp")
  String model;

  @Option(names = "--output-name", defaultValue = "output", description = "default: output")
  String outputName;

  @Option(names = "--output-shape", defaultValue = "1,1", description = "default: 1,1")
  String outputShape;

  @Option(names = "--datatype", defaultValue = "FP32", description = "default: FP32")
  String datatype;

  @Option(
      names = "--event-loop-threads",
      defaultValue = "1",
      description = "Netty event loops (default: 1, as the report runs Sluice)")
  int eventLoopThreads;

  @Override
  public Integer call() throws Exception {
    CannedResponse canned =
        CannedResponse.of(model, outputName, datatype, InferPayload.parseShape(outputShape));
    CountDownLatch stopped = new CountDownLatch(1);
    try (EventLoops loops = EventLoops.of(eventLoopThreads)) {
      EventLoopGroup group = loops.group();
      AutoCloseable server;
      int bound;
      if (protocol.isGrpc()) {
        GrpcFloorServer g = new GrpcFloorServer(group, host, port, canned);
        server = g;
        bound = g.port();
      } else {
        HttpFloorServer h = new HttpFloorServer(group, host, port, canned);
        server = h;
        bound = h.port();
      }
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      server.close();
                    } catch (Exception e) {
                      // Exiting anyway.
                    }
                    stopped.countDown();
                  }));
      String name = protocol.label();
      if (portsFile != null) {
        writePorts(portsFile, name, bound);
      }
      System.err.println("floor-server (" + name + ") listening on " + host + ":" + bound);
      stopped.await();
      return 0;
    }
  }

  /** Written to a temporary file and moved, so a reader polling for it never sees half. */
  static void writePorts(Path file, String protocol, int port) throws java.io.IOException {
    Path abs = file.toAbsolutePath();
    Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp");
    Files.writeString(tmp, "{\"" + protocol + "\": " + port + "}\n");
    Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
