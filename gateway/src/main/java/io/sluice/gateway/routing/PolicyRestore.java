package io.sluice.gateway.routing;

import com.fasterxml.jackson.core.JsonGenerator;
import io.sluice.gateway.model.ModelManager;
import io.sluice.gateway.model.ModelRecord;
import io.sluice.gateway.model.VersionEntry;
import io.sluice.gateway.routing.TrafficPolicy.Candidate;
import io.sluice.gateway.routing.TrafficPolicy.Shadow;
import io.sluice.runtime.StatusException;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts the saved policies back in force at start, once the models have loaded, and remembers
 * how each went for the traffic status ({@code "restored"}). A saved policy is checked as a PUT
 * would be, but a restart must not be refused, so what no longer fits is given up piece by piece
 * and said: a candidate that is not loaded is rolled back at once (reason {@code not_loaded}),
 * a shadow that is not loaded or a sticky header the server no longer reads is dropped, and a
 * policy whose stable version is not loaded (or that does not parse) is not put at all: the
 * model's default version serves, and the file stays for an operator to fix or replace.
 */
final class PolicyRestore {
  private static final Logger log = LoggerFactory.getLogger(PolicyRestore.class);

  /** How one model's restore went. */
  record Outcome(boolean restored, List<String> problems, Instant at) {}

  private final TrafficTable table;
  private final PolicyStore store;
  private final Clock clock;
  private final Map<String, Outcome> outcomes = new ConcurrentHashMap<>();

  /** {@code store} null: nothing is saved, so nothing is restored. */
  PolicyRestore(TrafficTable table, PolicyStore store, Clock clock) {
    this.table = table;
    this.store = store;
    this.clock = clock;
  }

  /** Restores every saved policy; {@code readHeaders} are the headers this server reads. */
  void run(ModelManager models, Set<String> readHeaders) {
    if (store == null) {
      return;
    }
    for (Map.Entry<String, byte[]> e : store.loadAll().entrySet()) {
      restore(models, readHeaders, e.getKey(), e.getValue());
    }
  }

  private void restore(ModelManager models, Set<String> readHeaders, String model,
      byte[] saved) {
    ModelRecord r;
    try {
      r = models.record(model);
    } catch (StatusException e) {
      log.warn("saved traffic policy {} names model '{}', which is not loaded: left on disk",
          store.file(model), model);
      return;
    }
    if (table.state(model) != null) {
      note(model, false, List.of("a policy was put before the saved one could be restored"));
      return;
    }
    TrafficPolicy p;
    try {
      p = PolicyJson.parse(saved);
    } catch (StatusException e) {
      note(model, false, List.of("the saved policy does not parse: " + e.status().description()));
      return;
    }
    if (!isReady(r, p.stable())) {
      note(model, false, List.of("stable version " + p.stable() + " is not loaded (READY: "
          + TrafficAdmin.readyVersions(r) + "); the default version serves"));
      return;
    }
    List<String> problems = new ArrayList<>();
    List<Shadow> shadows = new ArrayList<>();
    for (Shadow s : p.shadows()) {
      if (isReady(r, s.version())) {
        shadows.add(s);
      } else {
        problems.add("shadow version " + s.version() + " is not loaded: dropped");
      }
    }
    String sticky = p.stickyHeader();
    if (sticky != null && !readHeaders.contains(sticky)) {
      problems.add("sticky header '" + sticky + "' is not read by this server"
          + " (--context-headers): dropped");
      sticky = null;
    }
    table.put(model, new TrafficPolicy(p.stable(), p.candidates(), shadows, sticky, p.guards(),
        p.comparison()));
    for (Candidate c : p.candidates()) {
      if (!isReady(r, c.version())) {
        String detail = "version " + c.version() + " was not loaded when the saved policy was"
            + " restored";
        table.rollback(model, c.version(), "not_loaded", detail);
        problems.add("candidate version " + c.version() + " is not loaded: rolled back");
      }
    }
    note(model, true, problems);
  }

  private void note(String model, boolean restored, List<String> problems) {
    outcomes.put(model, new Outcome(restored, List.copyOf(problems), clock.instant()));
    if (problems.isEmpty()) {
      log.info("restored the traffic policy of model '{}' from {}", model, store.file(model));
    } else {
      log.warn("{} the traffic policy of model '{}' from {}: {}",
          restored ? "restored" : "did not restore", model, store.file(model), problems);
    }
  }

  private static boolean isReady(ModelRecord r, long version) {
    VersionEntry v = r.versions().get(version);
    return v != null && v.isReady();
  }

  /** {@code "restored": {…}} when a saved policy of the model was found at start. */
  void write(String model, JsonGenerator g) throws IOException {
    Outcome o = outcomes.get(model);
    if (o == null) {
      return;
    }
    g.writeObjectFieldStart("restored");
    g.writeBooleanField("restored", o.restored());
    g.writeStringField("at", o.at().toString());
    g.writeArrayFieldStart("problems");
    for (String p : o.problems()) {
      g.writeString(p);
    }
    g.writeEndArray();
    g.writeEndObject();
  }
}
