package io.sluice.gateway.fuzz;

import io.sluice.gateway.GatewayConfig;
import io.sluice.gateway.SluiceServer;
import io.sluice.gateway.core.ServingApi;
import io.sluice.gateway.core.V2InferRequest;
import io.sluice.gateway.request.RequestContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * The whole server (ONNX Runtime, the example models) on ephemeral loopback ports over a copy of
 * {@code examples/model_repository} in a temporary folder, so fuzzed configurations can be
 * written into it; and the fuzz settings every target shares.
 *
 * <p>Settings (system properties): {@code sluice.fuzz.seed} (default 20261201) and {@code
 * sluice.fuzz.scale} (default 1.0, multiplies every target's iterations; CI's run uses the
 * default, about 40 s in all on a 2-core machine). Each target also stops at its time cap, so a
 * slow machine cannot push the run past its budget.
 */
public final class FuzzServer implements AutoCloseable {
  public static final long SEED = Long.getLong("sluice.fuzz.seed", 20261201L);
  public static final double SCALE = Double.parseDouble(System.getProperty("sluice.fuzz.scale", "1"));

  public final Path root;
  public final SluiceServer server;

  public FuzzServer() throws IOException {
    root = Files.createTempDirectory("sluice-fuzz-");
    copy(Path.of("../examples/model_repository"), root);
    server = SluiceServer.start(
        GatewayConfig.builder()
            .modelRepository(root)
            .host("127.0.0.1")
            .httpPort(0)
            .grpcPort(0)
            .metricsPort(0)
            .eventLoopThreads(1)
            .build());
  }

  /** {@code n} scaled by {@link #SCALE}, at least 1. */
  public static int iterations(int n) {
    return Math.max(1, (int) Math.round(n * SCALE));
  }

  public ServingApi api() {
    return server.api();
  }

  /**
   * The api with every future already complete when it is returned and inference completing on
   * the engine's thread: what an {@code EmbeddedChannel} (one test thread, no event loop) needs.
   * Built as a proxy so that it follows {@link ServingApi} as it grows.
   */
  public ServingApi synchronousApi() {
    ServingApi api = server.api();
    return (ServingApi) Proxy.newProxyInstance(
        ServingApi.class.getClassLoader(), new Class<?>[] {ServingApi.class},
        (proxy, method, args) -> {
          if (method.getDeclaringClass() == Object.class) {
            return method.invoke(api, args);
          }
          Object[] a = args;
          if (method.getName().equals("infer") && args != null && args.length == 3
              && args[2] instanceof V2InferRequest r) {
            RequestContext c = r.context();
            a = new Object[] {args[0], args[1], new V2InferRequest(r.inputs(), r.outputs(),
                r.priority(), r.timeoutMicros(), new RequestContext(c.id(), c.headers(),
                    c.parameters(), c.deadlineNanos(), c.cancelled(), Runnable::run))};
          }
          Object result;
          try {
            result = method.invoke(api, a);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
          if (result instanceof CompletableFuture<?> f) {
            try {
              return CompletableFuture.completedFuture(f.get(60, TimeUnit.SECONDS));
            } catch (ExecutionException e) {
              return CompletableFuture.failedFuture(e.getCause());
            } catch (TimeoutException e) {
              throw new AssertionError(method.getName() + " did not answer within 60 s");
            }
          }
          return result;
        });
  }

  @Override
  public void close() {
    server.close();
    try (Stream<Path> files = Files.walk(root)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // A temporary folder: left behind at worst.
    }
  }

  public static void copy(Path from, Path to) {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
