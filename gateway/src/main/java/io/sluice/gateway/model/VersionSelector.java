package io.sluice.gateway.model;

import io.sluice.gateway.request.RequestContext;

/**
 * Picks the version(s) a request goes to. Each {@link ModelRecord} carries its own immutable
 * selector, published with it, so a request reads one consistent table without locking; canary
 * weights, pinning by header, sticky keys and shadows are further implementations of this one
 * method. {@link LatestOrNamedSelector} is the first: the latest READY version, or the one the
 * URL names.
 */
@FunctionalInterface
public interface VersionSelector {

  /**
   * @param requestedVersion the version the URL or message names, "" (or null) for none
   * @param context the request's id, headers, parameters
   * @throws io.sluice.runtime.StatusException NOT_FOUND for an unknown version, UNAVAILABLE for
   *     one that is not ready, INVALID_ARGUMENT for a version that is not a number
   */
  Selection select(String requestedVersion, RequestContext context);
}
