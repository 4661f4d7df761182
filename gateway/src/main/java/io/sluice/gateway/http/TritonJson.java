package io.sluice.gateway.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.MessageOrBuilder;
import java.io.IOException;
import java.util.List;

/**
 * Prints protobuf messages as Triton does: proto field names ({@code max_batch_size}), every
 * field with its default, 64-bit integers as JSON numbers (unsigned ones unsigned), enums by
 * name ({@code TYPE_FP32}), maps as objects, bytes as base64, NaN and infinities as the strings
 * of protobuf's JSON mapping.
 *
 * <p>protobuf-java's {@code JsonFormat} prints camelCase names and int64 as strings and drops
 * defaults; perf_analyzer would then read {@code max_batch_size} as 0. This printer walks the
 * descriptor directly with Jackson's generator instead.
 *
 * <p>Fields that track presence need a choice. A oneof member is printed only when set, always.
 * An unset message field is left out in {@link Unset#OMIT} mode, as Triton's config JSON does
 * (perf_analyzer reads the presence of {@code sequence_batching} and {@code dynamic_batching} as
 * meaning something), and printed as its default in {@link Unset#PRINT_DEFAULTS} mode, which the
 * statistics use so that every counter is present as an integer.
 */
final class TritonJson {

  /** What to do with a message-typed field that is not set. */
  enum Unset {
    OMIT,
    PRINT_DEFAULTS
  }

  private TritonJson() {}

  static Json.Body body(MessageOrBuilder message, Unset unset) {
    return g -> write(message, unset, g);
  }

  static void write(MessageOrBuilder message, Unset unset, JsonGenerator g) throws IOException {
    g.writeStartObject();
    for (FieldDescriptor field : message.getDescriptorForType().getFields()) {
      if (field.isRepeated()) {
        g.writeFieldName(field.getName());
        if (field.isMapField()) {
          writeMap(field, (List<?>) message.getField(field), unset, g);
        } else {
          writeList(field, (List<?>) message.getField(field), unset, g);
        }
        continue;
      }
      boolean set = message.hasField(field);
      if (!set && field.getRealContainingOneof() != null) {
        continue;
      }
      if (!set && field.getJavaType() == FieldDescriptor.JavaType.MESSAGE
          && unset == Unset.OMIT) {
        continue;
      }
      g.writeFieldName(field.getName());
      writeValue(field, message.getField(field), unset, g);
    }
    g.writeEndObject();
  }

  private static void writeList(FieldDescriptor field, List<?> values, Unset unset,
      JsonGenerator g) throws IOException {
    g.writeStartArray();
    for (Object value : values) {
      writeValue(field, value, unset, g);
    }
    g.writeEndArray();
  }

  private static void writeMap(FieldDescriptor field, List<?> entries, Unset unset,
      JsonGenerator g) throws IOException {
    FieldDescriptor keyField = field.getMessageType().findFieldByNumber(1);
    FieldDescriptor valueField = field.getMessageType().findFieldByNumber(2);
    g.writeStartObject();
    for (Object e : entries) {
      MessageOrBuilder entry = (MessageOrBuilder) e;
      g.writeFieldName(mapKey(keyField, entry.getField(keyField)));
      writeValue(valueField, entry.getField(valueField), unset, g);
    }
    g.writeEndObject();
  }

  private static String mapKey(FieldDescriptor keyField, Object key) {
    switch (keyField.getType()) {
      case UINT32:
      case FIXED32:
        return Integer.toUnsignedString((Integer) key);
      case UINT64:
      case FIXED64:
        return Long.toUnsignedString((Long) key);
      default:
        return String.valueOf(key);
    }
  }

  private static void writeValue(FieldDescriptor field, Object value, Unset unset,
      JsonGenerator g) throws IOException {
    switch (field.getType()) {
      case INT32:
      case SINT32:
      case SFIXED32:
        g.writeNumber((Integer) value);
        break;
      case UINT32:
      case FIXED32:
        g.writeNumber(Integer.toUnsignedLong((Integer) value));
        break;
      case INT64:
      case SINT64:
      case SFIXED64:
        g.writeNumber((Long) value);
        break;
      case UINT64:
      case FIXED64:
        long bits = (Long) value;
        if (bits >= 0) {
          g.writeNumber(bits);
        } else {
          // Above Long.MAX_VALUE: still a bare JSON number, written from its decimal digits.
          g.writeNumber(Long.toUnsignedString(bits));
        }
        break;
      case FLOAT:
        g.writeNumber((Float) value);
        break;
      case DOUBLE:
        g.writeNumber((Double) value);
        break;
      case BOOL:
        g.writeBoolean((Boolean) value);
        break;
      case STRING:
        g.writeString((String) value);
        break;
      case BYTES:
        g.writeBinary(((ByteString) value).toByteArray());
        break;
      case ENUM:
        EnumValueDescriptor e = (EnumValueDescriptor) value;
        if (e.getType().findValueByNumber(e.getNumber()) == null) {
          g.writeNumber(e.getNumber());
        } else {
          g.writeString(e.getName());
        }
        break;
      case MESSAGE:
      case GROUP:
        write((MessageOrBuilder) value, unset, g);
        break;
      default:
        throw new IllegalStateException("unknown field type " + field.getType());
    }
  }
}
