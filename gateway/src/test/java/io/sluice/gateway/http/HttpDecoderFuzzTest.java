package io.sluice.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.FullHttpResponse;
import io.sluice.gateway.core.ServingApi;
import io.sluice.gateway.fuzz.Answers;
import io.sluice.gateway.fuzz.FuzzServer;
import io.sluice.gateway.fuzz.LeakRecorder;
import io.sluice.gateway.fuzz.LogCapture;
import io.sluice.gateway.fuzz.Mutator;
import io.sluice.gateway.fuzz.Seeds;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The HTTP decoders under a seeded mutator: valid V2 requests for every example model (JSON data
 * and the binary extension), mutated, through the real pipeline ({@link
 * HttpPipelineConfigurator#configure} in an {@code EmbeddedChannel}) onto the real server (ONNX
 * Runtime). For every request: exactly one answer, never a 5xx other than 503 (overload) and 501
 * (a feature Sluice does not implement), an error body {@code {"error":…}} naming no class, URL
 * or server path and not the decoder's catch-all, every request buffer released; after each
 * batch the good requests still succeed, no {@code ByteBuf} leaked (paranoid leak detection,
 * {@link LeakRecorder}) and nothing was logged above debug.
 *
 * <p>Runs in the surefire execution {@code fuzz} (gateway's pom), not with the unit tests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpDecoderFuzzTest {
  private static final int BATCH = 400;
  private static final long TIME_CAP_NANOS = 15_000_000_000L;
  private static final ObjectMapper JSON = new ObjectMapper();

  private FuzzServer fuzz;
  private ServingApi api;
  private List<Seeds.Model> models;
  private final HttpConfig config = HttpConfig.ofDefaults().withMaxBodyBytes(1 << 20);

  @BeforeAll
  void start() throws Exception {
    fuzz = new FuzzServer();
    api = fuzz.synchronousApi();
    models = Seeds.models(api);
    LeakRecorder.collect();
  }

  @AfterAll
  void stop() {
    fuzz.close();
  }

  /** One mutated request and what it should get. */
  private record Case(String what, byte[] raw, boolean truncated) {}

  @Test
  void mutatedJsonRequestsAreAnsweredCleanly() {
    run("json", FuzzServer.SEED, FuzzServer.iterations(3500), m -> {
      Seeds.Model model = m.pick(models);
      byte[] body = m.mutateJson(model.json());
      return frame(m, model.name(), body, null);
    });
  }

  @Test
  void mutatedBinaryRequestsAreAnsweredCleanly() {
    run("binary", FuzzServer.SEED + 1, FuzzServer.iterations(4000), m -> {
      Seeds.Model model = m.pick(models);
      byte[][] seed = model.binary();
      byte[] header = m.chance(0.8) ? m.mutateJson(seed[0]) : seed[0];
      byte[] data = m.chance(0.35) ? m.mutateBytes(seed[1]) : seed[1];
      String length = Integer.toString(header.length);
      if (m.chance(0.25)) {
        length = m.pick(List.of("-1", "0", Integer.toString(header.length - 1),
            Integer.toString(header.length + 1), Integer.toString(header.length + data.length),
            Integer.toString(header.length + data.length + 1), "2147483648",
            "99999999999999999999", "abc", "", " 12 ", "0x10"));
      }
      return frame(m, model.name(), Mutator.concat(header, data), length);
    });
  }

  private Case frame(Mutator m, String model, byte[] body, String headerLength) {
    String path = "/v2/models/" + model + "/infer";
    if (m.chance(0.04)) {
      path = m.pick(List.of("/v2/models/" + model + "/versions/1/infer",
          "/v2/models/" + model + "/versions/99/infer",
          "/v2/models/" + model + "/versions/abc/infer",
          "/v2/models/" + model + "/versions/99999999999999999999/infer",
          "/v2/models/nope/infer", "/v2/models/%2e%2e/infer", "/v2/models/%zz/infer",
          "/v2/models/" + model + "%00/infer", "/v2/models//infer"));
    }
    StringBuilder head = new StringBuilder("POST ").append(path)
        .append(" HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n");
    if (headerLength != null) {
      head.append(InferRequestDecoder.HEADER_CONTENT_LENGTH).append(": ").append(headerLength)
          .append("\r\n");
    }
    byte[] payload = body;
    boolean truncated = false;
    boolean chunked = false;
    String framing = "";
    if (m.chance(0.08)) {
      switch (m.nextInt(5)) {
        case 0 -> {
          payload = gzip(body);
          head.append("Content-Encoding: gzip\r\n");
          framing = " gzip";
        }
        case 1 -> {
          payload = m.mutateBytes(gzip(body));
          head.append("Content-Encoding: gzip\r\n");
          framing = " corrupt-gzip";
        }
        case 2 -> {
          chunked = true;
          framing = " chunked";
        }
        case 3 -> {
          truncated = true;
          framing = " truncated";
        }
        default -> {
          head.append("Content-Encoding: ").append(m.pick(List.of("br", "zstd", "x", "deflate")))
              .append("\r\n");
          framing = " odd-encoding";
        }
      }
    }
    byte[] raw;
    if (chunked) {
      head.append("Transfer-Encoding: chunked\r\n\r\n");
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      int half = payload.length / 2;
      out.writeBytes((Integer.toHexString(half) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.write(payload, 0, half);
      out.writeBytes(("\r\n" + Integer.toHexString(payload.length - half) + "\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      out.write(payload, half, payload.length - half);
      out.writeBytes("\r\n0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      raw = out.toByteArray();
    } else {
      int declared = truncated ? payload.length + 1 + m.nextInt(100) : payload.length;
      head.append("Content-Length: ").append(declared).append("\r\n\r\n");
      raw = Mutator.concat(head.toString().getBytes(StandardCharsets.ISO_8859_1), payload);
    }
    if (m.chance(0.02)) {
      raw = m.mutateBytes(raw);
      framing += " raw-bytes";
      // The framing itself may now promise more bytes than were sent: no answer is then right.
      truncated = true;
    }
    return new Case(model + framing, raw, truncated);
  }

  private void run(String target, long seed, int iterations, Function<Mutator, Case> next) {
    Mutator m = new Mutator(seed);
    Map<Integer, Integer> statuses = new TreeMap<>();
    Map<String, Integer> reasons = new TreeMap<>();
    long start = System.nanoTime();
    int done = 0;
    try (LogCapture logs = new LogCapture()) {
      for (int i = 0; i < iterations; i++) {
        if (System.nanoTime() - start > TIME_CAP_NANOS) {
          break;
        }
        long t0 = System.nanoTime();
        Case c = next.apply(m);
        long t1 = System.nanoTime();
        String where = target + " seed " + seed + " iteration " + i + " (" + c.what() + "): "
            + Mutator.text(c.raw(), 600);
        Integer status = answer(c, where, reasons);
        long t2 = System.nanoTime();
        if (t2 - t0 > 1_000_000_000L) {
          System.out.printf("slow: mutate %.1f s, answer %.1f s: %s%n", (t1 - t0) / 1e9,
              (t2 - t1) / 1e9, Mutator.text(c.raw(), 2000));
        }
        statuses.merge(status, 1, Integer::sum);
        done++;
        if ((i + 1) % BATCH == 0 || i == iterations - 1) {
          afterBatch(logs, target + " up to iteration " + i);
        }
      }
      afterBatch(logs, target + " at the end");
    }
    System.out.printf("HTTP %s fuzz: %d requests in %.1f s, statuses %s%n", target, done,
        (System.nanoTime() - start) / 1e9, statuses);
    reasons.forEach((r, n) -> System.out.printf("  %5d  %s%n", n, r));
    assertThat(done).as("requests fuzzed").isPositive();
  }

  /** Sends one case on a fresh connection; returns the status (0: no answer, truncated body). */
  private Integer answer(Case c, String where, Map<String, Integer> reasons) {
    EmbeddedHttp http = new EmbeddedHttp(config, api);
    http.send(c.raw());
    FullHttpResponse r = http.response();
    while (r != null && r.status().code() == 100) {
      r = http.response();
    }
    int status;
    if (r == null) {
      assertThat(c.truncated()).as("an answer to %s", where).isTrue();
      // The client goes away with its body half sent: nothing is answered, nothing leaks.
      http.server.close();
      status = 0;
    } else {
      status = r.status().code();
      assertThat(status).as("status of %s", where)
          .satisfiesAnyOf(
              s -> assertThat(s).isBetween(200, 499),
              s -> assertThat(s).isIn(501, 503));
      if (status != 200) {
        String body = EmbeddedHttp.body(r);
        String error = errorOf(body, where);
        String problem = Answers.problem(error, fuzz.root);
        assertThat(problem).as("error answer %s to %s", error, where).isNull();
        reasons.merge(status + " " + firstWords(error), 1, Integer::sum);
      }
    }
    if (c.truncated()) {
      // Bytes past the first request (a mutation may duplicate a range) wait in the decoder for
      // a next request that never comes: the client leaves, and they must be released then.
      http.server.close();
      // Those bytes may also have made whole requests, answered after the first: read them all.
      while (http.response() != null) {
        continue;
      }
    }
    try {
      http.assertClean();
    } catch (AssertionError e) {
      throw new AssertionError("after " + where + " (status " + status + "): " + e.getMessage(), e);
    } finally {
      http.releaseChannels();
    }
    return status;
  }

  private static String errorOf(String body, String where) {
    JsonNode node;
    try {
      node = JSON.readTree(body);
    } catch (IOException e) {
      throw new AssertionError("error body of " + where + " is not JSON: " + body, e);
    }
    assertThat(node.path("error").isTextual()).as("{\"error\":…} in %s for %s", body, where)
        .isTrue();
    return node.get("error").textValue();
  }

  /** The message's opening words without quoted values, to group answers in the summary. */
  static String firstWords(String error) {
    String s = error.replaceAll("'[^']*'", "'…'").replaceAll("\"[^\"]*\"", "\"…\"")
        .replaceAll("\\d+", "N");
    return s.length() > 90 ? s.substring(0, 90) : s;
  }

  private void afterBatch(LogCapture logs, String when) {
    for (Seeds.Model model : models) {
      assertGood(model.name(), model.json(), null, when);
      byte[][] binary = model.binary();
      assertGood(model.name(), Mutator.concat(binary[0], binary[1]),
          Integer.toString(binary[0].length), when);
    }
    if (LeakRecorder.installed()) {
      assertThat(LeakRecorder.collect()).as("ByteBuf leaks %s", when).isEmpty();
    }
    assertThat(logs.problems()).as("WARN/ERROR lines or stack traces logged %s", when).isEmpty();
  }

  private void assertGood(String model, byte[] body, String headerLength, String when) {
    StringBuilder head = new StringBuilder("POST /v2/models/" + model + "/infer HTTP/1.1\r\n"
        + "Host: x\r\nContent-Length: " + body.length + "\r\n");
    if (headerLength != null) {
      head.append(InferRequestDecoder.HEADER_CONTENT_LENGTH).append(": ").append(headerLength)
          .append("\r\n");
    }
    head.append("\r\n");
    EmbeddedHttp http = new EmbeddedHttp(config, api);
    http.send(Mutator.concat(head.toString().getBytes(StandardCharsets.ISO_8859_1), body));
    FullHttpResponse r = http.response();
    assertThat(r).as("an answer to the good request for %s %s", model, when).isNotNull();
    assertThat(r.status().code()).as("the good request for %s %s: %s", model, when,
        EmbeddedHttp.body(r)).isEqualTo(200);
    http.assertClean();
  }

  private static byte[] gzip(byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(body);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return out.toByteArray();
  }
}
