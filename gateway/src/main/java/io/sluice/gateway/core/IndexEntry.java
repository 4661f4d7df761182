package io.sluice.gateway.core;

/**
 * One row of the repository index.
 *
 * @param version the version as a decimal string, "" for a model with no loaded version
 * @param state {@code READY}, {@code UNAVAILABLE}, {@code LOADING} or {@code UNLOADING}
 * @param reason why it is not ready, "" when it is
 */
public record IndexEntry(String name, String version, String state, String reason) {}
