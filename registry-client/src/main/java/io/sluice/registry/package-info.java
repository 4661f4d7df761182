/**
 * Where model versions come from, with no knowledge of inference: a repository names its models and
 * resolves each one to a configuration and a list of version folders on local disk.
 *
 * <p>Start reading at {@link io.sluice.registry.ModelRepository} (the seam every registry
 * implements), then {@link io.sluice.registry.LocalModelRepository} (a Triton-style folder: {@code
 * <root>/<model>/config.pbtxt} and numeric version folders), which leans on {@link
 * io.sluice.registry.ConfigPbtxt} (strict text-format parsing of {@code config.pbtxt} into the
 * proto's {@code ModelConfig}) and {@link io.sluice.registry.VersionPolicies} (Triton's {@code
 * version_policy}). What a resolve returns is a {@link io.sluice.registry.ModelSource} holding
 * {@link io.sluice.registry.VersionSource}s; what it throws is a {@link
 * io.sluice.registry.RepositoryException} whose {@link io.sluice.registry.RepositoryException.Kind}
 * the gateway maps to a protocol status.
 */
package io.sluice.registry;
