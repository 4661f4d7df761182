package io.sluice.runtime;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The tensor element types of the V2 inference protocol. {@link #BYTES} is variable length: each
 * element is stored as a 4-byte little-endian length followed by that many bytes.
 */
public enum DataType {
  BOOL(1),
  UINT8(1),
  UINT16(2),
  UINT32(4),
  UINT64(8),
  INT8(1),
  INT16(2),
  INT32(4),
  INT64(8),
  FP16(2),
  FP32(4),
  FP64(8),
  BF16(2),
  BYTES(-1);

  private static final Map<String, DataType> BY_NAME = new HashMap<>();

  static {
    for (DataType t : values()) {
      BY_NAME.put(t.name(), t);
    }
  }

  private final int byteSize;

  DataType(int byteSize) {
    this.byteSize = byteSize;
  }

  /** Bytes per element, or -1 for {@link #BYTES}. */
  public int byteSize() {
    return byteSize;
  }

  public boolean isFixedSize() {
    return byteSize > 0;
  }

  /** The V2 protocol name, e.g. {@code FP32}. */
  public String v2Name() {
    return name();
  }

  /**
   * Parses a V2 datatype name such as {@code "FP32"}.
   *
   * @throws StatusException with {@link Status.Code#INVALID_ARGUMENT} for an unknown name
   */
  public static DataType fromV2Name(String name) {
    DataType t = name == null ? null : BY_NAME.get(name.toUpperCase(Locale.ROOT));
    if (t == null) {
      throw Status.invalidArgument(
              "unknown datatype: " + name + " (expected one of BOOL, UINT8..UINT64, INT8..INT64,"
                  + " FP16, FP32, FP64, BF16, BYTES)")
          .asException();
    }
    return t;
  }
}
