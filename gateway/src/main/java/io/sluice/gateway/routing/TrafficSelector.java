package io.sluice.gateway.routing;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import io.sluice.gateway.model.LoadedVersion;
import io.sluice.gateway.model.Selection;
import io.sluice.gateway.model.VersionEntry;
import io.sluice.gateway.model.VersionSelector;
import io.sluice.gateway.request.RequestContext;
import io.sluice.gateway.routing.TrafficPolicy.Candidate;
import io.sluice.gateway.routing.TrafficPolicy.Shadow;
import io.sluice.runtime.Status;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.DoubleSupplier;

/**
 * The version selector of one model snapshot under a traffic policy. In order:
 *
 * <ol>
 *   <li>a request whose URL or message names a version gets it (the snapshot's own selector);
 *   <li>{@code x-sluice-version} pins a version: a version that is not READY is NOT_FOUND, never
 *       a fallback;
 *   <li>with no policy, the snapshot's default (latest READY, or the registry's champion);
 *   <li>else a point in [0, 100) — from the sticky key's murmur3 hash, or from the injected
 *       randomness — falls into one arm's interval: candidates in policy order from 0, each as
 *       wide as its weight, stable the rest. A weight change of one candidate moves only the
 *       keys in the interval that changed (and shifts the candidates after it); a rolled-back
 *       candidate's interval goes to stable, so nobody else moves.
 * </ol>
 *
 * The arms are precomputed for each {@link LiveState} the first time a request sees it, so
 * choosing allocates nothing unless a shadow copy is taken. A candidate's selection carries the
 * stable selection as its fallback, where the pipeline retries a failed request once.
 */
final class TrafficSelector implements VersionSelector {
  static final String PIN_HEADER = io.sluice.gateway.request.ContextHeaders.PIN;
  static final String STICKY_PARAMETER = "sticky_key";
  private static final HashFunction MURMUR3 = Hashing.murmur3_32_fixed();
  private static final double TO_PERCENT = 100.0 / 4294967296.0;

  private final String model;
  private final VersionSelector base;
  private final AtomicReference<LiveState> state;
  private final DoubleSupplier random;
  private final Map<Long, LoadedVersion> ready = new HashMap<>();
  private final Map<Long, Selection> pinned = new HashMap<>();
  private volatile Arms arms;

  /** @param random uniform in [0, 1), safe to call from any event loop */
  TrafficSelector(String model, NavigableMap<Long, VersionEntry> versions, VersionSelector base,
      AtomicReference<LiveState> state, DoubleSupplier random) {
    this.model = model;
    this.base = base;
    this.state = state;
    this.random = random;
    for (VersionEntry v : versions.values()) {
      if (v.isReady()) {
        ready.put(v.version(), v.loaded());
        pinned.put(v.version(), Selection.of(v.loaded(), Selection.Route.PINNED));
      }
    }
  }

  @Override
  public Selection select(String requestedVersion, RequestContext context) {
    if (requestedVersion != null && !requestedVersion.isEmpty()) {
      return base.select(requestedVersion, context);
    }
    String pin = context.header(PIN_HEADER);
    if (pin != null) {
      return pinned(pin.strip());
    }
    LiveState live = state.get();
    if (live == null) {
      return base.select(requestedVersion, context);
    }
    Arms a = arms(live);
    if (a.stable == null) {
      // Stable is not loaded (yet, or any more): the snapshot's default serves.
      return base.select(requestedVersion, context);
    }
    if (context == RequestContext.QUERY) {
      return a.stable; // metadata and statistics describe the version in charge
    }
    String key = stickyKey(live.policy(), context);
    double point = key != null ? point(key) : random.getAsDouble() * 100;
    Selection chosen = a.stable;
    for (int i = 0; i < a.bounds.length; i++) {
      if (point < a.bounds[i]) {
        chosen = a.candidates[i];
        break;
      }
    }
    return a.shadows.length == 0 ? chosen : withShadows(a, chosen);
  }

  private Selection withShadows(Arms a, Selection chosen) {
    List<LoadedVersion> copies = null;
    for (int i = 0; i < a.shadows.length; i++) {
      if (a.shadows[i] != chosen.primary() && random.getAsDouble() < a.fractions[i]) {
        if (copies == null) {
          copies = new ArrayList<>(a.shadows.length);
        }
        copies.add(a.shadows[i]);
      }
    }
    return copies == null ? chosen : chosen.withShadows(copies);
  }

  private Selection pinned(String pin) {
    long v;
    try {
      v = Long.parseLong(pin);
    } catch (NumberFormatException e) {
      v = -1;
    }
    if (v < 0) {
      throw Status.invalidArgument(PIN_HEADER + ": '" + pin
          + "' (expected: a version number of model '" + model + "')").asException();
    }
    Selection s = pinned.get(v);
    if (s == null) {
      throw Status.notFound("version " + v + " of model '" + model + "', pinned by "
          + PIN_HEADER + ", is not loaded (expected one of " + new java.util.TreeSet<>(
              ready.keySet()) + ")").asException();
    }
    return s;
  }

  /** The sticky header's value when the policy names one, else the V2 parameter, else null. */
  static String stickyKey(TrafficPolicy policy, RequestContext context) {
    if (policy.stickyHeader() != null) {
      String key = context.header(policy.stickyHeader());
      if (key != null) {
        return key;
      }
    }
    return context.parameters().get(STICKY_PARAMETER);
  }

  /** The key's fixed point in [0, 100): murmur3's 32 bits, scaled. */
  static double point(String key) {
    int h = MURMUR3.hashString(key, StandardCharsets.UTF_8).asInt();
    return (h & 0xFFFFFFFFL) * TO_PERCENT;
  }

  private Arms arms(LiveState live) {
    Arms a = arms;
    if (a == null || a.live != live) {
      a = new Arms(live);
      arms = a;
    }
    return a;
  }

  /** The arms of one live state: upper bounds of the candidates' intervals, their selections. */
  private final class Arms {
    final LiveState live;
    final Selection stable;
    final double[] bounds;
    final Selection[] candidates;
    final LoadedVersion[] shadows;
    final double[] fractions;

    Arms(LiveState live) {
      this.live = live;
      TrafficPolicy p = live.policy();
      LoadedVersion s = ready.get(p.stable());
      this.stable = s == null ? null : Selection.of(s, Selection.Route.STABLE);
      List<Double> b = new ArrayList<>();
      List<Selection> c = new ArrayList<>();
      double upTo = 0;
      for (Candidate cand : p.candidates()) {
        // Intervals follow the configured weights: a candidate rolled back (or not loaded)
        // hands its interval to stable, and every other key stays where it was.
        upTo += cand.weight();
        LoadedVersion v = ready.get(cand.version());
        b.add(upTo);
        c.add(v != null && stable != null && live.weight(cand) > 0
            ? new Selection(v, List.of(), Selection.Route.CANARY, stable) : stable);
      }
      bounds = b.stream().mapToDouble(Double::doubleValue).toArray();
      candidates = c.toArray(new Selection[0]);
      List<LoadedVersion> sh = new ArrayList<>();
      List<Double> fr = new ArrayList<>();
      for (Shadow shadow : p.shadows()) {
        LoadedVersion v = ready.get(shadow.version());
        if (v != null && shadow.fraction() > 0) {
          sh.add(v);
          fr.add(shadow.fraction());
        }
      }
      shadows = sh.toArray(new LoadedVersion[0]);
      fractions = fr.stream().mapToDouble(Double::doubleValue).toArray();
    }
  }
}
