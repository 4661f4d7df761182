/**
 * Who may change the server, and how its connections are encrypted: the admin guard in front of
 * the control plane (a bearer token from a file, else loopback only), TLS and mutual TLS from PEM
 * files, and the polling that reloads both from disk without a restart. Start reading at {@link
 * io.sluice.gateway.security.ServerSecurity}, which the HTTP and gRPC front ends are given.
 */
package io.sluice.gateway.security;
