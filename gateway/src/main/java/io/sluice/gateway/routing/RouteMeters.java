package io.sluice.gateway.routing;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.gateway.core.InferenceEvent;
import io.sluice.gateway.core.InferenceListener;
import io.sluice.gateway.model.LoadedVersion;
import io.sluice.gateway.model.Selection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code sluice_routed_requests_total{model,version,route,outcome}}: each primary answer by the
 * route that chose its version, so a dashboard splits a version's traffic and errors into
 * stable, canary and pinned. The counters of a version are looked up once and kept with it.
 */
final class RouteMeters implements InferenceListener {
  private final MeterRegistry meters;
  // By name, then number: holding the LoadedVersion would keep retired versions alive.
  private final Map<String, Map<Long, Counter[]>> counters = new ConcurrentHashMap<>();

  RouteMeters(MeterRegistry meters) {
    this.meters = meters;
  }

  @Override
  public void onInference(InferenceEvent e) {
    if (e.role() != InferenceEvent.Role.PRIMARY) {
      return;
    }
    LoadedVersion v = e.version();
    Counter[] c = counters.computeIfAbsent(v.name(), k -> new ConcurrentHashMap<>())
        .computeIfAbsent(v.version(), k -> register(v));
    c[e.route().ordinal() * 2 + (e.succeeded() ? 0 : 1)].increment();
  }

  private Counter[] register(LoadedVersion v) {
    Selection.Route[] routes = Selection.Route.values();
    Counter[] c = new Counter[routes.length * 2];
    for (Selection.Route r : routes) {
      for (int failed = 0; failed < 2; failed++) {
        c[r.ordinal() * 2 + failed] = Counter.builder("sluice_routed_requests")
            .description("inference answers by the route that chose the version")
            .tags("model", v.name(), "version", v.versionString(), "route", r.label(),
                "outcome", failed == 0 ? "success" : "failure")
            .register(meters);
      }
    }
    return c;
  }
}
