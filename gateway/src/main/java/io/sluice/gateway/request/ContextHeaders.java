package io.sluice.gateway.request;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The HTTP headers and gRPC metadata keys the decoders copy into a {@link RequestContext}. Only
 * these are kept, so an unused header costs nothing downstream; the W3C trace context and the
 * routing pin ({@value #PIN}) are always among them.
 */
public final class ContextHeaders {
  public static final String TRACEPARENT = "traceparent";
  public static final String TRACESTATE = "tracestate";
  /** The tester's pin to one version (traffic routing), read whatever else is configured. */
  public static final String PIN = "x-sluice-version";

  private final List<String> names;

  private ContextHeaders(Set<String> names) {
    this.names = List.copyOf(names);
  }

  /** The trace context and the pin plus {@code extra} (case-insensitive; stored in lower case). */
  public static ContextHeaders of(List<String> extra) {
    Set<String> all = new TreeSet<>(List.of(TRACEPARENT, TRACESTATE, PIN));
    for (String name : extra) {
      String n = name.strip().toLowerCase(Locale.ROOT);
      if (n.isEmpty() || n.startsWith(":") || n.endsWith("-bin")) {
        throw new IllegalArgumentException(
            "context header '" + name + "' (expected: a plain header name, not a pseudo-header"
                + " or binary metadata)");
      }
      all.add(n);
    }
    return new ContextHeaders(all);
  }

  /** Only the trace context and the pin. */
  public static ContextHeaders defaults() {
    return of(List.of());
  }

  /** The names to read, in lower case. */
  public List<String> names() {
    return names;
  }

  /**
   * The configured headers present on a request, by lower-case name; null when none is (no map
   * for the common request that carries none).
   *
   * @param lookup a header's value by lower-case name, null when absent
   */
  public Map<String, String> read(Function<String, String> lookup) {
    Map<String, String> found = null;
    for (int i = 0, n = names.size(); i < n; i++) {
      String value = lookup.apply(names.get(i));
      if (value != null) {
        if (found == null) {
          found = new HashMap<>();
        }
        found.put(names.get(i), value);
      }
    }
    return found;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ContextHeaders other && names.equals(other.names);
  }

  @Override
  public int hashCode() {
    return names.hashCode();
  }

  @Override
  public String toString() {
    return names.toString();
  }
}
