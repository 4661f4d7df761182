package io.sluice.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a model's Triton statistics ({@code GET /v2/models/<m>/stats}) so a window can report
 * what the server saw: the batch sizes it actually formed and the time of one engine run at each
 * size ({@code batch_stats}), and where a request's server time went ({@code inference_stats}:
 * queue, compute input, infer, output), all differenced over the window.
 */
final class ServerStats implements Session.Stats {
  /** The per-request durations of {@code inference_stats}, in the order a request meets them. */
  static final List<String> STAGES =
      List.of("success", "queue", "compute_input", "compute_infer", "compute_output");

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final URI uri;

  ServerStats(URI uri) {
    this.uri = uri;
  }

  /** A count and a total duration, as Triton's {@code StatisticDuration}. */
  record Counted(long count, long nanos) {
    Counted minus(Counted o) {
      return new Counted(count - o.count, nanos - o.nanos);
    }

    /** Mean µs (one decimal), or null without events. */
    Double meanMicros() {
      return count <= 0 ? null : Math.round(nanos / 100.0 / count) / 10.0;
    }
  }

  /** Cumulative statistics at one moment, summed over the model's versions. */
  record Snapshot(Map<Integer, Counted> batches, Map<String, Counted> stages) {
    static final Snapshot EMPTY = new Snapshot(Map.of(), Map.of());

    /** {@code this - before}, dropping batch sizes with no executions in between. */
    Snapshot minus(Snapshot before) {
      Map<Integer, Counted> b = new TreeMap<>();
      batches.forEach(
          (size, c) -> {
            Counted d = c.minus(before.batches.getOrDefault(size, new Counted(0, 0)));
            if (d.count > 0) {
              b.put(size, d);
            }
          });
      Map<String, Counted> s = new LinkedHashMap<>();
      stages.forEach((k, c) -> s.put(k, c.minus(before.stages.getOrDefault(k, new Counted(0, 0)))));
      return new Snapshot(b, s);
    }

    Map<Integer, Long> executions() {
      Map<Integer, Long> out = new TreeMap<>();
      batches.forEach((size, c) -> out.put(size, c.count));
      return out;
    }

    Map<Integer, Double> inferMicrosPerExecution() {
      Map<Integer, Double> out = new TreeMap<>();
      batches.forEach((size, c) -> out.put(size, c.meanMicros()));
      return out;
    }

    Map<String, Double> stageMicrosPerRequest() {
      Map<String, Double> out = new LinkedHashMap<>();
      stages.forEach((k, c) -> out.put(k, c.meanMicros()));
      return out;
    }
  }

  /** The statistics now; {@link Snapshot#EMPTY} when they cannot be read. */
  @Override
  public Snapshot snapshot() {
    try {
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? parse(r.body()) : Snapshot.EMPTY;
    } catch (IOException e) {
      return Snapshot.EMPTY;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Snapshot.EMPTY;
    }
  }

  static Snapshot parse(String json) throws IOException {
    Map<Integer, Counted> batches = new TreeMap<>();
    Map<String, Counted> stages = new LinkedHashMap<>();
    for (JsonNode model : JSON.readTree(json).path("model_stats")) {
      for (JsonNode b : model.path("batch_stats")) {
        int size = b.path("batch_size").asInt();
        batches.merge(size, counted(b.path("compute_infer")), ServerStats::sum);
      }
      for (String stage : STAGES) {
        stages.merge(stage, counted(model.path("inference_stats").path(stage)), ServerStats::sum);
      }
    }
    return new Snapshot(batches, stages);
  }

  private static Counted counted(JsonNode d) {
    return new Counted(d.path("count").asLong(), d.path("ns").asLong());
  }

  private static Counted sum(Counted a, Counted b) {
    return new Counted(a.count + b.count, a.nanos + b.nanos);
  }
}
