package io.sluice.gateway.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.sluice.runtime.DataType;
import io.sluice.runtime.Status;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Reads one JSON {@code data} value straight into a little-endian buffer of the tensor's datatype:
 * no boxing, no intermediate list. Arrays may nest to any depth and are flattened in row-major
 * order; a bare scalar counts as one element.
 *
 * <p>Each element must fit its type: integers within the type's range (a fraction or an
 * out-of-range value is a 400, never a silent truncation), BOOL as {@code true}/{@code false},
 * BYTES as strings (framed as a 4-byte length and their UTF-8 bytes), floats as numbers or as the
 * strings {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"}. FP16 and BF16 have no JSON form
 * in the protocol and are refused before any element is read.
 */
final class JsonTensorReader {
  private static final int MAX_BYTES = Integer.MAX_VALUE - 8;

  private final DataType type;
  private final String label;
  private ByteBuffer out;
  private long count;

  /**
   * @param label how errors name the input, e.g. {@code input 'x'}
   * @param capacityHint the expected byte size, when the shape is already known
   */
  JsonTensorReader(DataType type, String label, int capacityHint) {
    if (type == DataType.FP16 || type == DataType.BF16) {
      throw Status.invalidArgument(
              label + ": " + type + " data cannot be given as JSON (expected: binary data,"
                  + " parameters.binary_data_size with the Inference-Header-Content-Length"
                  + " header)")
          .asException();
    }
    this.type = type;
    this.label = label;
    this.out = ByteBuffer.allocate(Math.max(16, capacityHint)).order(ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * Reads the value at the parser's current token, leaving the parser on its last token.
   *
   * @return the elements read
   */
  long read(JsonParser p) throws IOException {
    int depth = 0;
    JsonToken t = p.currentToken();
    while (true) {
      if (t == JsonToken.START_ARRAY) {
        depth++;
      } else if (t == JsonToken.END_ARRAY) {
        depth--;
      } else if (t == null) {
        throw Status.invalidArgument(label + ": 'data' ends before its arrays close").asException();
      } else {
        element(p, t);
      }
      if (depth == 0) {
        return count;
      }
      t = p.nextToken();
    }
  }

  /** The bytes read so far, ready to wrap in a tensor. */
  ByteBuffer bytes() {
    ByteBuffer view = out.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    view.flip();
    return view;
  }

  private void element(JsonParser p, JsonToken t) throws IOException {
    switch (type) {
      case BOOL:
        if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
          throw wrongToken(t, "true or false");
        }
        ensure(1).put((byte) (t == JsonToken.VALUE_TRUE ? 1 : 0));
        break;
      case INT8:
        ensure(1).put((byte) integer(p, t, Byte.MIN_VALUE, Byte.MAX_VALUE));
        break;
      case INT16:
        ensure(2).putShort((short) integer(p, t, Short.MIN_VALUE, Short.MAX_VALUE));
        break;
      case INT32:
        ensure(4).putInt((int) integer(p, t, Integer.MIN_VALUE, Integer.MAX_VALUE));
        break;
      case INT64:
        ensure(8).putLong(integer(p, t, Long.MIN_VALUE, Long.MAX_VALUE));
        break;
      case UINT8:
        ensure(1).put((byte) integer(p, t, 0, 0xFF));
        break;
      case UINT16:
        ensure(2).putShort((short) integer(p, t, 0, 0xFFFF));
        break;
      case UINT32:
        ensure(4).putInt((int) integer(p, t, 0, 0xFFFF_FFFFL));
        break;
      case UINT64:
        ensure(8).putLong(unsigned64(p, t));
        break;
      case FP32:
        // getFloatValue parses the decimal text as a float: no double rounding.
        ensure(4).putFloat(
            t == JsonToken.VALUE_NUMBER_FLOAT || t == JsonToken.VALUE_NUMBER_INT
                ? p.getFloatValue()
                : (float) floating(p, t));
        break;
      case FP64:
        ensure(8).putDouble(floating(p, t));
        break;
      case BYTES:
        if (t != JsonToken.VALUE_STRING) {
          throw wrongToken(t, "a string");
        }
        byte[] utf8 = p.getText().getBytes(StandardCharsets.UTF_8);
        ensure(4 + utf8.length).putInt(utf8.length).put(utf8);
        break;
      default:
        throw new IllegalStateException("no JSON reader for " + type);
    }
    count++;
  }

  private long integer(JsonParser p, JsonToken t, long min, long max) throws IOException {
    if (t != JsonToken.VALUE_NUMBER_INT) {
      throw wrongToken(t, "an integer");
    }
    if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
      throw outOfRange(p.getText(), Long.toString(min), Long.toString(max));
    }
    long v = p.getLongValue();
    if (v < min || v > max) {
      throw outOfRange(p.getText(), Long.toString(min), Long.toString(max));
    }
    return v;
  }

  private long unsigned64(JsonParser p, JsonToken t) throws IOException {
    if (t != JsonToken.VALUE_NUMBER_INT) {
      throw wrongToken(t, "an integer");
    }
    if (p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
      long v = p.getLongValue();
      if (v < 0) {
        throw outOfRange(p.getText(), "0", "18446744073709551615");
      }
      return v;
    }
    BigInteger v = p.getBigIntegerValue();
    if (v.signum() < 0 || v.bitLength() > 64) {
      throw outOfRange(p.getText(), "0", "18446744073709551615");
    }
    return v.longValue();
  }

  private double floating(JsonParser p, JsonToken t) throws IOException {
    if (t == JsonToken.VALUE_NUMBER_FLOAT || t == JsonToken.VALUE_NUMBER_INT) {
      return p.getDoubleValue();
    }
    if (t == JsonToken.VALUE_STRING) {
      switch (p.getText()) {
        case "NaN":
          return Double.NaN;
        case "Infinity":
        case "+Infinity":
          return Double.POSITIVE_INFINITY;
        case "-Infinity":
          return Double.NEGATIVE_INFINITY;
        default:
          break;
      }
    }
    throw wrongToken(t, "a number");
  }

  private ByteBuffer ensure(int bytes) {
    if (out.remaining() >= bytes) {
      return out;
    }
    long needed = (long) out.position() + bytes;
    if (needed > MAX_BYTES) {
      throw Status.of(Status.Code.RESOURCE_EXHAUSTED,
              label + ": 'data' decodes to more than " + MAX_BYTES + " bytes")
          .asException();
    }
    int capacity = (int) Math.min(MAX_BYTES, Math.max(needed, 2L * out.capacity()));
    ByteBuffer bigger = ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
    out.flip();
    bigger.put(out);
    out = bigger;
    return out;
  }

  private RuntimeException wrongToken(JsonToken t, String expected) {
    return Status.invalidArgument(
            label + ": element " + count + " of 'data' is " + describe(t) + " (expected: "
                + expected + " for " + type + ")")
        .asException();
  }

  private RuntimeException outOfRange(String value, String min, String max) {
    return Status.invalidArgument(
            label + ": element " + count + " of 'data' is " + value + ", out of range for " + type
                + " (expected: an integer from " + min + " to " + max + ")")
        .asException();
  }

  private static String describe(JsonToken t) {
    switch (t) {
      case VALUE_STRING:
        return "a string";
      case VALUE_NUMBER_INT:
        return "an integer";
      case VALUE_NUMBER_FLOAT:
        return "a fraction";
      case VALUE_TRUE:
      case VALUE_FALSE:
        return "a boolean";
      case VALUE_NULL:
        return "null";
      case START_OBJECT:
        return "an object";
      default:
        return t.asString() == null ? t.name() : t.asString();
    }
  }
}
