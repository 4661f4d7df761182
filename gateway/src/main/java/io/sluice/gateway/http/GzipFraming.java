package io.sluice.gateway.http;

import io.netty.handler.codec.compression.DecompressionException;
import java.nio.ByteBuffer;

/**
 * The framing around one gzip member's deflate stream (RFC 1952): the header before it (magic,
 * method, flags and the optional extra field, file name, comment and header CRC) and the CRC-32
 * and length after it, read a byte at a time from whatever part of them each buffer holds.
 *
 * <p>It exists because the JDK reads gzip only as a blocking stream ({@code GZIPInputStream}) and
 * Netty's {@code JdkZlibDecoder} inflates a whole input buffer in one call; {@link BodyInflater}
 * needs to inflate the deflate stream itself, in bounded steps, with a raw {@link
 * java.util.zip.Inflater}. The header is skipped, never stored, so a long name costs no memory.
 */
final class GzipFraming {
  private static final int FHCRC = 0x02;
  private static final int FEXTRA = 0x04;
  private static final int FNAME = 0x08;
  private static final int FCOMMENT = 0x10;
  private static final int RESERVED = 0xe0;
  private static final int FIXED_HEADER_BYTES = 10;
  private static final int TRAILER_BYTES = 8;

  private enum Part { FIXED, EXTRA_LENGTH, EXTRA, NAME, COMMENT, HEADER_CRC, DONE }

  private Part part = Part.FIXED;
  private int flags;
  private int count;
  private int extraLength;
  private long trailer;
  private int trailerBytes;

  /** Ready for the next member's header. */
  void reset() {
    part = Part.FIXED;
    flags = 0;
    count = 0;
    extraLength = 0;
    trailer = 0;
    trailerBytes = 0;
  }

  /** True when no byte of a header has been read since {@link #reset()}. */
  boolean atMemberStart() {
    return part == Part.FIXED && count == 0;
  }

  /**
   * Consumes header bytes from {@code in}.
   *
   * @return true once the whole header has been read; false when {@code in} ran out first
   * @throws DecompressionException when the bytes are not a gzip header
   */
  boolean readHeader(ByteBuffer in) {
    while (part != Part.DONE) {
      if (!in.hasRemaining()) {
        return false;
      }
      int b = in.get() & 0xff;
      switch (part) {
        case FIXED:
          fixedHeaderByte(b);
          break;
        case EXTRA_LENGTH:
          extraLength |= b << (8 * count);
          if (++count == 2) {
            count = 0;
            part = extraLength == 0 ? after(Part.EXTRA) : Part.EXTRA;
          }
          break;
        case EXTRA:
          if (++count == extraLength) {
            count = 0;
            part = after(Part.EXTRA);
          }
          break;
        case NAME:
          if (b == 0) {
            part = after(Part.NAME);
          }
          break;
        case COMMENT:
          if (b == 0) {
            part = after(Part.COMMENT);
          }
          break;
        case HEADER_CRC:
          if (++count == 2) {
            count = 0;
            part = Part.DONE;
          }
          break;
        default:
          throw new IllegalStateException(part.name());
      }
    }
    return true;
  }

  /**
   * Consumes trailer bytes from {@code in}.
   *
   * @return true once all eight have been read
   */
  boolean readTrailer(ByteBuffer in) {
    while (trailerBytes < TRAILER_BYTES && in.hasRemaining()) {
      trailer |= (long) (in.get() & 0xff) << (8 * trailerBytes++);
    }
    return trailerBytes == TRAILER_BYTES;
  }

  /**
   * Checks a complete trailer against what was inflated.
   *
   * @throws DecompressionException when the CRC-32 or the length (mod 2^32) differs
   */
  void checkTrailer(long crc32, long inflatedBytes) {
    if ((trailer & 0xffffffffL) != crc32) {
      throw new DecompressionException("gzip CRC-32 mismatch (expected: the trailer's checksum)");
    }
    if ((trailer >>> 32) != (inflatedBytes & 0xffffffffL)) {
      throw new DecompressionException("gzip length mismatch (expected: the trailer's length)");
    }
  }

  private void fixedHeaderByte(int b) {
    if (count == 0 && b != 0x1f || count == 1 && b != 0x8b) {
      throw new DecompressionException("not gzip (expected: the magic bytes 1f 8b)");
    }
    if (count == 2 && b != 8) {
      throw new DecompressionException("gzip compression method " + b + " (expected: 8, deflate)");
    }
    if (count == 3) {
      if ((b & RESERVED) != 0) {
        throw new DecompressionException("gzip flags " + b + " set reserved bits (expected: none)");
      }
      flags = b;
    }
    if (++count == FIXED_HEADER_BYTES) {
      count = 0;
      part = after(Part.FIXED);
    }
  }

  /** The next header part whose flag is set, after {@code done} (parts are in wire order). */
  private Part after(Part done) {
    if (done.compareTo(Part.EXTRA_LENGTH) < 0 && (flags & FEXTRA) != 0) {
      return Part.EXTRA_LENGTH;
    }
    if (done.compareTo(Part.NAME) < 0 && (flags & FNAME) != 0) {
      return Part.NAME;
    }
    if (done.compareTo(Part.COMMENT) < 0 && (flags & FCOMMENT) != 0) {
      return Part.COMMENT;
    }
    if (done.compareTo(Part.HEADER_CRC) < 0 && (flags & FHCRC) != 0) {
      return Part.HEADER_CRC;
    }
    return Part.DONE;
  }
}
