package io.sluice.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sluice traffic|promote|rollback|rollout}: the rollout admin API from a shell, talking to a
 * running server over HTTP with the JDK's client. Each prints the server's traffic document (or
 * its error) and exits 0 on a 2xx, 1 otherwise.
 */
final class TrafficCommands {
  private static final ObjectMapper JSON = new ObjectMapper();

  private TrafficCommands() {}

  /** What every command needs: where the server is, which model, and the admin token. */
  abstract static class AdminCall implements Callable<Integer> {
    @Option(names = "--url", defaultValue = "http://127.0.0.1:8000",
        description = "the server's HTTP address (default: ${DEFAULT-VALUE})")
    URI url;

    @Option(names = "--model", required = true, description = "the model")
    String model;

    @Option(names = "--token-file",
        description = "a file holding the admin bearer token (the server's --admin-token-file)")
    Path tokenFile;

    /** Sends one request and prints the answer. */
    int send(String method, String path, String body) throws IOException, InterruptedException {
      String base = url.toString().replaceAll("/+$", "");
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/v2/models/"
              + URLEncoder.encode(model, StandardCharsets.UTF_8).replace("+", "%20") + path))
          .timeout(Duration.ofSeconds(30))
          .header("Content-Type", "application/json")
          .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofString(body));
      if (tokenFile != null) {
        b.header("Authorization",
            "Bearer " + Files.readString(tokenFile, StandardCharsets.UTF_8).strip());
      }
      HttpResponse<String> r = HttpClient.newHttpClient().send(b.build(),
          HttpResponse.BodyHandlers.ofString());
      boolean ok = r.statusCode() / 100 == 2;
      (ok ? System.out : System.err).println(ok ? pretty(r.body())
          : "HTTP " + r.statusCode() + ": " + r.body());
      return ok ? 0 : 1;
    }

    private static String pretty(String body) {
      try {
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(JSON.readTree(body));
      } catch (IOException e) {
        return body;
      }
    }
  }

  @Command(name = "traffic", mixinStandardHelpOptions = true,
      description = "Show a model's traffic policy and live state, or put a new policy"
          + " (--set FILE, - for stdin).")
  static final class Traffic extends AdminCall {
    @Option(names = "--set", description = "a policy JSON file to put in force; - reads stdin")
    String set;

    @Override
    public Integer call() throws Exception {
      if (set == null) {
        return send("GET", "/traffic", null);
      }
      String body = set.equals("-")
          ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
          : Files.readString(Path.of(set), StandardCharsets.UTF_8);
      return send("PUT", "/traffic", body);
    }
  }

  @Command(name = "promote", mixinStandardHelpOptions = true,
      description = "Make a candidate the stable version (default: the only candidate).")
  static final class Promote extends AdminCall {
    @Option(names = "--version", description = "the candidate to promote")
    String version;

    @Override
    public Integer call() throws Exception {
      ObjectNode body = JSON.createObjectNode();
      if (version != null) {
        body.put("version", version);
      }
      return send("POST", "/promote", body.toString());
    }
  }

  @Command(name = "rollback", mixinStandardHelpOptions = true,
      description = "Set a candidate's weight to 0 (default: every candidate).")
  static final class Rollback extends AdminCall {
    @Option(names = "--version", description = "the candidate to roll back")
    String version;

    @Option(names = "--reason", defaultValue = "manual", description = "why, for the log")
    String reason;

    @Override
    public Integer call() throws Exception {
      ObjectNode body = JSON.createObjectNode();
      if (version != null) {
        body.put("version", version);
      }
      body.put("reason", reason);
      return send("POST", "/rollback", body.toString());
    }
  }

  @Command(name = "rollout", mixinStandardHelpOptions = true,
      description = "Roll a candidate out: shadow, then canary steps, each gated on the guards,"
          + " then promote.")
  static final class Rollout extends AdminCall {
    @Option(names = "--candidate", required = true, description = "the version to roll out")
    String candidate;

    @Option(names = "--shadow-seconds", defaultValue = "30",
        description = "how long it runs as a shadow first (default: ${DEFAULT-VALUE})")
    int shadowSeconds;

    @Option(names = "--step-seconds", defaultValue = "60",
        description = "how long each canary step is held (default: ${DEFAULT-VALUE})")
    int stepSeconds;

    @Option(names = "--steps", split = ",", defaultValue = "5,25,50",
        description = "the canary weights, in percent (default: ${DEFAULT-VALUE})")
    double[] steps;

    @Override
    public Integer call() throws Exception {
      ObjectNode body = JSON.createObjectNode();
      body.put("candidate", candidate);
      body.put("shadow_s", shadowSeconds);
      body.put("step_s", stepSeconds);
      var array = body.putArray("steps");
      for (double w : steps) {
        array.add(w);
      }
      return send("POST", "/rollout", body.toString());
    }
  }
}
