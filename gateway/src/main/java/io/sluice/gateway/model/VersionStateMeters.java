package io.sluice.gateway.model;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * {@code sluice_model_version_state{model,version,state}}: 1 for the state each version is in, 0
 * for the others, so a dashboard sees a swap (loading, ready, draining) and a refused version
 * (failed). Rewritten by the lifecycle thread after each change; a version no longer known
 * disappears.
 */
final class VersionStateMeters {
  private final MultiGauge gauge;

  VersionStateMeters(MeterRegistry registry) {
    this.gauge = MultiGauge.builder("sluice_model_version_state")
        .description("1 for the lifecycle state each model version is in, 0 for the others")
        .register(registry);
  }

  void update(Collection<ModelRecord> records) {
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    for (ModelRecord r : records) {
      for (VersionEntry v : r.versions().values()) {
        for (VersionState s : VersionState.values()) {
          rows.add(MultiGauge.Row.of(Tags.of("model", r.name(), "version",
              Long.toString(v.version()), "state", s.name().toLowerCase(Locale.ROOT)),
              v.state() == s ? 1 : 0));
        }
      }
    }
    gauge.register(rows, true);
  }
}
