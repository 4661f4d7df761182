package io.sluice.runtime;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A named tensor: V2 datatype, shape and row-major little-endian bytes. {@link DataType#BYTES}
 * elements are each a 4-byte little-endian length followed by the bytes.
 *
 * <p>A tensor does not own its memory: the buffer may be a slice of a Netty request buffer or of a
 * gRPC message, and whoever created that buffer releases it once the response is written. The
 * buffer is never written through a tensor, so one can be shared across threads.
 */
public final class Tensor {
  private final String name;
  private final DataType type;
  private final long[] shape;
  /** The product of the shape, worked out (and checked) once: listeners ask for it per request. */
  private final long count;
  private final ByteBuffer data;

  private Tensor(String name, DataType type, long[] shape, long count, ByteBuffer data) {
    this.name = name;
    this.type = type;
    this.shape = shape;
    this.count = count;
    this.data = data;
  }

  /**
   * Wraps {@code data} (from its position to its limit) without copying.
   *
   * @throws StatusException INVALID_ARGUMENT when the byte length does not match the shape
   */
  public static Tensor of(String name, DataType type, long[] shape, ByteBuffer data) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(data, "data");
    long[] dims = shape.clone();
    long count = elementCount(name, dims);
    ByteBuffer bytes = data.slice().order(ByteOrder.LITTLE_ENDIAN);
    if (type.isFixedSize()) {
      boolean fits = count <= Long.MAX_VALUE / type.byteSize();
      if (!fits || bytes.remaining() != count * type.byteSize()) {
        throw Status.invalidArgument(
                "input '" + name + "': " + bytes.remaining() + " bytes of " + type
                    + " data for shape " + Arrays.toString(dims) + " (expected: "
                    + (fits ? count * type.byteSize() + " bytes" : count + " elements of "
                        + type.byteSize() + " bytes") + ")")
            .asException();
      }
    } else {
      long found = countBytesElements(name, bytes);
      if (found != count) {
        throw Status.invalidArgument(
                "input '" + name + "': " + found + " BYTES elements for shape "
                    + Arrays.toString(dims) + " (expected: " + count + ")")
            .asException();
      }
    }
    return new Tensor(name, type, dims, count, bytes);
  }

  /**
   * Product of the dimensions.
   *
   * @throws StatusException INVALID_ARGUMENT for a negative dimension or a product that
   *     overflows a long
   */
  public static long elementCount(long[] shape) {
    return elementCount(null, shape);
  }

  /** As {@link #elementCount(long[])}, naming the input {@code name} (null: none) in errors. */
  public static long elementCount(String name, long[] shape) {
    boolean empty = false;
    for (long d : shape) {
      if (d < 0) {
        throw Status.invalidArgument(
                prefix(name) + "shape " + Arrays.toString(shape) + " has a negative dimension"
                    + " (expected: dimensions >= 0)")
            .asException();
      }
      empty |= d == 0;
    }
    if (empty) {
      return 0;
    }
    long n = 1;
    for (long d : shape) {
      if (n > Long.MAX_VALUE / d) {
        throw Status.invalidArgument(
                prefix(name) + "shape " + Arrays.toString(shape) + " has more elements than a"
                    + " long holds (expected: a product of dimensions below 2^63)")
            .asException();
      }
      n *= d;
    }
    return n;
  }

  private static String prefix(String name) {
    return name == null ? "" : "input '" + name + "': ";
  }

  private static long countBytesElements(String name, ByteBuffer bytes) {
    int pos = bytes.position();
    int end = bytes.limit();
    long n = 0;
    while (pos < end) {
      if (end - pos < 4) {
        throw Status.invalidArgument(
                "input '" + name + "': BYTES element " + n + " is truncated in its 4-byte length")
            .asException();
      }
      int len = bytes.getInt(pos);
      if (len < 0 || len > end - pos - 4) {
        throw Status.invalidArgument(
                "input '" + name + "': BYTES element " + n + " declares " + Integer.toUnsignedString(len)
                    + " bytes but only " + (end - pos - 4) + " remain")
            .asException();
      }
      pos += 4 + len;
      n++;
    }
    return n;
  }

  public String name() {
    return name;
  }

  public DataType type() {
    return type;
  }

  /** A copy of the shape. */
  public long[] shape() {
    return shape.clone();
  }

  public int rank() {
    return shape.length;
  }

  public long dim(int i) {
    return shape[i];
  }

  public long elementCount() {
    return count;
  }

  public int byteSize() {
    return data.remaining();
  }

  /** A read-only little-endian view of the bytes, positioned at 0. */
  public ByteBuffer data() {
    return data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * Reads at a byte offset from the start of the bytes, little-endian, as {@link #data()}'s view
   * would, without making the view: for a listener that reads every element of every request.
   */
  public byte byteAt(int offset) {
    return data.get(offset);
  }

  /** As {@link #byteAt}, two bytes. */
  public short shortAt(int offset) {
    return data.getShort(offset);
  }

  /** As {@link #byteAt}, four bytes. */
  public int intAt(int offset) {
    return data.getInt(offset);
  }

  /** As {@link #byteAt}, eight bytes. */
  public long longAt(int offset) {
    return data.getLong(offset);
  }

  /** As {@link #byteAt}, an FP32 value. */
  public float floatAt(int offset) {
    return data.getFloat(offset);
  }

  /** As {@link #byteAt}, an FP64 value. */
  public double doubleAt(int offset) {
    return data.getDouble(offset);
  }

  /** The same bytes under another name. */
  public Tensor withName(String newName) {
    return new Tensor(newName, type, shape, count, data);
  }

  /** The same bytes under another shape with the same element count. */
  public Tensor reshape(long[] newShape) {
    if (elementCount(newShape) != count) {
      throw Status.invalidArgument(
              "cannot reshape '" + name + "' from " + Arrays.toString(shape) + " to "
                  + Arrays.toString(newShape))
          .asException();
    }
    return new Tensor(name, type, newShape.clone(), count, data);
  }

  /** The elements of a {@link DataType#BYTES} tensor, copied out. */
  public List<byte[]> bytesElements() {
    if (type != DataType.BYTES) {
      throw new IllegalStateException(name + " is " + type + ", not BYTES");
    }
    ByteBuffer b = data();
    List<byte[]> out = new ArrayList<>();
    while (b.hasRemaining()) {
      byte[] e = new byte[b.getInt()];
      b.get(e);
      out.add(e);
    }
    return out;
  }

  /** Encodes strings as UTF-8 BYTES elements (a convenience for tests and small outputs). */
  public static Tensor ofStrings(String name, long[] shape, List<String> values) {
    List<byte[]> raw = new ArrayList<>(values.size());
    for (String v : values) {
      raw.add(v.getBytes(StandardCharsets.UTF_8));
    }
    return ofBytes(name, shape, raw);
  }

  /** Frames raw elements as BYTES (4-byte little-endian length prefix each). */
  public static Tensor ofBytes(String name, long[] shape, List<byte[]> values) {
    int size = 0;
    for (byte[] v : values) {
      size += 4 + v.length;
    }
    ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    for (byte[] v : values) {
      b.putInt(v.length).put(v);
    }
    b.flip();
    return of(name, DataType.BYTES, shape, b);
  }

  /** A heap FP32 tensor (a convenience for tests and warm-up). */
  public static Tensor ofFloats(String name, long[] shape, float... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    b.flip();
    return of(name, DataType.FP32, shape, b);
  }

  /** A heap INT64 tensor (a convenience for tests). */
  public static Tensor ofLongs(String name, long[] shape, long... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) {
      b.putLong(v);
    }
    b.flip();
    return of(name, DataType.INT64, shape, b);
  }

  @Override
  public String toString() {
    return "Tensor{" + name + ", " + type + ", " + Arrays.toString(shape) + ", " + data.remaining()
        + " bytes}";
  }
}
