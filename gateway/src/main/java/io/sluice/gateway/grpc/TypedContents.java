package io.sluice.gateway.grpc;

import com.google.protobuf.ByteString;
import io.sluice.proto.inference.GrpcService.InferTensorContents;
import io.sluice.runtime.DataType;
import io.sluice.runtime.Status;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Packs an input's typed {@code contents} into the little-endian bytes of its datatype, the form
 * every runtime tensor has. This is the one copy the typed form costs; raw contents cost none.
 *
 * <p>The V2 protocol carries several datatypes in one wider field: INT8, INT16 and INT32 in
 * {@code int_contents}, UINT8, UINT16 and UINT32 in {@code uint_contents}. A value that does not
 * fit the narrower type is rejected rather than truncated. FP16 and BF16 have no typed field.
 */
final class TypedContents {

  private TypedContents() {}

  /**
   * The packed bytes of one input, positioned at 0.
   *
   * @throws io.sluice.runtime.StatusException INVALID_ARGUMENT when the field for the datatype
   *     does not hold exactly one value per element, or a value does not fit the datatype
   */
  static ByteBuffer pack(String name, DataType type, long[] shape, long elementCount,
      InferTensorContents contents) {
    return switch (type) {
      case BOOL -> packBool(name, shape, elementCount, contents);
      case INT8, INT16, INT32 -> packInt(name, type, shape, elementCount, contents);
      case UINT8, UINT16, UINT32 -> packUint(name, type, shape, elementCount, contents);
      case INT64 -> packInt64(name, shape, elementCount, contents);
      case UINT64 -> packUint64(name, shape, elementCount, contents);
      case FP32 -> packFp32(name, shape, elementCount, contents);
      case FP64 -> packFp64(name, shape, elementCount, contents);
      case BYTES -> packBytes(name, shape, elementCount, contents);
      case FP16, BF16 -> throw Status.invalidArgument(
              "input '" + name + "': " + type + " has no typed contents field (expected: the"
                  + " tensor in raw_input_contents)")
          .asException();
    };
  }

  private static ByteBuffer packBool(String name, long[] shape, long count, InferTensorContents c) {
    int n = checkCount(
        name, DataType.BOOL, "bool_contents", c.getBoolContentsCount(), shape, count);
    ByteBuffer out = allocate(name, n, 1);
    for (int i = 0; i < n; i++) {
      out.put(c.getBoolContents(i) ? (byte) 1 : (byte) 0);
    }
    return out.flip();
  }

  private static ByteBuffer packInt(
      String name, DataType type, long[] shape, long count, InferTensorContents c) {
    int n = checkCount(name, type, "int_contents", c.getIntContentsCount(), shape, count);
    ByteBuffer out = allocate(name, n, type.byteSize());
    for (int i = 0; i < n; i++) {
      int v = c.getIntContents(i);
      switch (type) {
        case INT8 -> out.put((byte) checkRange(name, type, i, v, Byte.MIN_VALUE, Byte.MAX_VALUE));
        case INT16 ->
            out.putShort((short) checkRange(name, type, i, v, Short.MIN_VALUE, Short.MAX_VALUE));
        default -> out.putInt(v);
      }
    }
    return out.flip();
  }

  private static ByteBuffer packUint(
      String name, DataType type, long[] shape, long count, InferTensorContents c) {
    int n = checkCount(name, type, "uint_contents", c.getUintContentsCount(), shape, count);
    ByteBuffer out = allocate(name, n, type.byteSize());
    for (int i = 0; i < n; i++) {
      // uint32 arrives in a Java int; read it unsigned before checking the narrower range.
      long v = Integer.toUnsignedLong(c.getUintContents(i));
      switch (type) {
        case UINT8 -> out.put((byte) checkRange(name, type, i, v, 0, 0xFF));
        case UINT16 -> out.putShort((short) checkRange(name, type, i, v, 0, 0xFFFF));
        default -> out.putInt((int) v);
      }
    }
    return out.flip();
  }

  private static ByteBuffer packInt64(
      String name, long[] shape, long count, InferTensorContents c) {
    int n = checkCount(
        name, DataType.INT64, "int64_contents", c.getInt64ContentsCount(), shape, count);
    ByteBuffer out = allocate(name, n, 8);
    for (int i = 0; i < n; i++) {
      out.putLong(c.getInt64Contents(i));
    }
    return out.flip();
  }

  private static ByteBuffer packUint64(
      String name, long[] shape, long count, InferTensorContents c) {
    int n = checkCount(
        name, DataType.UINT64, "uint64_contents", c.getUint64ContentsCount(), shape, count);
    ByteBuffer out = allocate(name, n, 8);
    for (int i = 0; i < n; i++) {
      out.putLong(c.getUint64Contents(i));
    }
    return out.flip();
  }

  private static ByteBuffer packFp32(String name, long[] shape, long count, InferTensorContents c) {
    int n = checkCount(
        name, DataType.FP32, "fp32_contents", c.getFp32ContentsCount(), shape, count);
    ByteBuffer out = allocate(name, n, 4);
    for (int i = 0; i < n; i++) {
      out.putFloat(c.getFp32Contents(i));
    }
    return out.flip();
  }

  private static ByteBuffer packFp64(String name, long[] shape, long count, InferTensorContents c) {
    int n = checkCount(
        name, DataType.FP64, "fp64_contents", c.getFp64ContentsCount(), shape, count);
    ByteBuffer out = allocate(name, n, 8);
    for (int i = 0; i < n; i++) {
      out.putDouble(c.getFp64Contents(i));
    }
    return out.flip();
  }

  private static ByteBuffer packBytes(
      String name, long[] shape, long count, InferTensorContents c) {
    int n = checkCount(
        name, DataType.BYTES, "bytes_contents", c.getBytesContentsCount(), shape, count);
    long size = 0;
    for (int i = 0; i < n; i++) {
      size += 4L + c.getBytesContents(i).size();
    }
    ByteBuffer out = allocate(name, size, 1);
    for (int i = 0; i < n; i++) {
      ByteString element = c.getBytesContents(i);
      out.putInt(element.size());
      element.copyTo(out);
    }
    return out.flip();
  }

  private static int checkCount(
      String name, DataType type, String field, int found, long[] shape, long expected) {
    if (found != expected) {
      throw Status.invalidArgument(
              "input '" + name + "': " + found + " values in " + field + " for " + type
                  + " shape " + Arrays.toString(shape) + " (expected: " + expected + ")")
          .asException();
    }
    return found;
  }

  private static long checkRange(
      String name, DataType type, int index, long value, long min, long max) {
    if (value < min || value > max) {
      throw Status.invalidArgument(
              "input '" + name + "': element " + index + " is " + value + ", out of range for "
                  + type + " (expected: " + min + ".." + max + ")")
          .asException();
    }
    return value;
  }

  private static ByteBuffer allocate(String name, long elements, int elementBytes) {
    long bytes = elements * elementBytes;
    if (bytes > Integer.MAX_VALUE - 8) {
      throw Status.invalidArgument(
              "input '" + name + "': " + bytes + " bytes once packed (expected: under 2 GiB)")
          .asException();
    }
    return ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
  }
}
