package io.sluice.gateway.http;

import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.sluice.gateway.core.ModelMetadata;
import io.sluice.gateway.core.TensorMetadata;
import io.sluice.gateway.core.V2InferResponse;
import io.sluice.runtime.DataType;
import io.sluice.runtime.Status;
import io.sluice.runtime.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.function.Predicate;

/**
 * TensorFlow Serving's answers, in its JSON shapes. A row-format request gets {@code
 * {"predictions": [...]}}: one entry per row, the row's value when the model has one output,
 * else an object of every output's row. A columnar one gets {@code {"outputs": ...}}: the whole
 * tensor, or an object of whole tensors. A string output whose name ends in {@code _bytes} (TF
 * Serving's rule), or whose bytes are not UTF-8, is written as {@code {"b64": "..."}}. Model
 * status and metadata are the JSON forms of TF Serving's {@code GetModelStatusResponse} and
 * {@code GetModelMetadataResponse}, the signature built from the V2 metadata.
 */
final class TfServingResponses {
  static final String METHOD_PREDICT = "tensorflow/serving/predict";

  private TfServingResponses() {}

  static FullHttpResponse predict(V2InferResponse response, boolean rows) {
    List<Tensor> outputs = response.outputs();
    if (rows) {
      long batch = -1;
      for (Tensor t : outputs) {
        long first = t.rank() == 0 ? -1 : t.dim(0);
        if (first < 0 || (batch >= 0 && first != batch)) {
          throw Status.invalidArgument("output '" + t.name() + "' has shape "
              + Arrays.toString(t.shape()) + ", which cannot be split into the rows of"
              + " a row-format answer (expected: every output with the same first dimension; ask"
              + " with \"inputs\" for the columnar format)").asException();
        }
        batch = first;
      }
      long n = batch;
      return HttpResponses.json(HttpResponseStatus.OK, g -> {
        g.writeStartObject();
        g.writeArrayFieldStart("predictions");
        for (long r = 0; r < n; r++) {
          if (outputs.size() == 1) {
            writeRow(g, outputs.get(0), r);
          } else {
            g.writeStartObject();
            for (Tensor t : outputs) {
              g.writeFieldName(t.name());
              writeRow(g, t, r);
            }
            g.writeEndObject();
          }
        }
        g.writeEndArray();
        g.writeEndObject();
      });
    }
    return HttpResponses.json(HttpResponseStatus.OK, g -> {
      g.writeStartObject();
      g.writeFieldName("outputs");
      if (outputs.size() == 1) {
        writeWhole(g, outputs.get(0));
      } else {
        g.writeStartObject();
        for (Tensor t : outputs) {
          g.writeFieldName(t.name());
          writeWhole(g, t);
        }
        g.writeEndObject();
      }
      g.writeEndObject();
    });
  }

  private static void writeRow(JsonGenerator g, Tensor t, long row) throws IOException {
    long[] shape = t.shape();
    long perRow = Tensor.elementCount(Arrays.copyOfRange(shape, 1, shape.length));
    Values v = new Values(t);
    v.next = row * perRow;
    writeNested(g, v, shape, 1);
  }

  private static void writeWhole(JsonGenerator g, Tensor t) throws IOException {
    writeNested(g, new Values(t), t.shape(), 0);
  }

  private static void writeNested(JsonGenerator g, Values v, long[] shape, int depth)
      throws IOException {
    if (depth == shape.length) {
      v.writeNext(g);
      return;
    }
    g.writeStartArray();
    for (long i = 0; i < shape[depth]; i++) {
      writeNested(g, v, shape, depth + 1);
    }
    g.writeEndArray();
  }

  /** Reads one tensor's elements in order and writes each as TF Serving would. */
  private static final class Values {
    final Tensor t;
    final ByteBuffer data;
    final List<byte[]> strings;
    final boolean b64;
    long next;

    Values(Tensor t) {
      this.t = t;
      this.data = t.data();
      this.strings = t.type() == DataType.BYTES ? t.bytesElements() : null;
      this.b64 = t.name().endsWith("_bytes");
    }

    void writeNext(JsonGenerator g) throws IOException {
      int i = Math.toIntExact(next++);
      switch (t.type()) {
        case BYTES -> writeString(g, strings.get(i));
        case BOOL -> g.writeBoolean(data.get(i) != 0);
        case FP32 -> g.writeNumber(data.getFloat(i * 4));
        case FP64 -> g.writeNumber(data.getDouble(i * 8));
        case FP16 -> g.writeNumber(halfToFloat(data.getShort(i * 2)));
        case BF16 -> g.writeNumber(Float.intBitsToFloat((data.getShort(i * 2) & 0xFFFF) << 16));
        case INT8 -> g.writeNumber(data.get(i));
        case INT16 -> g.writeNumber(data.getShort(i * 2));
        case INT32 -> g.writeNumber(data.getInt(i * 4));
        case INT64 -> g.writeNumber(data.getLong(i * 8));
        case UINT8 -> g.writeNumber(data.get(i) & 0xFF);
        case UINT16 -> g.writeNumber(data.getShort(i * 2) & 0xFFFF);
        case UINT32 -> g.writeNumber(data.getInt(i * 4) & 0xFFFF_FFFFL);
        case UINT64 -> g.writeNumber(Long.toUnsignedString(data.getLong(i * 8)));
        default -> throw new IllegalStateException("no JSON form for " + t.type());
      }
    }

    private void writeString(JsonGenerator g, byte[] bytes) throws IOException {
      String text = b64 ? null : utf8(bytes);
      if (text != null) {
        g.writeString(text);
        return;
      }
      g.writeStartObject();
      g.writeStringField("b64", Base64.getEncoder().encodeToString(bytes));
      g.writeEndObject();
    }
  }

  private static String utf8(byte[] bytes) {
    try {
      CharBuffer c = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes));
      return c.toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /** IEEE 754 half to float (Java 17 has no Float.float16ToFloat). */
  static float halfToFloat(short h) {
    int bits = h & 0xFFFF;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1F;
    int mant = bits & 0x3FF;
    if (exp == 0x1F) {
      return Float.intBitsToFloat(sign | 0x7F80_0000 | (mant << 13));
    }
    if (exp == 0) {
      float v = mant / 1024f / 16384f; // subnormal: mant * 2^-24
      return sign != 0 ? -v : v;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }

  /** {@code GET /v1/models/{m}[/versions/{v}]}: each version's state. */
  static FullHttpResponse status(ModelMetadata model, Predicate<String> ready) {
    return HttpResponses.json(HttpResponseStatus.OK, g -> {
      g.writeStartObject();
      g.writeArrayFieldStart("model_version_status");
      for (String v : model.versions()) {
        boolean up = ready.test(v);
        g.writeStartObject();
        g.writeStringField("version", v);
        g.writeStringField("state", up ? "AVAILABLE" : "UNAVAILABLE");
        g.writeObjectFieldStart("status");
        g.writeStringField("error_code", "OK");
        g.writeStringField("error_message", "");
        g.writeEndObject();
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    });
  }

  /** {@code GET /v1/models/{m}[/versions/{v}]/metadata}: the one served signature. */
  static FullHttpResponse metadata(ModelMetadata model, String version, String signature) {
    return HttpResponses.json(HttpResponseStatus.OK, g -> {
      g.writeStartObject();
      g.writeObjectFieldStart("model_spec");
      g.writeStringField("name", model.name());
      g.writeStringField("signature_name", "");
      g.writeStringField("version", version);
      g.writeEndObject();
      g.writeObjectFieldStart("metadata");
      g.writeObjectFieldStart("signature_def");
      g.writeObjectFieldStart("signature_def");
      g.writeObjectFieldStart(signature);
      writeTensors(g, "inputs", model.inputs());
      writeTensors(g, "outputs", model.outputs());
      g.writeStringField("method_name", METHOD_PREDICT);
      g.writeEndObject();
      g.writeEndObject();
      g.writeEndObject();
      g.writeEndObject();
      g.writeEndObject();
    });
  }

  private static void writeTensors(JsonGenerator g, String field, List<TensorMetadata> tensors)
      throws IOException {
    g.writeObjectFieldStart(field);
    for (TensorMetadata t : tensors) {
      g.writeObjectFieldStart(t.name());
      g.writeStringField("dtype", tfName(t.datatype()));
      g.writeObjectFieldStart("tensor_shape");
      g.writeArrayFieldStart("dim");
      for (long d : t.shape()) {
        g.writeStartObject();
        // protobuf's JSON mapping writes int64 as a string.
        g.writeStringField("size", Long.toString(d));
        g.writeStringField("name", "");
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeBooleanField("unknown_rank", false);
      g.writeEndObject();
      g.writeStringField("name", t.name());
      g.writeEndObject();
    }
    g.writeEndObject();
  }

  /** TensorFlow's name of a V2 datatype. */
  static String tfName(DataType t) {
    return switch (t) {
      case FP32 -> "DT_FLOAT";
      case FP64 -> "DT_DOUBLE";
      case FP16 -> "DT_HALF";
      case BF16 -> "DT_BFLOAT16";
      case BYTES -> "DT_STRING";
      default -> "DT_" + t.name();
    };
  }
}
