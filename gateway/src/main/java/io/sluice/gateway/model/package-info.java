/**
 * Model lifecycle: which versions are loaded, in which state, and how a repository entry becomes
 * a running scheduler.
 *
 * <p>Start reading at {@link io.sluice.gateway.model.ModelManager}. Loads and unloads run one at a
 * time on a lifecycle thread (never an event loop); a load goes fetch, open backends, autofill
 * the config ({@link io.sluice.gateway.model.AutoFill}), map it to the runtime's records ({@link
 * io.sluice.gateway.model.RuntimeConfigs}), warm up, then publish an immutable snapshot that the
 * request path reads without locks. Old versions are closed (drained) only after the new snapshot
 * is published.
 */
package io.sluice.gateway.model;
