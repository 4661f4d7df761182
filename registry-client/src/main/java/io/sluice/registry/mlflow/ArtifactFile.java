package io.sluice.registry.mlflow;

/**
 * One file of a version's artifacts.
 *
 * @param path relative to the artifact root, '/'-separated, as the server names it (not yet
 *     checked: {@link ModelCache} refuses any that would leave the cache)
 * @param size in bytes as listed, -1 when the listing gave none
 */
public record ArtifactFile(String path, long size) {}
