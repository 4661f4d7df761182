package io.sluice.gateway.http;

/**
 * Fired down every connection's pipeline when the server begins a graceful shutdown; {@link
 * RequestDispatcher} then closes the connection once it has nothing left to answer.
 */
enum DrainEvent {
  INSTANCE
}
