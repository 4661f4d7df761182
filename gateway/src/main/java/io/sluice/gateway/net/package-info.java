/**
 * Connection hygiene shared by the HTTP and gRPC front ends: how many connections each server
 * keeps open.
 *
 * <p>Start reading at {@link io.sluice.gateway.net.ConnectionLimiter}, the handler on a listening
 * socket that counts accepted connections and refuses those over the cap before they get a
 * pipeline. The per-request timeouts and body limits are HTTP's own and live in {@code
 * io.sluice.gateway.http}.
 */
package io.sluice.gateway.net;
