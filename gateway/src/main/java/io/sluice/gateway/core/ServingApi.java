package io.sluice.gateway.core;

/**
 * Everything the HTTP and gRPC front ends need, in protocol-neutral terms, as one view over the
 * four concerns: {@link InferenceApi} (data plane), {@link ModelQueries} (health, metadata,
 * statistics), {@link RepositoryControl} (index, load, unload) and {@link ErrorCounter}, with the
 * {@link FrontDoor}'s overload check. Code
 * and tests that need one concern take that interface alone. Every method is safe to call on an
 * event loop: none blocks.
 */
public interface ServingApi
    extends InferenceApi, ModelQueries, RepositoryControl, ErrorCounter, MonitorQueries,
        TrafficControl, FrontDoor {}
