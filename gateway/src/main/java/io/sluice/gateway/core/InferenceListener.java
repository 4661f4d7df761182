package io.sluice.gateway.core;

/**
 * Told of every finished inference, on the request's completion thread (an event loop). It must
 * never block and must copy what it keeps (see {@link InferenceEvent}); a slow consumer hands
 * off through a bounded queue that drops, and counts, rather than waits. Listeners are
 * registered once, at start-up; statistics and metrics are the first ({@link StatsListener}).
 */
@FunctionalInterface
public interface InferenceListener {
  void onInference(InferenceEvent event);
}
