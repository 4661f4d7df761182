package io.sluice.gateway.core;

/**
 * The three places the routing package plugs into the core: the admin API over traffic
 * policies, the call that runs a request on its version (fault injection), and the sink of shadow
 * copies. The version choice itself is the model's {@link io.sluice.gateway.model.VersionSelector}.
 */
public record RoutingHooks(TrafficControl control, FaultInjector faults, ShadowSink shadows) {
  /** No routing: UNIMPLEMENTED admin calls, no faults, no shadows. */
  public static final RoutingHooks NONE =
      new RoutingHooks(new TrafficControl() {}, FaultInjector.NONE, ShadowSink.NONE);
}
