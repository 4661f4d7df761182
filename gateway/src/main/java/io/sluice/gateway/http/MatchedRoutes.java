package io.sluice.gateway.http;

import io.netty.handler.codec.http.HttpHeaders;

/**
 * One connection's routes that {@link AdmissionGuard} matched at a request's head, for {@link
 * RequestDispatcher} to take when the complete request reaches it, so a path is parsed once.
 *
 * <p>A request is known by its headers object, which its head and the aggregated request share
 * (compared by identity, never by content). HTTP/1.1 pipelining can put several heads ahead of
 * the dispatcher, so routes wait in arrival order, at most {@link #CAPACITY}; a route whose
 * request never reaches the dispatcher (answered early by a body limit, say) is dropped when a
 * later one is taken or when the ring is full. A request not found here is simply routed by the
 * dispatcher, so a miss costs a parse, never a wrong answer. Event-loop confined; two fixed
 * arrays, nothing allocated per request.
 */
final class MatchedRoutes {
  static final int CAPACITY = 16;

  private final HttpHeaders[] keys = new HttpHeaders[CAPACITY];
  private final Route[] routes = new Route[CAPACITY];
  /** The slot of the oldest entry, and how many there are. */
  private int first;
  private int size;

  /** Remembers {@code route} for the request whose head carries {@code key}. */
  void put(HttpHeaders key, Route route) {
    if (size == CAPACITY) {
      drop();
    }
    int slot = (first + size) % CAPACITY;
    keys[slot] = key;
    routes[slot] = route;
    size++;
  }

  /**
   * The route remembered for the request with {@code key}, or null; on a hit, that entry and the
   * older ones (requests that will never come) are forgotten, on a miss nothing is.
   */
  Route take(HttpHeaders key) {
    for (int i = 0; i < size; i++) {
      int slot = (first + i) % CAPACITY;
      if (keys[slot] == key) {
        Route route = routes[slot];
        for (int j = 0; j <= i; j++) {
          drop();
        }
        return route;
      }
    }
    return null;
  }

  /** Forgets everything: the connection has closed. */
  void clear() {
    while (size > 0) {
      drop();
    }
  }

  int size() {
    return size;
  }

  private void drop() {
    keys[first] = null;
    routes[first] = null;
    first = (first + 1) % CAPACITY;
    size--;
  }
}
