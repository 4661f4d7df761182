package io.sluice.gateway.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.sluice.gateway.core.ModelMetadata;
import io.sluice.gateway.core.TensorMetadata;
import io.sluice.runtime.DataType;
import io.sluice.runtime.SafeText;
import io.sluice.runtime.Status;
import io.sluice.runtime.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decodes the body of TensorFlow Serving's (and KServe V1's) {@code :predict} into V2 tensors,
 * by TF Serving's rules. {@code "instances"} is the row format: a list with one entry per row,
 * each the row's value when the model has one input, else an object naming every input; the
 * rows are stacked into a new first dimension. {@code "inputs"} is the columnar format: the whole
 * tensor when the model has one input, else an object of whole tensors. A value is a JSON number,
 * boolean, string or {@code {"b64": "..."}} (binary bytes) or a nested list of them, all lists at
 * one depth of the same length; its datatype is the model input's, since TF Serving's JSON
 * carries none. Anything else is an INVALID_ARGUMENT that names the input and what was expected.
 *
 * <p>This is a compatibility path, not the fast one: it reads the body as a Jackson tree, then
 * copies each tensor once into its own buffer. V2 clients keep the streaming decoder.
 */
final class TfServingRequests {
  private static final ObjectReader READER = new ObjectMapper(Json.FACTORY).reader();

  private TfServingRequests() {}

  /**
   * A decoded request.
   *
   * @param inputs one tensor per model input, in the model's order
   * @param rows whether the request used the row format (the answer then does too)
   */
  record Decoded(List<Tensor> inputs, boolean rows) {}

  /**
   * @param signatures the signature names this model answers to ({@code serving_default} and
   *     the one its config names)
   */
  static Decoded decode(ByteBuf body, ModelMetadata model, Set<String> signatures) {
    JsonNode root;
    try {
      root = READER.readTree((java.io.InputStream) new ByteBufInputStream(body.duplicate(), false));
    } catch (JsonProcessingException e) {
      throw Status.invalidArgument("the request body is not valid JSON: "
          + SafeText.clean(String.valueOf(e.getOriginalMessage()))).asException();
    } catch (IOException e) {
      throw Status.invalidArgument("the request body cannot be read: "
          + SafeText.message(e, "read error")).asException();
    }
    if (root == null || !root.isObject()) {
      throw Status.invalidArgument("the request body must be a JSON object with \"instances\""
          + " or \"inputs\"").asException();
    }
    JsonNode signature = root.get("signature_name");
    if (signature != null && !signature.isNull()) {
      if (!signature.isTextual()
          || !(signature.asText().isEmpty() || signatures.contains(signature.asText()))) {
        throw Status.invalidArgument("signature_name " + signature + " is not served by model '"
            + model.name() + "' (expected one of " + signatures + ")").asException();
      }
    }
    JsonNode instances = root.get("instances");
    JsonNode inputs = root.get("inputs");
    if (instances != null && inputs != null) {
      throw Status.invalidArgument("the request has both \"instances\" and \"inputs\""
          + " (expected: one of them, row or columnar format)").asException();
    }
    if (instances == null && inputs == null) {
      throw Status.invalidArgument("the request has neither \"instances\" nor \"inputs\""
          + " (expected: one of them, row or columnar format)").asException();
    }
    return instances != null
        ? new Decoded(rows(instances, model), true)
        : new Decoded(columns(inputs, model), false);
  }

  private static List<Tensor> rows(JsonNode instances, ModelMetadata model) {
    if (!instances.isArray()) {
      throw Status.invalidArgument("\"instances\" must be a list, one entry per row").asException();
    }
    if (instances.isEmpty()) {
      throw Status.invalidArgument("\"instances\" is empty (expected: at least one row)")
          .asException();
    }
    Map<String, List<JsonNode>> byInput = new LinkedHashMap<>();
    boolean named = isNamedObject(instances.get(0));
    for (TensorMetadata in : model.inputs()) {
      byInput.put(in.name(), new ArrayList<>(instances.size()));
    }
    if (!named) {
      String only = onlyInput(model, "\"instances\" whose rows are not objects");
      for (JsonNode row : instances) {
        if (isNamedObject(row)) {
          throw Status.invalidArgument("\"instances\" mixes named and unnamed rows").asException();
        }
        byInput.get(only).add(row);
      }
    } else {
      for (int i = 0; i < instances.size(); i++) {
        JsonNode row = instances.get(i);
        if (!isNamedObject(row)) {
          throw Status.invalidArgument("\"instances\" mixes named and unnamed rows").asException();
        }
        checkNames(row, model, "instance " + i);
        for (Map.Entry<String, List<JsonNode>> e : byInput.entrySet()) {
          e.getValue().add(row.get(e.getKey()));
        }
      }
    }
    List<Tensor> out = new ArrayList<>(byInput.size());
    for (TensorMetadata in : model.inputs()) {
      List<JsonNode> values = byInput.get(in.name());
      long[] row = shapeOf(values.get(0), in.name());
      long[] shape = new long[row.length + 1];
      shape[0] = values.size();
      System.arraycopy(row, 0, shape, 1, row.length);
      out.add(tensor(in, shape, values, row));
    }
    return out;
  }

  private static List<Tensor> columns(JsonNode inputs, ModelMetadata model) {
    List<Tensor> out = new ArrayList<>(model.inputs().size());
    if (!isNamedObject(inputs)) {
      onlyInput(model, "\"inputs\" that is not an object");
      TensorMetadata in = model.inputs().get(0);
      long[] shape = shapeOf(inputs, in.name());
      out.add(tensor(in, shape, List.of(inputs), shape));
      return out;
    }
    checkNames(inputs, model, "\"inputs\"");
    for (TensorMetadata in : model.inputs()) {
      JsonNode value = inputs.get(in.name());
      long[] shape = shapeOf(value, in.name());
      out.add(tensor(in, shape, List.of(value), shape));
    }
    return out;
  }

  private static String onlyInput(ModelMetadata model, String what) {
    if (model.inputs().size() != 1) {
      throw Status.invalidArgument("model '" + model.name() + "' has " + model.inputs().size()
          + " inputs, so " + what + " cannot say which is which (expected: objects naming "
          + names(model) + ")").asException();
    }
    return model.inputs().get(0).name();
  }

  private static void checkNames(JsonNode object, ModelMetadata model, String where) {
    for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (model.inputs().stream().noneMatch(in -> in.name().equals(name))) {
        throw Status.invalidArgument(where + " names '" + name + "', which is not an input of"
            + " model '" + model.name() + "' (expected: " + names(model) + ")").asException();
      }
    }
    for (TensorMetadata in : model.inputs()) {
      if (!object.has(in.name())) {
        throw Status.invalidArgument(where + " lacks input '" + in.name() + "' (expected: "
            + names(model) + ")").asException();
      }
    }
  }

  private static List<String> names(ModelMetadata model) {
    return model.inputs().stream().map(TensorMetadata::name).toList();
  }

  /** An object that is not a {@code {"b64": ...}} value: it names tensors. */
  private static boolean isNamedObject(JsonNode node) {
    return node.isObject() && !isB64(node);
  }

  private static boolean isB64(JsonNode node) {
    return node.isObject() && node.size() == 1 && node.has("b64");
  }

  /** The shape of a nested list, from its first element at every depth. */
  private static long[] shapeOf(JsonNode value, String input) {
    List<Long> dims = new ArrayList<>();
    JsonNode n = value;
    while (n.isArray()) {
      dims.add((long) n.size());
      if (n.isEmpty()) {
        break;
      }
      n = n.get(0);
    }
    long[] shape = new long[dims.size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = dims.get(i);
    }
    return shape;
  }

  /**
   * One tensor of {@code in}'s datatype and {@code shape} from {@code parts} (the rows, or the
   * one whole value), each of shape {@code partShape}.
   */
  private static Tensor tensor(TensorMetadata in, long[] shape, List<JsonNode> parts,
      long[] partShape) {
    long count = Tensor.elementCount(in.name(), shape);
    Leaves leaves = new Leaves(in.name(), in.datatype(), Math.toIntExact(count));
    for (int i = 0; i < parts.size(); i++) {
      walk(parts.get(i), partShape, 0, leaves, i);
    }
    return leaves.toTensor(shape);
  }

  private static void walk(JsonNode n, long[] shape, int depth, Leaves leaves, int row) {
    if (depth == shape.length) {
      leaves.add(n);
      return;
    }
    if (!n.isArray() || n.size() != shape[depth]) {
      throw Status.invalidArgument("input '" + leaves.input + "' (part " + row + ")"
          + ": a ragged list at depth " + depth + " (expected: every list at one depth of the"
          + " same length, shape " + Arrays.toString(shape) + ")").asException();
    }
    for (JsonNode child : n) {
      walk(child, shape, depth + 1, leaves, row);
    }
  }

  /** The flat values of one tensor, written as they come in its V2 byte layout. */
  private static final class Leaves {
    final String input;
    final DataType type;
    final ByteBuffer fixed;
    final List<byte[]> bytes;

    Leaves(String input, DataType type, int count) {
      this.input = input;
      this.type = type;
      if (type == DataType.FP16) {
        throw Status.invalidArgument("input '" + input + "' is FP16, which this JSON API does"
            + " not carry (expected: the V2 API's binary data)").asException();
      }
      this.fixed = type.isFixedSize()
          ? ByteBuffer.allocate(Math.multiplyExact(count, type.byteSize()))
              .order(ByteOrder.LITTLE_ENDIAN)
          : null;
      this.bytes = type.isFixedSize() ? null : new ArrayList<>(count);
    }

    void add(JsonNode v) {
      if (fixed != null && !fixed.hasRemaining()) {
        throw wrong(v, "no more elements than the first row's shape holds");
      }
      switch (type) {
        case BYTES -> {
          if (v.isTextual()) {
            bytes.add(v.asText().getBytes(StandardCharsets.UTF_8));
          } else if (isB64(v) && v.get("b64").isTextual()) {
            try {
              bytes.add(Base64.getDecoder().decode(v.get("b64").asText()));
            } catch (IllegalArgumentException e) {
              throw wrong(v, "valid base64 in \"b64\"");
            }
          } else {
            throw wrong(v, "a string or {\"b64\": \"...\"}");
          }
        }
        case BOOL -> {
          if (!v.isBoolean()) {
            throw wrong(v, "true or false");
          }
          fixed.put((byte) (v.asBoolean() ? 1 : 0));
        }
        case FP32 -> fixed.putFloat((float) number(v).doubleValue());
        case FP64 -> fixed.putDouble(number(v).doubleValue());
        case BF16 -> fixed.putShort(
            (short) (Float.floatToIntBits((float) number(v).doubleValue()) >>> 16));
        default -> putInteger(v);
      }
    }

    private JsonNode number(JsonNode v) {
      if (!v.isNumber()) {
        throw wrong(v, "a number");
      }
      return v;
    }

    private void putInteger(JsonNode v) {
      if (!v.isIntegralNumber() || !v.canConvertToLong()) {
        throw wrong(v, "an integer");
      }
      long x = v.asLong();
      boolean fits = switch (type) {
        case INT8 -> x >= Byte.MIN_VALUE && x <= Byte.MAX_VALUE;
        case INT16 -> x >= Short.MIN_VALUE && x <= Short.MAX_VALUE;
        case INT32 -> x >= Integer.MIN_VALUE && x <= Integer.MAX_VALUE;
        case UINT8 -> x >= 0 && x <= 0xFF;
        case UINT16 -> x >= 0 && x <= 0xFFFF;
        case UINT32 -> x >= 0 && x <= 0xFFFF_FFFFL;
        default -> true; // INT64; UINT64 above 2^63 does not survive canConvertToLong
      };
      if (!fits || (type == DataType.UINT64 && x < 0)) {
        throw wrong(v, "an integer that fits " + type);
      }
      switch (type.byteSize()) {
        case 1 -> fixed.put((byte) x);
        case 2 -> fixed.putShort((short) x);
        case 4 -> fixed.putInt((int) x);
        default -> fixed.putLong(x);
      }
    }

    private RuntimeException wrong(JsonNode v, String expected) {
      String shown = v.toString();
      if (shown.length() > 40) {
        shown = shown.substring(0, 40) + "...";
      }
      return Status.invalidArgument("input '" + input + "' is " + type + ", but has the value "
          + SafeText.clean(shown) + " (expected: " + expected + ")").asException();
    }

    Tensor toTensor(long[] shape) {
      if (bytes != null) {
        return Tensor.ofBytes(input, shape, bytes);
      }
      return Tensor.of(input, type, shape, fixed.flip());
    }
  }
}
