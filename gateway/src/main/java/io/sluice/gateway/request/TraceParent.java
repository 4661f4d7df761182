package io.sluice.gateway.request;

/**
 * A W3C Trace Context {@code traceparent} value, validated: {@code version "-" trace-id "-"
 * parent-id "-" trace-flags}, lower-case hex of 2, 32, 16 and 2 digits. A trace id or parent id of
 * all zeros and version {@code ff} are invalid; a version above {@code 00} may carry more fields
 * after the flags (the spec's forward compatibility), version {@code 00} may not. An invalid value
 * is treated as absent ({@link #parse} answers null), never as an error: tracing is the caller's
 * business and must not fail a request.
 *
 * <p>Parsed off the request path (the monitor thread, error logging); a request without the header
 * never reaches here.
 *
 * @param traceId the 32 hex digits of the trace id
 * @param spanId the 16 hex digits of the caller's span (the W3C {@code parent-id})
 * @param flags the trace flags byte ({@code 01}: sampled)
 */
public record TraceParent(String traceId, String spanId, int flags) {
  private static final int LENGTH_00 = 55;

  /** The parsed value, or null when {@code header} is null or not a valid {@code traceparent}. */
  public static TraceParent parse(String header) {
    if (header == null) {
      return null;
    }
    // Surrounding optional whitespace is allowed around a header value; nothing inside it.
    String h = header.strip();
    if (h.length() < LENGTH_00
        || h.charAt(2) != '-' || h.charAt(35) != '-' || h.charAt(52) != '-') {
      return null;
    }
    int version = hex(h, 0, 2);
    if (version < 0 || version == 0xff) {
      return null;
    }
    if (h.length() > LENGTH_00 && (version == 0 || h.charAt(LENGTH_00) != '-')) {
      return null;
    }
    int flags = hex(h, 53, 55);
    if (flags < 0 || !hexDigits(h, 3, 35) || !hexDigits(h, 36, 52)) {
      return null;
    }
    String traceId = h.substring(3, 35);
    String spanId = h.substring(36, 52);
    if (allZeros(traceId) || allZeros(spanId)) {
      return null;
    }
    return new TraceParent(traceId, spanId, flags);
  }

  /**
   * The value as a version-00 {@code traceparent} header, the form an error answer carries back
   * (a later version's extra fields are not ours to repeat).
   */
  public String header() {
    return "00-" + traceId + "-" + spanId + "-" + HEX[flags >> 4] + HEX[flags & 0xf];
  }

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  /** Whether the caller sampled this trace. */
  public boolean sampled() {
    return (flags & 1) != 0;
  }

  private static int hex(String s, int from, int to) {
    int v = 0;
    for (int i = from; i < to; i++) {
      int d = digit(s.charAt(i));
      if (d < 0) {
        return -1;
      }
      v = v * 16 + d;
    }
    return v;
  }

  private static boolean hexDigits(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      if (digit(s.charAt(i)) < 0) {
        return false;
      }
    }
    return true;
  }

  /** Lower-case hex only: the spec forbids upper case. */
  private static int digit(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    return -1;
  }

  private static boolean allZeros(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) != '0') {
        return false;
      }
    }
    return true;
  }
}
